"""HTTP: own records, detail, summary, report (JSON and PDF), verification, provider push, policy."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from records_helpers import TODAY, uscc

from selfservice import db
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.records.ingest import ingest
from selfservice.records.models import CreditRecord
from selfservice.staff.service import create_provider_key
from selfservice.subjects.models import Subject


@pytest.fixture
async def http(world, make_row, make_app, database, settings):
    rows = [
        # 严重 under 令第58号: published through 2028-06-10 (3 years; the 2026 rule agrees), so it
        # stays live whatever today the app reads (a 一般 one ended 2026-06-10 by the transition)
        make_row(1, finding_date="2025-06-10", severity="severe"),
        make_row(
            1,
            document_number="A-2",
            severity="severe",
            finding_date="2025-09-01",
            measures=["bid_restrict"],
        ),
        make_row(
            1,
            document_number="A-3",
            finding_date="2025-12-01",
            nature="good",
            severity=None,
            measures=["green_channel"],
            validity_end="2028-01-01",
            **{"class": "tax_credit_a", "title": "2025年度纳税信用A级"},
        ),
        make_row(2, document_number="B-1", title="乙公司的处罚", finding_date="2025-01-05"),
    ]
    await ingest(rows=rows, provider=world.market, policy=world.kunming, today=TODAY)
    a = await Subject.get(uscc=uscc(1))
    b = await Subject.get(uscc=uscc(2))

    def token(subject: Subject) -> dict[str, str]:
        principal = Principal(kind="subject", subject_id=subject.id, scopes=("all",), assurance=2)
        tok = issue_access_token(settings=settings, principal=principal)
        return {"Authorization": f"Bearer {tok}"}

    return _Client(make_app(database), database), a, b, token(a), token(b)


class _Client:
    """``asgi_client`` whose app closes the ORM on shutdown: reopen it for the test's own queries."""

    def __init__(self, app, database_url: str) -> None:
        self.app, self.database_url = app, database_url

    async def _call(self, method: str, url: str, **kw):
        result = await getattr(self.app.asgi_client, method)(url, **kw)
        await db.connect(self.database_url)
        return result

    async def get(self, url: str, **kw):
        return await self._call("get", url, **kw)

    async def post(self, url: str, **kw):
        return await self._call("post", url, **kw)


async def test_list_filters_and_paging_show_only_own_records(http):
    app, _, _, auth_a, _ = http
    _, res = await app.get("/api/v1/me/records", headers=auth_a)
    assert res.status == 200
    body = res.json
    assert body["total"] == 3 and {r["document_number"] for r in body["items"]} >= {"A-2", "A-3"}
    assert "乙公司的处罚" not in res.text
    checks = {
        "nature=good": 1,
        "nature=bad": 2,
        "severity=severe": 2,
        "class=tax_credit_a": 1,
        "status=published": 3,
        "status=under_objection": 0,
        "provider=km-amr": 3,
        "provider=km-tax": 0,
        "from=2025-06-11": 2,
        "to=2025-06-10": 1,
    }
    for query, total in checks.items():
        _, res = await app.get(f"/api/v1/me/records?{query}", headers=auth_a)
        assert res.json["total"] == total, query
    _, res = await app.get("/api/v1/me/records?per_page=2&page=2", headers=auth_a)
    assert len(res.json["items"]) == 1 and res.json["total"] == 3
    for bad in ("nature=evil", "per_page=0", "from=yesterday", "status=nope"):
        _, res = await app.get(f"/api/v1/me/records?{bad}", headers=auth_a)
        assert res.status == 422, bad
    _, res = await app.get("/api/v1/me/records")
    assert res.status == 401


