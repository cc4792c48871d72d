"""Pledges over HTTP: templates, signing, material, withdrawal, PDF, summary, report, the wall."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from pledge_factories import PERSONAL, VALUES, make_world
from pypdf import PdfReader
from test_objection_http_routes import upload

from selfservice import db
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.cases import sweeps
from selfservice.clock import fixed
from selfservice.demo.data import CITIZENS, ENTERPRISES, resident_id
from selfservice.demo.loader import load_demo
from selfservice.policy import load_policy

ON = datetime(2026, 9, 29, 2, tzinfo=UTC)  # 10:00 in Beijing, Tuesday 2026-09-29


@pytest.fixture
async def http(make_app, database):
    w = await make_world()
    await db.close()
    app = make_app(database)
    app.ctx.clock = fixed(ON)
    settings = app.ctx.settings

    def auth(principal: Principal) -> dict[str, str]:
        return {
            "authorization": f"Bearer {issue_access_token(settings=settings, principal=principal)}"
        }

    heads = {
        "rep": auth(w.principal()),
        "citizen": auth(w.principal(w.citizen)),
        "agent": auth(w.agent()),
        "reader": auth(w.agent(scopes=("records:read", "progress"))),
        "handler": auth(w.staff(w.handler)),
    }
    return app, w, heads


def _clean(body: bytes | str) -> None:
    text = body if isinstance(body, str) else body.decode()
    for value in PERSONAL:
        assert value not in text, value


async def _sign(client, heads, kind, *, who="rep", publish=True, key=None, department=None):
    payload = {"type": kind, "values": VALUES[kind], "publish": publish}
    if department is not None:
        payload["department_id"] = department
    extra = {"idempotency-key": key} if key else {}
    return await client.post("/api/v1/pledges", json=payload, headers=heads[who] | extra)


async def test_templates_are_public_and_complete(http):
    app, _, _ = http
    _, res = await app.asgi_client.get("/api/v1/pledges/templates")
    assert res.status == 200
    items = {t["code"]: t for t in res.json["items"]}
    assert [t["short"] for t in res.json["items"]] == [
        "审批替代型",
        "容缺受理型",
        "证明事项型",
        "信用修复型",
        "行业自律型",
        "主动型",
        "其他",
    ]
    for t in items.values():
        assert t["consent_clause"] and t["liability_clause"] and t["fields"]
    days = next(f for f in items["missing_materials"]["fields"] if f["kind"] == "working_days")
    assert days["max"] == 20 and days["rule"] == "pledge.missing_materials.max_days"
    assert items["public"]["publish"] == "always" and items["notify"]["simplified_procedure"]


async def test_sign_retry_view_cases_and_pdf(http):
    app, w, heads = http
    client = app.asgi_client
    _, res = await _sign(client, heads, "notify", key="sign-1", department=w.market.id)
    assert res.status == 201, res.text
    receipt = res.json["receipt"]
    assert re.fullmatch(r"CN20260929-0001", receipt)
    assert res.json["status"] == "active" and res.json["department"] == w.market.name
    assert res.json["signer"] == {"role": "legal_representative", "role_label": "法定代表人"}
    _, again = await _sign(client, heads, "notify", key="sign-1", department=w.market.id)
    assert again.status == 200 and again.json["receipt"] == receipt
    _, res = await client.get(f"/api/v1/pledges/{receipt}", headers=heads["rep"])
    assert res.status == 200 and res.json["text_sha256"]
    text = res.json["text"]
    _, res = await client.get(f"/api/v1/pledges/{receipt}", headers=heads["citizen"])
    assert res.status == 404
    _, res = await client.get("/api/v1/cases", headers=heads["rep"])
    assert [(c["receipt"], c["kind"]) for c in res.json["items"]] == [(receipt, "pledge")]
    _, res = await client.get(f"/api/v1/cases/{receipt}", headers=heads["rep"])
    assert res.status == 200 and res.json["kind_label"] == "信用承诺"
    assert res.json["data"]["type"] == "notify"
    _, res = await client.get(f"/api/v1/pledges/{receipt}/pdf", headers=heads["rep"])
    assert res.status == 200 and res.headers["content-type"] == "application/pdf"
    extracted = "".join(p.extract_text() for p in PdfReader(io.BytesIO(res.body)).pages)
    flat = re.sub(r"\s+", "", extracted)
    for paragraph in text.split("\n"):
        assert re.sub(r"\s+", "", paragraph) in flat
    assert receipt in flat and "李明" in flat
    _, res = await client.get(f"/api/v1/pledges/{receipt}/pdf", headers=heads["citizen"])
    assert res.status == 404


async def test_agent_scope_is_checked_on_every_pledge_route(http):
    app, _, heads = http
    client = app.asgi_client
    _, res = await _sign(client, heads, "public", who="reader")
    assert res.status == 403
    _, res = await _sign(client, heads, "public", who="agent")
    assert res.status == 201 and res.json["signer"]["role"] == "agent"
    receipt = res.json["receipt"]
    for path in (f"/api/v1/pledges/{receipt}", f"/api/v1/pledges/{receipt}/pdf"):
        _, res = await client.get(path, headers=heads["reader"])
        assert res.status == 403
    for url in (
        f"/api/v1/pledges/{receipt}/withdraw",
        f"/api/v1/cases/{receipt}/withdraw",  # the pledge scope, checked by the domain
        f"/api/v1/cases/{receipt}/material",
    ):
        _, res = await client.post(url, json={"statement": "补充"}, headers=heads["reader"])
        assert res.status == 403 and res.json["error"]["code"] == "agent_scope_denied", url
    _, res = await client.post(f"/api/v1/cases/{receipt}/withdraw", json={}, headers=heads["agent"])
    assert res.status == 200 and res.json["status"] == "withdrawn"


async def test_missing_materials_upload_and_staff_confirmation(http):
    app, w, heads = http
    client = app.asgi_client
    _, res = await _sign(client, heads, "missing_materials", publish=False, department=w.market.id)
    receipt = res.json["receipt"]
    assert res.json["due_on"] == "2026-10-08"
    evidence = await upload(app, heads["rep"])
    url = f"/api/v1/pledges/{receipt}/material"
    _, res = await client.post(
        url, json={"statement": "补交", "evidence": [evidence]}, headers=heads["rep"]
    )
    assert res.status == 200, res.text
    _, res = await client.get(f"/api/v1/cases/{receipt}", headers=heads["rep"])
    assert [e["id"] for e in res.json["evidence"]] == [evidence]
    _, page = await client.get(f"/api/v1/staff/cases/{receipt}", headers=heads["handler"])
    assert "fulfil" in {a["action"] for a in page.json["allowed"]}
    assert page.json["data"]["values"]["missing_materials"] == ["从业人员健康证明", "消毒设施照片"]
    assert [e["id"] for e in page.json["evidence"]] == [evidence]
    transitions = f"/api/v1/staff/cases/{receipt}/transitions"
    _, res = await client.post(transitions, json={"action": "fulfil"}, headers=heads["handler"])
    assert res.status == 200 and res.json["status"] == "fulfilled", res.text
    _, res = await client.post(url, json={"statement": "再补"}, headers=heads["rep"])
    assert res.status == 409


async def test_breach_shows_in_summary_report_and_cases(http):
    app, w, heads = http
    client = app.asgi_client
    _, res = await _sign(client, heads, "missing_materials", publish=False, department=w.market.id)
    receipt = res.json["receipt"]
    await _sign(client, heads, "public")
    await db.connect(app.ctx.settings.database_url)
    try:
        counts = await sweeps.sweep(today=date(2026, 10, 9), policy=load_policy("kunming"))
    finally:
        await db.close()
    assert counts["pledges_breach_suspected"] == 1
    _, res = await client.get("/api/v1/staff/queue?kind=pledge", headers=heads["handler"])
    assert receipt in {c["receipt"] for c in res.json["items"]}
    transitions = f"/api/v1/staff/cases/{receipt}/transitions"
    body = {"action": "breach", "reason": "逾期未补齐材料", "fields": {"severity": "general"}}
    _, res = await client.post(transitions, json=body, headers=heads["handler"])
    assert res.status == 200 and res.json["status"] == "breached", res.text
    _, res = await client.get("/api/v1/me/summary", headers=heads["rep"])
    pledges = res.json["pledges"]
    flag = pledges["no_simplified_procedure"]
    assert (
        flag["active"] and flag["ends_on"] and flag["rule_id"] == "pledge.simplified_procedure_bar"
    )
    assert pledges["by_status"]["breached"] == 1 and len(pledges["open"]) == 1
    _, res = await client.get("/api/v1/me/records", headers=heads["rep"])
    assert any("违背信用承诺" in r["title"] for r in res.json["items"])
    _, res = await client.get("/api/v1/me/report", headers=heads["rep"])
    kept = {p["receipt"]: p["kept"] for p in res.json["pledges"]}
    assert kept[receipt] == "违背承诺" and "履约中" in kept.values()
    _, res = await _sign(client, heads, "notify", department=w.market.id)
    assert res.status == 409 and res.json["error"]["code"] == "simplified_procedure_barred"
    _, res = await client.get("/api/v1/me/report?format=pdf", headers=heads["rep"])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(res.body)).pages)
    assert "信用承诺及履约情况" in text and "违背承诺" in text


async def test_wall_search_paging_withdrawal_and_no_personal_data(http):
    app, w, heads = http
    client = app.asgi_client
    receipts = []
    for kind in ("public", "industry", "other"):
        _, res = await _sign(client, heads, kind)
        receipts.append(res.json["receipt"])
    await _sign(client, heads, "notify", publish=False, department=w.market.id)
    _, res = await _sign(client, heads, "public", who="citizen")
    citizen_receipt = res.json["receipt"]
    _, res = await client.get("/api/v1/public/pledges")
    assert res.status == 200 and res.json["total"] == 4
    _clean(res.body)
    item = next(i for i in res.json["items"] if i["receipt"] == citizen_receipt)
    assert item["name"] == "张**" and item["code"] is None and item["text"].startswith("张**")
    company = next(i for i in res.json["items"] if i["receipt"] == receipts[0])
    assert company["name"] == w.enterprise.name and company["code"] == w.enterprise.uscc
    assert company["status_label"] == "履约中" and company["type_label"] == "主动型（公开承诺）"
    for q, total in (("测试餐饮", 3), (w.enterprise.uscc[:10], 3), ("张三丰", 0), ("张", 0)):
        _, res = await client.get("/api/v1/public/pledges", params={"q": q})
        assert res.json["total"] == total and res.json["q"] == q, q
        _clean(json.dumps(res.json["items"], ensure_ascii=False))  # q echoes the caller's own text
    _, page1 = await client.get("/api/v1/public/pledges", params={"per_page": 3})
    _, page2 = await client.get("/api/v1/public/pledges", params={"per_page": 3, "page": 2})
    seen = [i["receipt"] for i in page1.json["items"] + page2.json["items"]]
    assert len(page1.json["items"]) == 3 and len(seen) == len(set(seen)) == 4
    for bad in ({"per_page": 0}, {"per_page": 51}, {"page": "x"}):
        _, res = await client.get("/api/v1/public/pledges", params=bad)
        assert res.status == 422
    _, res = await client.post(
        f"/api/v1/pledges/{receipts[1]}/withdraw", json={}, headers=heads["rep"]
    )
    assert res.status == 200 and res.json["status"] == "withdrawn"
    _, res = await client.get("/api/v1/public/pledges")
    assert res.json["total"] == 3 and receipts[1] not in res.text
    _, res = await client.get("/api/v1/pledges/templates")
    _clean(res.body)


async def test_demo_wall_is_not_empty_and_has_no_personal_data(make_app, database):
    await load_demo(today=date(2026, 11, 20))
    await load_demo(today=date(2026, 11, 21))  # idempotent: the same pledges
    await db.close()
    app = make_app(database)
    _, res = await app.asgi_client.get("/api/v1/public/pledges?per_page=50")
    assert res.status == 200 and res.json["total"] >= 4
    assert len({i["receipt"] for i in res.json["items"]}) == res.json["total"]
    personal = []
    for _, _, _, _, rep, rep_id, phone, _ in ENTERPRISES:
        personal += [rep, resident_id(rep_id), phone]
    for _, name, number, phone, _ in CITIZENS:
        personal += [name, number if len(number) == 18 else resident_id(number), phone]
    for q in ("", "昆明", "9153"):
        _, res = await app.asgi_client.get(
            "/api/v1/public/pledges", params={"q": q, "per_page": 50}
        )
        for value in personal:
            assert value not in res.text, value
    _, res = await app.asgi_client.get("/api/v1/public/pledges", params={"per_page": 50})
    citizen = next(i for i in res.json["items"] if i["subject_kind"] == "natural_person")
    assert citizen["name"] == "张*" and citizen["code"] is None


async def test_openapi_documents_the_pledge_routes(http):
    app, _, _ = http
    _, res = await app.asgi_client.get("/docs/openapi.json")
    paths = res.json["paths"]
    for path in (
        "/api/v1/pledges/templates",
        "/api/v1/pledges",
        "/api/v1/pledges/{receipt}",
        "/api/v1/pledges/{receipt}/pdf",
        "/api/v1/pledges/{receipt}/material",
        "/api/v1/pledges/{receipt}/withdraw",
        "/api/v1/public/pledges",
    ):
        assert path in paths, path
