"""Tips over HTTP: anonymous and named filing, follow-up with receipt + secret, the thread,
unsealing, rate limits and replays (both databases)."""

from __future__ import annotations

import logging
import re
import time
import uuid

import pytest
from tip_factories import (
    FACTS,
    REPORTER_NAME,
    REPORTER_PHONE,
    SECRET,
    make_tip_world,
    otp_code,
    payload,
)
from upload_samples import noise_jpeg

from selfservice import db
from selfservice.audit.models import AuditLog
from selfservice.notifications.models import OutboxMessage
from selfservice.reports import service

JPEG = noise_jpeg(15)


def multipart() -> tuple[bytes, dict[str, str]]:
    boundary = uuid.uuid4().hex
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n\r\n'
    body = head.encode() + JPEG + f"\r\n--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


async def test_anonymous_tip_followed_with_receipt_and_secret(http):
    app, _tw, _heads, _ = http
    client = app.asgi_client
    _, res = await client.post("/api/v1/tips", json=payload())
    assert res.status == 201, res.text
    receipt, secret = res.json["receipt"], res.json["secret"]
    assert re.fullmatch(r"JB\d{8}-0001", receipt) and re.fullmatch(
        r"([A-Z2-9]{4}-){4}[A-Z2-9]{4}", secret
    )
    assert res.json["named"] is False and res.json["feedback_due"]
    _, view = await client.get(f"/api/v1/tips/{receipt}", headers={SECRET: secret})
    assert view.status == 200, view.text
    assert view.json["status_label"] == "已收到"
    assert view.json["handling_department"] == "五华区市场监督管理局"
    assert view.json["messages"][0]["from"] == "platform"
    _, lower = await client.get(
        f"/api/v1/tips/{receipt}", headers={SECRET: secret.lower().replace("-", "")}
    )
    assert lower.status == 200

    _, wrong = await client.get(f"/api/v1/tips/{receipt}", headers={SECRET: "AAAA-BBBB"})
    _, unknown = await client.get("/api/v1/tips/JB20991231-9999", headers={SECRET: secret})
    _, garbage = await client.get("/api/v1/tips/nonsense", headers={SECRET: secret})
    _, missing = await client.get(f"/api/v1/tips/{receipt}")
    for answer in (wrong, unknown, garbage, missing):
        assert (answer.status, answer.json) == (wrong.status, wrong.json) == (404, wrong.json)
    assert wrong.json["error"]["code"] == "tip_not_found"


async def test_wrong_secrets_lock_the_receipt_and_the_address(http):
    app, _, _, _ = http
    client = app.asgi_client
    _, res = await client.post("/api/v1/tips", json=payload())
    receipt, secret = res.json["receipt"], res.json["secret"]
    limit = service.LIMITS["wrong_receipt"].limit
    for _ in range(limit):
        _, wrong = await client.get(f"/api/v1/tips/{receipt}", headers={SECRET: "WRONG"})
        assert wrong.status == 404
    _, locked = await client.get(f"/api/v1/tips/{receipt}", headers={SECRET: secret})
    assert locked.status == 429 and locked.json["error"]["code"] == "tip_locked"
    for _ in range(limit):
        await client.get("/api/v1/tips/JB20991231-0001", headers={SECRET: "WRONG"})
    _, unknown_locked = await client.get("/api/v1/tips/JB20991231-0001", headers={SECRET: "X"})
    assert (unknown_locked.status, unknown_locked.json) == (locked.status, locked.json)
    # the address: wrong secrets spread over many receipts
    for n in range(service.LIMITS["wrong_address"].limit):
        await client.get(f"/api/v1/tips/JB20991230-{n:04d}", headers={SECRET: "WRONG"})
    _, fresh = await client.post("/api/v1/tips", json=payload(facts=FACTS[::-1]))
    _, by_address = await client.get(
        f"/api/v1/tips/{fresh.json['receipt']}", headers={SECRET: fresh.json["secret"]}
    )
    assert by_address.status == 429