async def test_detail_names_rule_measures_history_actions_and_hides_others(http):
    app, _, _, auth_a, auth_b = http
    record = await CreditRecord.get(document_number="A-2")
    _, res = await app.get(f"/api/v1/me/records/{record.id}", headers=auth_a)
    assert res.status == 200
    d = res.json
    assert d["severity_label"] == "严重" and d["class_label"] == "行政处罚"
    assert d["provider"] == "昆明市市场监督管理局" and d["document_number"] == "A-2"
    assert d["repairable_from"] and d["published_through"]
    assert d["period_rule"]["id"] == "record.bad.period" and d["period_rule"]["source"]
    assert d["labels"] == [{"code": "published", "label": "公示中"}]
    assert d["history"][0]["action_label"] == "记录归集"
    assert d["measures"][0]["code"] == "bid_restrict" and d["measures"][0]["in_force"] is True
    assert d["actions"]["objection"]["available"] is True
    other = await CreditRecord.get(document_number="B-1")
    _, res = await app.get(f"/api/v1/me/records/{other.id}", headers=auth_a)
    assert res.status == 404 and "乙公司" not in res.text
    _, res = await app.get(f"/api/v1/me/records/{record.id}", headers=auth_b)
    assert res.status == 404


async def test_under_objection_detail_and_summary_in_kunming(http):
    app, _, _, auth_a, _ = http
    record = await CreditRecord.get(document_number="A-2")
    record.under_objection = True
    record.flags = {
        **record.flags,
        "open_case": {
            "kind": "objection",
            "receipt": "YY20260520-0001",
            "next_deadline": "2026-06-03",
        },
    }
    await record.save()
    _, res = await app.get(f"/api/v1/me/records/{record.id}", headers=auth_a)
    d = res.json
    assert [x["label"] for x in d["labels"]] == ["公示中", "异议处理中"]
    assert d["measures"][0]["state"] == "suspended"
    assert d["actions"]["repair"]["available"] is False
    assert "YY20260520-0001" in d["actions"]["repair"]["reason"]
    _, res = await app.get("/api/v1/me/summary", headers=auth_a)
    s = res.json
    assert s["total"] == 3 and s["by_nature"] == {"good": 1, "bad": 2}
    assert s["by_status"]["under_objection"] == 1
    assert s["open_cases"][0]["receipt"] == "YY20260520-0001"
    assert s["open_cases"][0]["next_deadline"] == "2026-06-03"
    assert [m["code"] for m in s["measures_suspended"]] == ["bid_restrict"]
    assert sorted(m["code"] for m in s["measures_in_force"]) == [
        "green_channel",
        "strict_supervision",
    ]
    assert s["lists"][0]["label"].startswith("严重失信主体名单") and s["lists"][0]["active"]


async def test_report_json_pdf_and_verification(http):
    app, a, b, auth_a, auth_b = http
    _, res = await app.get("/api/v1/me/report?years=3", headers=auth_a)
    assert res.status == 200
    report = res.json
    assert report["subject"]["name"] == a.name and report["counts"]["bad"] == 2
    assert "乙公司的处罚" not in res.text
    code = report["verification"]["code"]
    url = report["verification"]["url"]
    assert url.startswith("http") and url.endswith(f"/api/v1/reports/verify/{code}")
    assert "详见下表" not in report["statement"] and "一、不良信用信息" in report["statement"]
    _, res = await app.get(f"/api/v1/reports/verify/{code}")
    assert res.status == 200 and res.json["valid"] and res.json["subject_name"] == a.name
    assert res.json["digest"] == report["verification"]["digest"]
    _, res = await app.get("/api/v1/reports/verify/AAAA-BBBB-CCCC-DDDD")
    assert res.status == 404
    # a third party's verification is in A's access log, not in B's
    _, res = await app.get("/api/v1/me/access-log", headers=auth_a)
    assert any(e["action"] == "credit_report.verified" for e in res.json["items"])
    _, res = await app.get("/api/v1/me/access-log", headers=auth_b)
    assert not res.json["items"]

    _, res = await app.get("/api/v1/me/report?years=5&format=pdf", headers=auth_a)
    assert res.status == 200 and res.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(res.body)).pages)
    assert a.name in text and "未按规定公示年度报告" in text and "2025年度纳税信用A级" in text
    assert "乙公司" not in text and "验证码" in text and "详见下表" not in text
    assert "验证地址：http" in text.replace("\n", "")
    pdf_code = text.split("验证码：")[1].split()[0]
    _, res = await app.get(f"/api/v1/reports/verify/{pdf_code}")
    assert res.status == 200
    _, res = await app.get("/api/v1/me/report", headers={**auth_b, "Accept": "application/pdf"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(res.body)).pages)
    assert b.name in text and a.name not in text and "未按规定公示年度报告" not in text
    for years in ("0", "6", "x"):
        _, res = await app.get(f"/api/v1/me/report?years={years}", headers=auth_a)
        assert res.status == 422


