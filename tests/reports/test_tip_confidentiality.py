"""A named reporter's name and phone are nowhere but in the sealed row: not in the database (a
PostgreSQL dump, the SQLite file), the captured logs, Redis, notifications, or any answer a
non-custodian can get. The custodian's unseal is the positive control of the search."""

from __future__ import annotations

import json
import logging
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import aiohttp
import redis
from tip_factories import REPORTER_NAME, REPORTER_PHONE, SECRET, otp_code, payload

from handlers.worker import senders
from selfservice import db
from selfservice.notifications.outbox import run_once, utcnow

NEEDLES = (REPORTER_PHONE, REPORTER_NAME)
FORMS = {n: (n, json.dumps(n)[1:-1], json.dumps(n)[1:-1].upper()) for n in NEEDLES}
"""Each needle as written, and as JSON writes it with non-ASCII escaped (``\\u67cf…``)."""


def _found_in(text: str) -> list[str]:
    return [n for n in NEEDLES if any(form in text for form in FORMS[n])]


def _database_text(database_url: str) -> str:
    if database_url.startswith("sqlite://"):
        path = Path(database_url.removeprefix("sqlite://"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        return raw.decode("utf-8", errors="replace")
    dump = subprocess.run(
        ["pg_dump", "--data-only", database_url],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dump.stdout.decode()


def _redis_text(redis_url: str) -> str:
    client = redis.Redis.from_url(redis_url)
    parts = []
    try:
        for key in client.scan_iter(count=500):
            parts.append(key.decode(errors="replace"))
            kind = client.type(key).decode()
            if kind == "string":
                parts.append(client.get(key).decode(errors="replace"))
            elif kind == "hash":
                parts.extend(f"{k}={v}" for k, v in client.hgetall(key).items())
            elif kind in ("list", "set", "zset"):
                parts.append(repr(client.dump(key)))
    finally:
        client.close()
    return "\n".join(parts)


async def test_reporter_identity_is_found_nowhere_but_by_the_custodian(http, caplog, redis_url):
    caplog.set_level(logging.DEBUG)
    app, _, heads, database = http
    client = app.asgi_client
    seen: list[str] = []

    async def get(url, headers=None):
        _, res = await client.get(url, headers=headers or {})
        seen.append(res.text)
        return res

    async def post(url, json=None, headers=None):
        _, res = await client.post(url, json=json, headers=headers or {})
        seen.append(res.text)
        return res

    code = await otp_code(client, caplog)
    named = payload(
        anonymous=False, reporter={"name": REPORTER_NAME, "phone": REPORTER_PHONE, "otp": code}
    )
    filed = await post("/api/v1/tips", named, {"idempotency-key": "k1", "x-device-id": "d1"})
    assert filed.status == 201, filed.text
    receipt, secret = filed.json["receipt"], filed.json["secret"]
    again = await post("/api/v1/tips", named, {"idempotency-key": "k1"})
    assert again.status == 200
    bad = dict(named, reporter={"name": REPORTER_NAME, "phone": REPORTER_PHONE, "otp": "000000"})
    bad["facts"] = "再举报一次：" + named["facts"]
    assert (await post("/api/v1/tips", bad)).status == 422
    assert (
        await post("/api/v1/tips", dict(named, reporter={"phone": REPORTER_PHONE}))
    ).status == 422
    anon = await post("/api/v1/tips", payload(facts="另一件事：" + named["facts"][::-1]))
    assert anon.status == 201

    me = {SECRET: secret}
    await get(f"/api/v1/tips/{receipt}", me)
    await get(f"/api/v1/tips/{receipt}", {SECRET: "WRONG"})
    await post(f"/api/v1/tips/{receipt}/messages", {"body": "补充：每周五晚上最严重"}, me)

    supervisor, handler = heads["supervisor"], heads["handler"]
    for who in ("handler", "supervisor", "credit", "auditor", "admin", "outsider"):
        await get("/api/v1/staff/queue?kind=report&queue=all", heads[who])
        await get(f"/api/v1/staff/cases/{receipt}", heads[who])
        await get(f"/api/v1/staff/tips/{receipt}/messages", heads[who])
        assert (
            await post(f"/api/v1/staff/tips/{receipt}/unseal", {"reason": "想知道是谁"}, heads[who])
        ).status == 403
    await post(f"/api/v1/staff/tips/{receipt}/messages", {"body": "请补充照片"}, supervisor)
    moves = f"/api/v1/staff/cases/{receipt}/transitions"
    assert (await post(moves, {"action": "accept"}, supervisor)).status == 200
    assert (await post(moves, {"action": "investigate"}, supervisor)).status == 200
    concluded = await post(
        moves, {"action": "conclude", "outcome": "substantiated", "reason": "查实"}, supervisor
    )
    assert concluded.status == 200, concluded.text
    record = {
        "action": "create_record",
        "fields": {
            "document_number": "KM市监罚〔2026〕99号",
            "catalogue_class": "administrative_penalty",
            "severity": "general",
            "title": "销售过期食品",
            "finding_date": "2026-11-30",
        },
    }
    created = await post(moves, record, supervisor)
    assert created.status == 200, created.text
    await get(f"/api/v1/tips/{receipt}", me)
    await get(f"/api/v1/staff/cases/{receipt}", handler)

    # the reported party
    party = heads["subject"]
    for url in ("/api/v1/cases", "/api/v1/me/records", "/api/v1/me", "/api/v1/notifications"):
        await get(url, party)
    await get(f"/api/v1/cases/{receipt}", party)

    # the custodian: the positive control
    _, unsealed = await client.post(
        f"/api/v1/staff/tips/{receipt}/unseal",
        json={"reason": "公安机关协查函调取举报人信息"},
        headers=heads["custodian"],
    )
    assert unsealed.status == 200 and _found_in(unsealed.text) == list(NEEDLES)

    # deliver the outbox (in-app lists, the named reporter's SMS), then read the notifications
    await db.connect(database)
    async with aiohttp.ClientSession() as session:
        chosen = senders(app.ctx.settings, session, app.ctx.store)
        counts = await run_once(senders=chosen, worker="t", now=utcnow() + timedelta(minutes=1))
    assert counts.get("delivered", 0) >= 3, counts
    await db.close()
    sms = [r.getMessage() for r in caplog.records if r.name == "selfservice.sms"]
    assert any(receipt in line for line in sms)  # the reporter was told, by a masked number
    for who in ("handler", "supervisor", "credit", "auditor", "admin"):
        await get("/api/v1/notifications", heads[who])

    assert seen and not [t for t in seen if _found_in(t)]
    logs = (
        "\n".join(f"{r.name} {r.getMessage()} {r.__dict__}" for r in caplog.records) + caplog.text
    )
    assert _found_in(logs) == []
    assert _found_in(_redis_text(redis_url)) == []
    assert re.search(r"xy:", _redis_text(redis_url))  # the search does see the store
    dumped = _database_text(database)
    assert receipt in dumped  # the search does see the data
    assert _found_in(dumped) == []
