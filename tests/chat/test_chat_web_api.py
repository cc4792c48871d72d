"""``POST /api/v1/chat``: anonymous sessions, signed-in subjects with records, bad input, the H5 page."""

from __future__ import annotations

from datetime import date

import pytest

from selfservice.accounts.enums import AccountKind
from selfservice.accounts.models import Account
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.enums import DepartmentLevel, Nature, Severity, SubjectKind
from selfservice.records.models import CreditRecord
from selfservice.staff.models import Department
from selfservice.subjects.models import Subject


async def _chat(served, payload, headers=None):
    async with served.http.post(
        served.base + "/api/v1/chat", json=payload, headers=headers or {}
    ) as resp:
        return resp.status, await resp.json()


async def test_anonymous_session_is_issued_and_carries_the_flow(served):
    status, first = await _chat(served, {"text": "查进度"})
    assert status == 200 and len(first["session_id"]) >= 16
    assert first["reply"]["links"][0]["url"].startswith("/#/")  # relative: the page that asked
    status, second = await _chat(
        served, {"text": "YY20261122-0042", "session_id": first["session_id"]}
    )
    assert second["session_id"] == first["session_id"]
    assert "没有找到您名下受理编号为 YY20261122-0042" in second["reply"]["text"]
    status, fresh = await _chat(served, {"text": "YY20261122-0042"})
    assert fresh["session_id"] != first["session_id"]


async def test_miniprogram_links_are_absolute_on_the_public_base(served):
    _, data = await _chat(served, {"text": "查进度", "channel": "miniprogram"})
    assert data["reply"]["links"][0]["url"].startswith("https://xy.example.cn/#/")


@pytest.mark.parametrize(
    ("host", "base"),
    [("127.0.0.1", "http://127.0.0.1:8123"), ("0.0.0.0", "http://127.0.0.1:8123")],  # noqa: S104
)
def test_public_base_url_is_the_served_address_when_unset(chat_settings, host, base):
    import dataclasses
    import uuid

    from handlers.app import create_app, served_base_url

    app = create_app(
        dataclasses.replace(chat_settings, public_base_url=""), name=f"b{uuid.uuid4().hex[:8]}"
    )
    assert served_base_url(app) == ""  # not serving yet (and under ASGI): links stay relative
    app.prepare(host=host, port=8123, single_process=True, motd=False)
    assert served_base_url(app) == base


async def test_quick_replies_carry_a_payload_that_starts_the_flow(served):
    _, data = await _chat(served, {"text": "你好"})
    buttons = data["reply"]["quick_replies"]
    assert {"label": "政策问答", "payload": "政策问答"} in buttons
    _, data = await _chat(
        served, {"text": buttons[-1]["payload"], "session_id": data["session_id"]}
    )
    assert "排队号" in data["reply"]["text"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 422),
        ({"text": ""}, 422),
        ({"text": "长" * 501}, 422),
        ({"text": "你好", "session_id": "short"}, 422),
        ({"text": "你好", "session_id": "bad id with spaces!!"}, 422),
        ({"text": "你好", "channel": "sms"}, 422),
        ({"text": 42}, 422),
    ],
)
async def test_bad_requests_are_json_errors(served, payload, status):
    got, body = await _chat(served, payload)
    assert got == status and body["error"]["code"] == "validation_failed"


async def test_malformed_json_and_bad_tokens(served):
    async with served.http.post(
        served.base + "/api/v1/chat",
        data=b"{not json",
        headers={"content-type": "application/json"},
    ) as resp:
        assert resp.status == 400 and "error" in await resp.json()
    status, body = await _chat(served, {"text": "你好"}, {"Authorization": "Bearer nonsense"})
    assert status == 401 and "error" in body


async def _kunming_subject() -> tuple[Department, Subject]:
    dept = await Department.create(
        code="km-amr-chat",
        name="昆明市市场监督管理局",
        level=DepartmentLevel.CITY,
        jurisdiction="kunming",
    )
    subject = await Subject.create(
        kind=SubjectKind.LEGAL_PERSON, name="昆明测试科技有限公司", uscc="91530100MA6K5XYT0D"
    )
    return dept, subject


async def _subject_with_records() -> tuple[Subject, list[CreditRecord]]:
    dept, subject = await _kunming_subject()
    rows = []
    for n, (nature, severity, title) in enumerate(
        [
            (Nature.BAD, Severity.GENERAL, "未按期报送年度报告"),
            (Nature.GOOD, None, "纳税信用A级"),
        ]
    ):
        rows.append(
            await CreditRecord.create(
                subject=subject,
                nature=nature,
                severity=severity,
                catalogue_class="administrative_penalty",
                title=title,
                provider=dept,
                document_number=f"昆市监罚〔2026〕{n + 1}号",
                finding_date=date(2026, 3, 1 + n),
                publicity_start=date(2026, 3, 2 + n),
            )
        )
    return subject, rows


async def test_a_verified_subject_gets_a_summary_and_objects_to_a_listed_record(served):
    subject, rows = await _subject_with_records()
    settings = served.app.ctx.settings
    account = await Account.create(kind=AccountKind.PHONE, subject_id=subject.id, assurance=2)
    token = issue_access_token(
        settings=settings,
        principal=Principal(
            kind="subject",
            account_id=account.id,
            subject_id=subject.id,
            assurance=2,
            scopes=("all",),
        ),
    )
    auth = {"Authorization": f"Bearer {token}"}
    status, data = await _chat(served, {"text": "查一下我的信用记录"}, auth)
    assert status == 200 and data["session_id"] is None
    text = data["reply"]["text"]
    assert "共有 2 条信用记录" in text and "未按期报送年度报告" in text and "纳税信用A级" in text
    second = text.splitlines()[2]
    target = next(r for r in rows if r.title in second)
    status, data = await _chat(served, {"text": "对第2条提异议"}, auth)
    link = data["reply"]["links"][0]["url"]
    assert f"/#/objection?record={target.id}" in link
    assert f"已为您预选第2条记录「{target.title}」" in data["reply"]["text"]
    status, data = await _chat(served, {"text": "修复第1条"}, auth)
    assert "已为您预选第1条记录「" in data["reply"]["text"]
    status, data = await _chat(served, {"text": "我要核验身份"}, auth)
    assert "您已完成身份核验" in data["reply"]["text"]


async def test_the_h5_page_is_served_at_the_root(served):
    status, content_type, body = await served.get("/")
    assert status == 200 and content_type.startswith("text/html")
    page = body.decode()
    assert '<meta name="viewport"' in page and "/static/app/main.js" in page
    status, content_type, body = await served.get("/static/app/screens/chat.js")
    assert status == 200 and "javascript" in content_type
    script = body.decode()
    assert "/api/v1/chat" in script and "quick_replies" in script