async def test_repaired_items_are_labelled_in_the_report(http):
    app, _, _, auth_a, _ = http
    await CreditRecord.filter(document_number="A-2").update(status="repaired")
    _, res = await app.get("/api/v1/me/report", headers=auth_a)
    repaired = [i for i in res.json["bad"] if i["document_number"] == "A-2"]
    assert repaired[0]["labels"] == ["已修复"] and res.json["counts"]["repaired"] == 1


async def test_policy_is_public_and_names_sources(http):
    app = http[0]
    _, res = await app.get("/api/v1/policy")
    assert res.status == 200 and res.json["jurisdiction"] == "kunming"
    rules = {r["id"]: r for r in res.json["rules"]}
    assert rules["objection.suspend_measures_while_pending"]["value"] is True
    assert "任务19" in rules["objection.suspend_measures_while_pending"]["source"]
    _, res = await app.get("/api/v1/policy?on=2025-01-01")
    rules = {r["id"]: r for r in res.json["rules"]}
    assert rules["record.bad.period"]["effective_to"] == "2026-03-31"
    _, res = await app.get("/api/v1/policy?on=soon")
    assert res.status == 422


async def test_provider_push_with_api_key(http, world, make_row, make_app, redis_url):
    # the idempotency cache lives in the shared store: Redis, since each test request restarts the app
    app = _Client(make_app(http[0].database_url, redis_url=redis_url), http[0].database_url)
    key = await create_provider_key(department=world.tax, name="税务系统", created_by=None)
    headers = {"X-Api-Key": key.secret, "Idempotency-Key": "batch-1"}
    rows = [make_row(30, document_number="T-1"), make_row(31, document_number="T-2", nature="x")]
    _, res = await app.post("/api/v1/provider/records", json={"rows": rows}, headers=headers)
    assert res.status == 200, res.text
    assert res.json["counts"] == {"created": 1, "error": 1}
    assert res.json["rows"][1]["errors"][0]["field"] == "nature"
    _, again = await app.post("/api/v1/provider/records", json={"rows": rows}, headers=headers)
    assert again.json == res.json and again.headers.get("idempotent-replay") == "true"
    _, replay = await app.post(
        "/api/v1/provider/records", json={"rows": rows[:1]}, headers={"X-Api-Key": key.secret}
    )
    assert replay.json["counts"] == {"unchanged": 1}
    record = await CreditRecord.get(document_number="T-1").prefetch_related("provider")
    assert record.provider.code == "km-tax"
    _, res = await app.post(
        "/api/v1/provider/records",
        json={"rows": [make_row(32, document_number="T-3"), rows[1]], "all_or_nothing": True},
        headers={"X-Api-Key": key.secret},
    )
    assert res.status == 422 and not await CreditRecord.filter(document_number="T-3").exists()
    _, res = await app.post(
        "/api/v1/provider/records", json={"rows": rows}, headers={"X-Api-Key": "xy_nope"}
    )
    assert res.status == 401
    _, res = await app.post(
        "/api/v1/provider/records", json={"rows": []}, headers={"X-Api-Key": key.secret}
    )
    assert res.status == 422
