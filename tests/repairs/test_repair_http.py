"""Whole repairs over HTTP on SQLite and PostgreSQL: local with county→city consent, national."""

from __future__ import annotations

import io
import re
from contextlib import asynccontextmanager
from datetime import date

import pytest
from pypdf import PdfReader
from repair_support import (
    RecordingIntake,
    at,
    headers,
    make_record,
    make_repair_world,
    subject_principal,
    upload,
)

from selfservice import db
from selfservice.audit.models import AuditLog
from selfservice.cases.models import CaseTransition
from selfservice.notifications.models import OutboxMessage
from selfservice.records.models import CreditRecord, ListEntry, RecordEvent

MONDAY = date(2026, 3, 30)  # the local path (Yuxi art. 17–18) ends 2026-03-31


@asynccontextmanager
async def opened(url: str):
    await db.connect(url)
    try:
        yield
    finally:
        await db.close()


def pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
async def yuxi(make_app, database):
    rw = await make_repair_world("yuxi")
    record = await make_record(rw, found=date(2025, 6, 10), provider=rw.county, listed=True)
    await db.close()
    app = make_app(database, jurisdiction="yuxi")
    app.ctx.clock = at(MONDAY)
    w = rw.w
    heads = {
        "subject": headers(app, subject_principal(w.subject.id)),
        "other": headers(app, subject_principal(w.other_subject.id)),
        "reader": headers(app, subject_principal(w.subject.id, ("records:read",))),
        "agent": headers(app, subject_principal(w.subject.id, ("repair",))),
        "county": headers(app, w.principal(rw.county_handler)),
        "city": headers(app, w.principal(w.supervisor)),
        "credit": headers(app, w.principal(w.credit)),
        "outsider": headers(app, w.principal(w.outsider)),
    }
    return app, rw, record, heads, database


async def _move(client, receipt, head, **body):
    return await client.post(f"/api/v1/staff/cases/{receipt}/transitions", json=body, headers=head)