async def test_wrong_secret_and_unknown_receipt_take_similar_time(database, settings):
    from tip_factories import file

    from selfservice.store import MemoryStore

    await make_tip_world()
    filed = await file(settings)

    async def timed(receipt: str) -> float:
        start = time.perf_counter()
        with pytest.raises(service.TipNotFound):
            await service.follow(
                receipt=receipt, secret="WRONG", settings=settings, store=MemoryStore()
            )
        return time.perf_counter() - start

    known = min([await timed(filed.case.receipt) for _ in range(3)])
    unknown = min([await timed("JB20991231-0001") for _ in range(3)])
    assert 0.33 < known / unknown < 3


async def test_the_two_way_thread(http):
    app, tw, heads, _ = http
    client = app.asgi_client
    _, res = await client.post("/api/v1/tips", json=payload(region_code=""))
    receipt, secret = res.json["receipt"], res.json["secret"]
    handler = heads["handler"]
    url = f"/api/v1/staff/tips/{receipt}/messages"
    _, asked = await client.post(url, json={"body": "请问具体是哪一天购买的？"}, headers=handler)
    assert asked.status == 200, asked.text
    _, outsider = await client.post(url, json={"body": "?"}, headers=heads["outsider"])
    assert outsider.status == 404
    _, view = await client.get(f"/api/v1/tips/{receipt}", headers={SECRET: secret})
    assert view.json["messages"][-1] == view.json["messages"][-1] | {
        "from": "staff",
        "from_label": "处理部门",
        "body": "请问具体是哪一天购买的？",
    }
    body, ctype = multipart()
    _, denied = await client.post(
        f"/api/v1/tips/{receipt}/evidence", content=body, headers=ctype | {SECRET: "WRONG"}
    )
    assert denied.status == 404
    _, up = await client.post(
        f"/api/v1/tips/{receipt}/evidence", content=body, headers=ctype | {SECRET: secret}
    )
    assert up.status == 201, up.text
    answer = {"body": "11月28日晚上，小票在附件里", "evidence": [up.json["id"]]}
    _, added = await client.post(
        f"/api/v1/tips/{receipt}/messages", json=answer, headers={SECRET: secret}
    )
    assert added.status == 200, added.text
    assert added.json["messages"][-1]["from"] == "reporter"
    assert added.json["evidence"][0]["id"] == up.json["id"]
    _, bad = await client.post(
        f"/api/v1/tips/{receipt}/messages", json=answer, headers={SECRET: "WRONG"}
    )
    assert bad.status == 404
    _, thread = await client.get(url, headers=handler)
    assert [m["from"] for m in thread.json["messages"]] == ["platform", "staff", "reporter"]
    _, page = await client.get(f"/api/v1/staff/cases/{receipt}", headers=handler)
    assert page.json["evidence"][0]["id"] == up.json["id"]
    _, file_back = await client.get(f"/api/v1/evidence/{up.json['id']}", headers=handler)
    assert file_back.status == 200
    await db.connect(app.ctx.settings.database_url)
    notes = await OutboxMessage.filter(template="tip_message").values_list(
        "department_id", flat=True
    )
    assert notes == [tw.w.provider.id]
    await db.close()


async def test_named_filing_with_a_code_and_replay(http, caplog):
    app, _tw, _heads, _ = http
    client = app.asgi_client
    code = await otp_code(client, caplog)
    named = payload(
        anonymous=False, reporter={"name": REPORTER_NAME, "phone": REPORTER_PHONE, "otp": code}
    )
    key = {"idempotency-key": "tip-form-1"}
    _, res = await client.post("/api/v1/tips", json=named, headers=key)
    assert res.status == 201, res.text
    assert res.json["named"] is True and res.json["secret"]
    _, again = await client.post("/api/v1/tips", json=named, headers=key)
    assert again.status == 200
    assert (again.json["receipt"], again.json["secret"]) == (
        res.json["receipt"],
        res.json["secret"],
    )
    _, reused = await client.post("/api/v1/tips", json=payload(facts=FACTS + "补充"), headers=key)
    assert reused.status == 409
    _, stale = await client.post("/api/v1/tips", json=named | {"facts": FACTS + "。"})
    assert stale.status == 422 and stale.json["error"]["code"] == "otp_invalid"
    _, nocode = await client.post("/api/v1/tips", json=payload(anonymous=False))
    assert nocode.status == 422


