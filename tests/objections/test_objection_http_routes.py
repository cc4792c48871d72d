"""Objections, progress, staff queue and notifications over HTTP; every route in OpenAPI."""

from __future__ import annotations

import asyncio
import re
import uuid

import aiohttp
import pytest
from objection_factories import make_world
from upload_samples import JPEG

from handlers.worker import senders, work
from selfservice import db
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.policy import load_policy
from selfservice.records.models import CreditRecord
from selfservice.store import MemoryStore


@pytest.fixture
async def http(make_app, database):
    w = await make_world()
    await db.close()
    app = make_app(database)
    settings = app.ctx.settings

    def auth(principal: Principal) -> dict[str, str]:
        token = issue_access_token(settings=settings, principal=principal)
        return {"authorization": f"Bearer {token}"}

    heads = {
        "subject": auth(Principal(kind="subject", subject_id=w.subject.id, scopes=("all",))),
        "other": auth(Principal(kind="subject", subject_id=w.other_subject.id, scopes=("all",))),
        "handler": auth(w.principal(w.handler)),
        "supervisor": auth(w.principal(w.supervisor)),
        "outsider": auth(w.principal(w.outsider)),
    }
    return app, w, heads, database


async def upload(app, headers) -> str:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
        ).encode()
        + JPEG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    ctype = {"content-type": f"multipart/form-data; boundary={boundary}"}
    _, res = await app.asgi_client.post("/api/v1/evidence", content=body, headers=headers | ctype)
    assert res.status == 201, res.text
    return res.json["id"]


async def test_objection_lifecycle_over_http(http):
    app, w, heads, database = http
    client = app.asgi_client
    evidence_id = await upload(app, heads["subject"])
    payload = {
        "record_id": w.record.id,
        "type": "content_wrong",
        "statement": "处罚金额记载错误，应为五百元",
        "evidence": [evidence_id],
    }
    key = {"idempotency-key": "form-submit-1"}
    _, res = await client.post("/api/v1/objections", json=payload, headers=heads["subject"] | key)
    assert res.status == 201, res.text
    receipt = res.json["receipt"]
    assert re.fullmatch(r"YY\d{8}-0001", receipt)
    assert (
        res.json["status_label"] == "待受理" and res.json["handling_department"] == w.provider.name
    )
    assert res.json["next_step"]["by"] == w.provider.name and res.json["deadline"]["due"]
    _, again = await client.post("/api/v1/objections", json=payload, headers=heads["subject"] | key)
    assert again.status == 200 and again.json["receipt"] == receipt
    _, dup = await client.post("/api/v1/objections", json=payload, headers=heads["subject"])
    assert dup.status == 409 and dup.json["error"]["code"] == "objection_already_open"
    _, bad = await client.post(
        "/api/v1/objections", json=payload | {"type": "nonsense"}, headers=heads["subject"]
    )
    assert bad.status == 422

    _, mine = await client.get("/api/v1/cases", headers=heads["subject"])
    assert [c["receipt"] for c in mine.json["items"]] == [receipt]
    _, theirs = await client.get(f"/api/v1/cases/{receipt}", headers=heads["other"])
    assert theirs.status == 404
    _, none = await client.get("/api/v1/cases", headers=heads["other"])
    assert none.json["items"] == []

    _, queue = await client.get("/api/v1/staff/queue?queue=new", headers=heads["handler"])
    assert [c["receipt"] for c in queue.json["items"]] == [receipt]
    _, empty = await client.get("/api/v1/staff/queue?queue=new", headers=heads["outsider"])
    assert empty.json["total"] == 0
    _, page = await client.get(f"/api/v1/staff/cases/{receipt}", headers=heads["handler"])
    assert {a["action"] for a in page.json["allowed"]} == {"accept", "refuse", "assign"}
    assert page.json["record"]["id"] == w.record.id
    assert [e["id"] for e in page.json["evidence"]] == [evidence_id]
    _, hidden = await client.get(f"/api/v1/staff/cases/{receipt}", headers=heads["outsider"])
    assert hidden.status == 404
    # staff entitled to the case may open its evidence; staff elsewhere may not
    _, got = await client.get(f"/api/v1/evidence/{evidence_id}", headers=heads["handler"])
    assert got.status == 200 and got.body == JPEG
    _, nope = await client.get(f"/api/v1/evidence/{evidence_id}", headers=heads["outsider"])
    assert nope.status == 404

    url = f"/api/v1/staff/cases/{receipt}/transitions"
    _, res = await client.post(url, json={"action": "refuse"}, headers=heads["handler"])
    assert res.status == 422 and res.json["error"]["code"] == "reason_required"
    _, res = await client.post(url, json={"action": "decide"}, headers=heads["handler"])
    assert res.status == 409 and res.json["error"]["code"] == "bad_case_transition"
    for body in (
        {"action": "accept"},
        {"action": "forward"},
        {"action": "opinion", "reason": "经核实金额有误"},
        {
            "action": "decide",
            "outcome": "corrected",
            "changes": {"content": "罚款五百元"},
            "reason": "经核实，原记录金额有误，予以更正。",
        },
    ):
        _, res = await client.post(url, json=body, headers=heads["handler"])
        assert res.status == 200, res.text
    assert res.json["status"] == "decided" and res.json["allowed"] == []

    _, view = await client.get(f"/api/v1/cases/{receipt}", headers=heads["subject"])
    assert view.json["status_label"] == "已办结" and view.json["next_step"] is None
    assert view.json["data"]["decision"]["outcome"] == "corrected"
    assert [t["action"] for t in view.json["timeline"]] == [
        "file",
        "accept",
        "forward",
        "opinion",
        "decide",
    ]
    assert view.json["timeline"][3]["reason"] == ""  # the provider's opinion is not shown raw
    assert all("actor_id" not in t for t in view.json["timeline"])
    _, withdraw = await client.post(
        f"/api/v1/objections/{receipt}/withdraw", json={}, headers=heads["subject"]
    )
    assert withdraw.status == 409

    await db.connect(database)
    try:
        record = await CreditRecord.get(id=w.record.id)
        assert record.content == "罚款五百元" and record.under_objection is False
    finally:
        await db.close()

    _, stats = await client.get(
        "/api/v1/staff/statistics?from=2020-01-01&to=2030-12-31", headers=heads["supervisor"]
    )
    assert stats.json["departments"][0]["received"] == 1
    assert stats.json["departments"][0]["decided"] == 1