async def test_local_repair_with_county_to_city_consent_and_its_effects(yuxi):
    app, rw, record, heads, database = yuxi
    client = app.asgi_client
    url = f"/api/v1/me/records/{record.id}/repair"
    _, res = await client.get(url, headers=heads["agent"])
    assert res.status == 200 and res.json["eligible"] is True, res.text
    assert res.json["route"] == "local_decide" and res.json["available_from"] == "2025-09-11"
    assert [c["code"] for c in res.json["checklist"] if c["required"]] == [
        "fulfilment_proof",
        "commitment_letter",
    ]
    _, other = await client.get(url, headers=heads["other"])
    assert other.status == 404
    _, letter = await client.get(f"{url}/commitment.pdf", headers=heads["subject"])
    assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
    text = pdf_text(letter.body)
    assert record.document_number in text and "信用修复承诺书" in text

    evidence = await upload(app, heads["subject"])
    payload = {
        "record_id": record.id,
        "statement": "已缴清罚款并补报年度报告",
        "evidence": [evidence],
        "commitment_accepted": True,
    }
    _, res = await client.post("/api/v1/repairs", json=payload, headers=heads["reader"])
    assert res.status == 403
    _, res = await client.post("/api/v1/repairs", json=payload, headers=heads["other"])
    assert res.status == 404
    unsigned = payload | {"commitment_accepted": False}
    _, res = await client.post("/api/v1/repairs", json=unsigned, headers=heads["subject"])
    assert res.status == 422
    key = {"idempotency-key": "repair-1"}
    _, res = await client.post("/api/v1/repairs", json=payload, headers=heads["subject"] | key)
    assert res.status == 201, res.text
    receipt = res.json["receipt"]
    assert re.fullmatch(r"XF20260330-0001", receipt)
    assert res.json["status"] == "checking" and "不收取任何费用" in res.json["notice"]
    # Yuxi art. 18: 15 working days after Monday 2026-03-30 (Mar 31–Apr 3; 清明 Apr 4–6 off;
    # Apr 7–10, Apr 13–17, Apr 20–21)
    assert res.json["deadline"]["due"] == "2026-04-21"
    assert res.json["data"]["route"] == "local_decide"
    assert len(res.json["data"]["commitment"]["sha256"]) == 64
    _, again = await client.post("/api/v1/repairs", json=payload, headers=heads["subject"] | key)
    assert again.status == 200 and again.json["receipt"] == receipt
    _, dup = await client.post("/api/v1/repairs", json=payload, headers=heads["subject"])
    assert dup.status == 409 and dup.json["error"]["code"] == "repair_already_open"
    _, res = await client.get(url, headers=heads["subject"])
    assert [r["code"] for r in res.json["reasons"]] == ["repair_open"]

    _, queue = await client.get("/api/v1/staff/queue?kind=repair", headers=heads["county"])
    assert [c["receipt"] for c in queue.json["items"]] == [receipt]
    _, theirs = await client.get(f"/api/v1/cases/{receipt}", headers=heads["other"])
    assert theirs.status == 404
    _, page = await client.get(f"/api/v1/staff/cases/{receipt}", headers=heads["county"])
    assert {"approve", "opinion", "reject"} <= {a["action"] for a in page.json["allowed"]}
    _, res = await _move(client, receipt, heads["county"], action="approve")
    assert res.status == 422 and res.json["error"]["code"] == "city_consent_required"
    _, res = await _move(client, receipt, heads["county"], action="opinion", reason="整改到位")
    assert res.status == 200 and res.json["status"] == "city_consent", res.text
    _, gone = await client.get(f"/api/v1/staff/cases/{receipt}", headers=heads["county"])
    assert gone.status == 404  # the case now sits with the city department
    _, res = await _move(client, receipt, heads["city"], action="consent", reason="同意")
    assert res.status == 200 and res.json["status"] == "approved", res.text
    # art. 18: the credit office repairs within 5 working days of the consent (Mar 31–Apr 3;
    # 清明 Apr 4–6 off; Apr 7)
    assert res.json["deadline"]["step_due"] == "2026-04-07"
    _, res = await _move(client, receipt, heads["city"], action="apply")
    assert res.status == 403
    _, res = await _move(client, receipt, heads["credit"], action="apply")
    assert res.status == 200 and res.json["status"] == "repaired", res.text

    _, mine = await client.get(f"/api/v1/cases/{receipt}", headers=heads["subject"])
    assert mine.json["status_label"] == "已修复"
    assert [t["action"] for t in mine.json["timeline"]] == [
        "file",
        "route_local",
        "opinion",
        "consent",
        "apply",
    ]
    _, detail = await client.get(f"/api/v1/me/records/{record.id}", headers=heads["subject"])
    assert [x["label"] for x in detail.json["labels"]] == ["已修复"]
    # Yuxi art. 20 (kept until its period ends) applied only up to 2019-06-30; since then the
    # national rule: repair ends publication (527号 part 3; 令第58号 art. 3, in force 2026-03-30)
    assert detail.json["published"] is False
    measure = detail.json["measures"][0]
    assert measure["state"] == "lifted" and receipt in measure["reason"]
    assert detail.json["actions"]["repair"]["reasons"] == ["already_repaired"]
    _, report = await client.get("/api/v1/me/report?format=pdf", headers=heads["subject"])
    # no longer published, so no longer in the report either (as on the national route below)
    assert report.status == 200 and record.document_number not in pdf_text(report.body)
    _, staff_letter = await client.get(
        f"/api/v1/staff/repairs/{receipt}/commitment.pdf", headers=heads["credit"]
    )
    assert staff_letter.status == 200 and record.document_number in pdf_text(staff_letter.body)
    _, hidden = await client.get(
        f"/api/v1/staff/repairs/{receipt}/commitment.pdf", headers=heads["outsider"]
    )
    assert hidden.status == 404

    async with opened(database):
        entry = await ListEntry.get(record_id=record.id)
        assert entry.exited_on == MONDAY
        events = await RecordEvent.filter(record_id=record.id).values_list("action", flat=True)
        assert {"repair_filed", "repaired", "list_exit", "department_notified"} <= set(events)
        notified = set(
            await OutboxMessage.filter(template="record_repaired").values_list(
                "department_id", flat=True
            )
        )
        assert notified == {rw.county.id, rw.w.provider.id, rw.w.acting_dept.id}
        titles = set(
            await OutboxMessage.filter(subject_id=rw.w.subject.id).values_list("title", flat=True)
        )
        assert {"信用修复申请已提交", "信用修复已完成"} <= titles
        audited = set(await AuditLog.all().values_list("action", flat=True))
        assert {"repair.opinion", "repair.consent", "repair.apply"} <= audited


async def _national_application(app, rw, heads, database) -> tuple[CreditRecord, dict]:
    """A record found under the national 2026 regime and a complete application for it."""
    async with opened(database):
        record = await make_record(rw, found=date(2026, 4, 1))
    return record, {
        "record_id": record.id,
        "statement": "罚款已缴纳，违法行为已改正",
        "evidence": [await upload(app, heads["subject"])],
        "commitment_accepted": True,
    }


