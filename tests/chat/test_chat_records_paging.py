"""Records in chat: every record reachable page by page, list membership named, positions kept,
and a decided case shown with its outcome."""

from __future__ import annotations

from datetime import date

from test_chat_progress_cases import _auth, _file_objection
from test_chat_web_api import _chat, _kunming_subject

from selfservice.cases.models import Case
from selfservice.clock import Clock
from selfservice.enums import ListKind, Nature, Severity
from selfservice.records.models import CreditRecord, ListEntry
from selfservice.subjects.models import Subject


async def _subject_with_seven_records() -> tuple[Subject, list[CreditRecord]]:
    dept, subject = await _kunming_subject()
    rows = [
        await CreditRecord.create(
            subject=subject,
            nature=Nature.BAD,
            severity=Severity.SEVERE if n == 6 else Severity.GENERAL,
            catalogue_class="administrative_penalty",
            title=f"测试处罚记录{n + 1}号",
            provider=dept,
            document_number=f"昆市监罚〔2026〕{n + 1}号",
            finding_date=date(2026, 3, 1 + n),
            publicity_start=date(2026, 3, 2 + n),
        )
        for n in range(7)
    ]
    await ListEntry.create(
        subject=subject,
        kind=ListKind.SEVERE_DISHONESTY,
        reason="拒不履行行政处罚决定",
        record=rows[6],
        department=dept,
        entered_on=date(2026, 3, 10),
        listed_through=date(2029, 3, 9),  # last day on the list; off it from 2029-03-10
    )
    return subject, rows


async def test_all_records_are_reachable_and_the_list_is_named(served):
    subject, rows = await _subject_with_seven_records()
    auth = await _auth(served, subject.id)
    _, data = await _chat(served, {"text": "查询信用记录"}, auth)
    text = data["reply"]["text"]
    assert "共有 7 条信用记录" in text and "还有 2 条" in text
    assert "严重失信主体名单（黑名单）" in text and "拒不履行" not in text.split("黑名单")[0]
    assert "2029-03-10" in text
    assert {"label": "更多记录", "payload": "更多记录"} in data["reply"]["quick_replies"]
    newest_first = sorted(rows, key=lambda r: r.finding_date, reverse=True)
    for n, row in enumerate(newest_first[:5], 1):
        assert f"{n}. [不良信息" in text and row.title in text
    assert newest_first[5].title not in text

    _, data = await _chat(served, {"text": "更多记录"}, auth)
    text = data["reply"]["text"]
    assert "第 6—7 条（共 7 条）" in text
    assert f"6. [不良信息·一般] {newest_first[5].title}" in text
    assert f"7. [不良信息·一般] {newest_first[6].title}" in text
    assert "还有" not in text

    _, data = await _chat(served, {"text": "对第6条提异议"}, auth)
    reply = data["reply"]
    assert f"/#/objection?record={newest_first[5].id}" in reply["links"][0]["url"]
    assert f"第6条记录「{newest_first[5].title}」" in reply["text"]
    assert f"#{newest_first[5].id}" not in reply["text"]


async def test_a_decided_case_shows_its_outcome(served):
    subject, rows = await _subject_with_seven_records()
    receipt = await _file_objection(subject, rows[0])
    case = await Case.get(receipt=receipt)
    case.status, case.closed_on = "decided", Clock().today()
    case.data = {
        **case.data,
        "decision": {"outcome": "upheld", "reply": "经核实记录无误", "on": "2026-12-01"},
    }
    await case.save()
    auth = await _auth(served, subject.id)
    _, data = await _chat(served, {"text": f"{receipt}办得怎么样了"}, auth)
    text = data["reply"]["text"]
    assert "已办结" in text and "处理结果：维持原记录，取消异议标注（2026-12-01）" in text
    assert "经核实记录无误" in text
    _, data = await _chat(served, {"text": "我提交的申请进度怎么样了"}, auth)
    assert "处理结果：维持原记录" in data["reply"]["text"]