async def test_material_withdrawal_and_notifications_over_http(http):
    app, w, heads, _ = http
    client = app.asgi_client
    payload = {"record_id": w.record.id, "type": "period_wrong", "statement": "公示期限计算有误"}
    _, res = await client.post("/api/v1/objections", json=payload, headers=heads["subject"])
    receipt = res.json["receipt"]
    evidence_id = await upload(app, heads["subject"])
    _, res = await client.post(
        f"/api/v1/objections/{receipt}/material",
        json={"statement": "补充判决书", "evidence": [evidence_id]},
        headers=heads["subject"],
    )
    assert res.status == 200 and [e["id"] for e in res.json["evidence"]] == [evidence_id]
    _, res = await client.post(
        f"/api/v1/objections/{receipt}/material", json={"statement": "x"}, headers=heads["other"]
    )
    assert res.status == 404
    _, res = await client.post(
        f"/api/v1/objections/{receipt}/withdraw",
        json={"reason": "已解决"},
        headers=heads["subject"],
    )
    assert res.status == 200 and res.json["status"] == "withdrawn"
    # the in-app list fills when the worker delivers the outbox
    await db.connect(app.ctx.settings.database_url)
    try:
        async with aiohttp.ClientSession() as session:
            await work(
                settings=app.ctx.settings,
                session=session,
                store=MemoryStore(),
                policy=load_policy("kunming"),
                stop=asyncio.Event(),
                once=True,
            )
        assert set(senders(app.ctx.settings, session, MemoryStore())) == {"inapp", "sms_tip"}
    finally:
        await db.close()
    _, notes = await client.get("/api/v1/notifications", headers=heads["subject"])
    titles = [n["title"] for n in notes.json["items"]]
    assert titles == ["异议申请已撤回", "异议申请已提交"]
    first = notes.json["items"][0]["id"]
    _, read = await client.post(f"/api/v1/notifications/{first}/read", headers=heads["subject"])
    assert read.status == 200 and read.json["read"] is True
    _, other = await client.post(f"/api/v1/notifications/{first}/read", headers=heads["other"])
    assert other.status == 404


async def test_every_case_route_is_documented(http):
    app, *_ = http
    _, res = await app.asgi_client.get("/docs/openapi.json")
    paths = res.json["paths"]
    expected = {
        "/api/v1/evidence": ["post"],
        "/api/v1/evidence/{evidence_id}": ["get"],
        "/api/v1/objections": ["post"],
        "/api/v1/objections/{receipt}/material": ["post"],
        "/api/v1/objections/{receipt}/withdraw": ["post"],
        "/api/v1/provider/objections/{receipt}/opinion": ["post"],
        "/api/v1/cases": ["get"],
        "/api/v1/cases/{receipt}": ["get"],
        "/api/v1/staff/queue": ["get"],
        "/api/v1/staff/cases/{receipt}": ["get"],
        "/api/v1/staff/cases/{receipt}/transitions": ["post"],
        "/api/v1/staff/statistics": ["get"],
        "/api/v1/notifications": ["get"],
        "/api/v1/notifications/{notification_id}/read": ["post"],
    }
    for path, methods in expected.items():
        assert path in paths, path
        for method in methods:
            op = paths[path][method]
            assert op.get("summary"), path
            codes = set(op["responses"])
            assert {"200"} <= codes or {"201"} <= codes, path
            assert any(c.startswith("4") for c in codes), path
            if method == "post" and path not in ("/api/v1/notifications/{notification_id}/read",):
                assert "requestBody" in op, path