async def test_national_forward_with_the_intake_fake_stops_publication(yuxi):
    app, rw, _, heads, database = yuxi
    intake = app.ctx.national_intake = RecordingIntake()
    app.ctx.clock = at(date(2026, 9, 30))  # the Wednesday before National Day
    client = app.asgi_client
    record, payload = await _national_application(app, rw, heads, database)
    _, res = await client.post("/api/v1/repairs", json=payload, headers=heads["subject"])
    assert res.status == 201, res.text
    receipt = res.json["receipt"]
    assert (
        res.json["status"] == "national_review" and res.json["data"]["route"] == "national_forward"
    )
    assert res.json["data"]["national"]["case_number"] == "XYZG2026000001"
    assert intake.forwarded[0].document_number == record.document_number
    assert intake.forwarded[0].commitment_sha256 == res.json["data"]["commitment"]["sha256"]
    # 3 working days after 09-30: 10-01..10-07 are holidays, 10-08, 10-09, 10-10 (make-up Saturday)
    assert res.json["deadline"]["step_due"] == "2026-10-10"
    # result within 10: 10-08, 09, 10, 12, 13, 14, 15, 16, 19, 20
    assert res.json["deadline"]["due"] == "2026-10-20"
    app.ctx.clock = at(date(2026, 10, 9))
    _, res = await _move(client, receipt, heads["city"], action="approve", reason="同意修复")
    assert res.status == 200 and res.json["status"] == "national_approved", res.text
    assert res.json["deadline"]["step_due"] == "2026-10-13"  # sync: 10-10, 10-12, 10-13
    _, res = await _move(client, receipt, heads["credit"], action="apply")
    assert res.status == 200 and res.json["status"] == "repaired", res.text
    _, detail = await client.get(f"/api/v1/me/records/{record.id}", headers=heads["subject"])
    assert detail.json["status"] == "repaired" and detail.json["published"] is False
    _, report = await client.get("/api/v1/me/report", headers=heads["subject"])
    assert record.document_number not in {i["document_number"] for i in report.json["bad"]}


async def test_manual_national_rejection_reapplication_withdrawal(yuxi):
    app, rw, _, heads, database = yuxi
    app.ctx.clock = at(date(2026, 7, 1))
    client = app.asgi_client
    record, payload = await _national_application(app, rw, heads, database)
    _, early = await client.post("/api/v1/repairs", json=payload, headers=heads["subject"])
    assert early.status == 409 and early.json["error"]["code"] == "repair_not_eligible"
    assert early.json["error"]["details"]["reasons"][0]["code"] == "before_available_from"
    app.ctx.clock = at(date(2026, 7, 2))
    _, res = await client.post("/api/v1/repairs", json=payload, headers=heads["subject"])
    assert res.status == 201 and res.json["status"] == "forwarding", res.text
    receipt = res.json["receipt"]
    _, res = await _move(client, receipt, heads["city"], action="receive")
    assert res.status == 422
    numbers = {"case_number": "XYZG2026999", "query_code": "Q77"}
    _, res = await _move(client, receipt, heads["city"], action="receive", fields=numbers)
    assert res.status == 200 and res.json["status"] == "national_review", res.text
    _, mine = await client.get(f"/api/v1/cases/{receipt}", headers=heads["subject"])
    assert mine.json["data"]["national"]["query_code"] == "Q77"
    _, res = await _move(client, receipt, heads["city"], action="reject")
    assert res.status == 422 and res.json["error"]["code"] == "reason_required"
    _, res = await _move(client, receipt, heads["city"], action="reject", reason="罚款未缴清")
    assert res.status == 200 and res.json["status"] == "rejected"
    _, res = await client.post(
        f"/api/v1/repairs/{receipt}/withdraw", json={}, headers=heads["subject"]
    )
    assert res.status == 409

    _, res = await client.post("/api/v1/repairs", json=payload, headers=heads["subject"])
    assert res.status == 201, res.text
    second = res.json["receipt"]
    assert second != receipt
    more = {"statement": "补充缴款凭证", "evidence": []}
    key = {"idempotency-key": "material-1"}
    for _ in range(2):
        _, res = await client.post(
            f"/api/v1/repairs/{second}/material", json=more, headers=heads["subject"] | key
        )
        assert res.status == 200, res.text
    _, res = await client.post(
        f"/api/v1/repairs/{second}/withdraw", json={}, headers=heads["other"]
    )
    assert res.status == 404
    for _ in range(2):
        _, res = await client.post(
            f"/api/v1/repairs/{second}/withdraw",
            json={"reason": "先不办"},
            headers=heads["subject"],
        )
        assert res.status == 200 and res.json["status"] == "withdrawn", res.text
    _, res = await client.post(
        f"/api/v1/repairs/{second}/material", json=more, headers=heads["subject"]
    )
    assert res.status == 409
    _, res = await client.get(f"/api/v1/me/records/{record.id}/repair", headers=heads["subject"])
    assert res.json["eligible"] is True
    async with opened(database):
        actions = await CaseTransition.filter(case__receipt=second).values_list("action", flat=True)
        assert actions == ["file", "forward", "add_material", "withdraw"]
        assert (await CreditRecord.get(id=record.id)).flags.get("open_case") is None
