"""Progress in chat reads the subject's real cases; other people's receipts stay invisible."""

from __future__ import annotations

from test_chat_web_api import _chat, _subject_with_records

from selfservice.accounts.enums import AccountKind
from selfservice.accounts.models import Account
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.cases.actors import Actor
from selfservice.clock import Clock
from selfservice.enums import SubjectKind
from selfservice.objections import service as objections
from selfservice.policy import load_policy
from selfservice.subjects.models import Subject


async def _file_objection(subject, record) -> str:
    case, _ = await objections.file(
        actor=Actor(kind="subject", id=str(subject.id), subject_id=subject.id),
        filing=objections.Filing(record.id, "content_wrong", "处罚记录的金额写错了，应为五百元"),
        policy=load_policy("kunming"),
        today=Clock().today(),
    )
    return case.receipt


async def _auth(served, subject_id: int) -> dict[str, str]:
    account = await Account.create(kind=AccountKind.PHONE, subject_id=subject_id, assurance=2)
    token = issue_access_token(
        settings=served.app.ctx.settings,
        principal=Principal(
            kind="subject",
            account_id=account.id,
            subject_id=subject_id,
            assurance=2,
            scopes=("all",),
        ),
    )
    return {"Authorization": f"Bearer {token}"}


async def test_progress_by_receipt_and_as_a_list(served):
    subject, rows = await _subject_with_records()
    receipt = await _file_objection(subject, rows[0])
    auth = await _auth(served, subject.id)

    _, data = await _chat(served, {"text": f"{receipt}办得怎么样了"}, auth)
    text = data["reply"]["text"]
    assert receipt in text and "异议" in text and "昆明市市场监督管理局" in text
    assert "办理期限" in text

    _, data = await _chat(served, {"text": "我提交的申请进度怎么样了"}, auth)
    assert "您的办理事项" in data["reply"]["text"] and receipt in data["reply"]["text"]


async def test_someone_elses_receipt_is_not_shown(served):
    subject, rows = await _subject_with_records()
    receipt = await _file_objection(subject, rows[0])
    other = await Subject.create(
        kind=SubjectKind.LEGAL_PERSON, name="另一家公司", uscc="91530100MA6K0R1X6T"
    )
    _, data = await _chat(
        served, {"text": f"{receipt}处理到哪一步了"}, await _auth(served, other.id)
    )
    text = data["reply"]["text"]
    assert "没有找到您名下" in text and "昆明市市场监督管理局" not in text

    _, data = await _chat(served, {"text": f"{receipt}处理到哪一步了"})
    assert "仅向核验身份后的本人显示" in data["reply"]["text"]


async def test_agent_without_progress_scope_gets_no_case_in_chat(served):
    subject, rows = await _subject_with_records()
    receipt = await _file_objection(subject, rows[0])
    account = await Account.create(kind=AccountKind.PHONE, subject_id=subject.id, assurance=2)
    token = issue_access_token(
        settings=served.app.ctx.settings,
        principal=Principal(
            kind="subject", account_id=account.id, subject_id=subject.id, scopes=("records:read",)
        ),
    )
    auth = {"Authorization": f"Bearer {token}"}
    for text in (f"{receipt}办得怎么样了", "我提交的申请进度怎么样了"):
        _, data = await _chat(served, {"text": text}, auth)
        assert receipt not in data["reply"]["text"]
        assert "经办授权不包含此项业务" in data["reply"]["text"]
    _, data = await _chat(served, {"text": "查一下我们公司的信用记录"}, auth)
    assert "经办授权不包含" not in data["reply"]["text"]