async def test_a_signed_in_user_chooses_named_or_anonymous(http, caplog):
    from selfservice.accounts.models import Account
    from selfservice.evidence.models import Evidence
    from selfservice.reports import seal
    from selfservice.reports.models import Tip, TipReporter

    app, tw, heads, _ = http
    client = app.asgi_client
    body, ctype = multipart()
    _, up = await client.post("/api/v1/evidence", content=body, headers=heads["subject"] | ctype)
    assert up.status == 201, up.text
    with_file = payload(evidence=[up.json["id"]])
    _, anon = await client.post("/api/v1/tips", json=with_file, headers=heads["subject"])
    assert anon.status == 201 and anon.json["named"] is False
    _, view = await client.get(
        f"/api/v1/tips/{anon.json['receipt']}", headers={SECRET: anon.json["secret"]}
    )
    assert [e["id"] for e in view.json["evidence"]] == [up.json["id"]]
    code = await otp_code(client, caplog)
    named = payload(
        facts=FACTS[::-1],
        anonymous=False,
        reporter={"name": REPORTER_NAME, "phone": REPORTER_PHONE, "otp": code},
    )
    _, res = await client.post("/api/v1/tips", json=named, headers=heads["subject"])
    assert res.status == 201 and res.json["named"] is True
    _, mine = await client.get("/api/v1/cases", headers=heads["subject"])
    assert mine.json["items"] == []  # a tip is nobody's case: no subject is linked to it
    await db.connect(app.ctx.settings.database_url)
    tips = {t.case_id: t for t in await Tip.all().select_related("case")}
    assert all(t.case.subject_id is None and t.case.account_id is None for t in tips.values())
    row = await TipReporter.get()
    reporter = seal.unseal(row.sealed, key=app.ctx.settings.report_seal_key, tip_id=row.tip_id)
    assert reporter.account_id == (await Account.get(subject_id=tw.w.subject.id)).id
    adopted = await Evidence.get(id=up.json["id"])  # the file no longer points to its uploader
    assert (adopted.owner, adopted.subject_id) == (f"reporter:{anon.json['receipt']}", None)
    await db.close()


async def test_unseal_by_the_custodian_only(http, caplog):
    app, tw, heads, _ = http
    client = app.asgi_client
    code = await otp_code(client, caplog)
    named = payload(
        anonymous=False, reporter={"name": REPORTER_NAME, "phone": REPORTER_PHONE, "otp": code}
    )
    _, res = await client.post("/api/v1/tips", json=named)
    receipt = res.json["receipt"]
    url = f"/api/v1/staff/tips/{receipt}/unseal"
    reason = {"reason": "司法机关依法调取举报人信息（协查函2026-18号）"}
    for role in ("handler", "supervisor", "credit", "auditor", "admin", "outsider"):
        _, refused = await client.post(url, json=reason, headers=heads[role])
        assert refused.status == 403, role
        assert REPORTER_PHONE not in refused.text and REPORTER_NAME not in refused.text
    _, anonymous_caller = await client.post(url, json=reason)
    assert anonymous_caller.status == 401
    _, no_reason = await client.post(url, json={"reason": ""}, headers=heads["custodian"])
    assert no_reason.status == 422
    _, ok = await client.post(url, json=reason, headers=heads["custodian"])
    assert ok.status == 200, ok.text
    assert ok.json["reporter"] == {
        "name": REPORTER_NAME,
        "phone": REPORTER_PHONE,
        "account_id": None,
    }
    _, anon = await client.post("/api/v1/tips", json=payload(facts=FACTS[::-1]))
    _, nothing = await client.post(
        f"/api/v1/staff/tips/{anon.json['receipt']}/unseal", json=reason, headers=heads["custodian"]
    )
    assert nothing.status == 404 and nothing.json["error"]["code"] == "tip_anonymous"

    await db.connect(app.ctx.settings.database_url)
    entry = await AuditLog.get(action="report.unseal")
    assert entry.target == receipt and entry.purpose == reason["reason"]
    assert entry.actor_role == "report_custodian"
    told = await OutboxMessage.filter(template="tip_unsealed").values_list("staff_id", "body")
    assert [s for s, _ in told] == [tw.w.supervisor.id]
    assert all(REPORTER_NAME not in b and REPORTER_PHONE not in b for _, b in told)
    await db.close()


async def test_filing_is_rate_limited_per_device_and_per_phone(http, caplog):
    app, _, _, _ = http
    client = app.asgi_client
    device = {"x-device-id": "dev-1"}
    limit = service.LIMITS["file_device"].limit
    for n in range(limit):
        _, res = await client.post(
            "/api/v1/tips", json=payload(facts=f"{n}号" + FACTS[n:]), headers=device
        )
        assert res.status == 201, res.text
    _, over = await client.post(
        "/api/v1/tips", json=payload(facts="又一件" + FACTS), headers=device
    )
    assert over.status == 429 and over.json["error"]["code"] == "tip_rate_limited"
    _, other = await client.post(
        "/api/v1/tips", json=payload(facts="又一件" + FACTS), headers={"x-device-id": "dev-2"}
    )
    assert other.status == 201


async def test_named_filing_is_rate_limited_per_phone(database, settings):
    from tip_factories import file

    from selfservice.store import MemoryStore

    class Clock:
        now = 1000.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    store = MemoryStore(clock=clock)
    await make_tip_world()
    for n in range(service.LIMITS["file_phone"].limit):
        filed = await file(settings, store, named=True, facts=f"第{n}件：" + FACTS[::-1])
        assert filed.created
        clock.now += 61  # the code's own resend window
    with pytest.raises(service.TipRateLimited):
        await file(settings, store, named=True, facts="又一件：" + FACTS)


async def test_size_limits(http):
    app, _, _, _ = http
    client = app.asgi_client
    _, long = await client.post("/api/v1/tips", json=payload(facts="长" * 5001))
    assert long.status == 422
    _, short = await client.post("/api/v1/tips", json=payload(facts="太短了"))
    assert short.status == 422
    _, undeclared = await client.post("/api/v1/tips", json=payload(declaration=False))
    assert undeclared.status == 422
    _, res = await client.post("/api/v1/tips", json=payload())
    _, big = await client.post(
        f"/api/v1/tips/{res.json['receipt']}/messages",
        json={"body": "多" * 2001},
        headers={SECRET: res.json["secret"]},
    )
    assert big.status == 422


async def test_every_tip_route_is_documented(http):
    app, _, _, _ = http
    _, doc = await app.asgi_client.get("/docs/openapi.json")
    paths = doc.json["paths"]
    for path in (
        "/api/v1/tips",
        "/api/v1/tips/otp",
        "/api/v1/tips/{receipt}",
        "/api/v1/tips/{receipt}/messages",
        "/api/v1/tips/{receipt}/evidence",
        "/api/v1/staff/tips/{receipt}/messages",
        "/api/v1/staff/tips/{receipt}/unseal",
    ):
        assert path in paths, path


def test_access_log_lines_of_tip_routes_omit_the_address():
    from handlers.logging import AccessFormatter, ConfidentialAccessFilter

    def record(url: str) -> logging.LogRecord:
        rec = logging.LogRecord("sanic.access", logging.INFO, "", 0, "", (), None)
        rec.request, rec.host, rec.status, rec.byte = f"GET {url}", "203.0.113.9:5555", 200, 10
        return rec

    tip = record("http://x/api/v1/tips/JB20261202-0001?a=1")
    assert ConfidentialAccessFilter().filter(tip) and tip.host == "-"
    line = AccessFormatter("%(message)s").format(tip)
    assert "203.0.113.9" not in line and line.startswith("GET /api/v1/tips/JB20261202-0001 200")
    other = record("http://x/healthz")
    ConfidentialAccessFilter().filter(other)
    assert other.host == "203.0.113.9:5555"
