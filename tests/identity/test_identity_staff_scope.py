"""Staff sign-in, role guards, department scoping (county children) and provider API keys."""

from __future__ import annotations

from datetime import date

import pytest
from identity_support import PASSWORD, make_staff, seed_registry, staff_token

from selfservice.enums import Nature
from selfservice.records.models import CreditRecord
from selfservice.staff.models import ProviderKey


async def _record(subject, provider, doc: str) -> CreditRecord:
    return await CreditRecord.create(
        subject=subject,
        nature=Nature.BAD,
        catalogue_class="administrative_penalty",
        title="行政处罚",
        provider=provider,
        document_number=doc,
        finding_date=date(2026, 1, 5),
        publicity_start=date(2026, 1, 5),
    )


@pytest.fixture
async def world(client):
    reg = await seed_registry()
    await _record(reg["dianchi"], reg["wh_scjg"], "五华市监〔2026〕1号")
    await _record(reg["zhang"], reg["km_scjg"], "昆市监〔2026〕2号")
    for username, role, dept in [
        ("km_handler", "handler", "km_scjg"),
        ("km_supervisor", "supervisor", "km_scjg"),
        ("wh_handler", "handler", "wh_scjg"),
        ("km_credit", "credit_office", "km_fgw"),
        ("yx_credit", "credit_office", "yx_fgw"),
        ("km_auditor", "auditor", "km_fgw"),
        ("admin", "admin", "km_fgw"),
        ("yx_admin", "admin", "yx_fgw"),
    ]:
        await make_staff(username, role, reg[dept])
    return reg


async def test_login_errors_do_not_tell_unknown_from_wrong(client, world):
    wrong = await client.post(
        "/api/v1/staff/login", json={"username": "km_handler", "password": "x"}
    )
    unknown = await client.post("/api/v1/staff/login", json={"username": "nobody", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    ok = await client.post(
        "/api/v1/staff/login", json={"username": "km_handler", "password": PASSWORD}
    )
    assert ok.json()["roles"] == ["handler"] and ok.json()["department_id"] == world["km_scjg"].id


async def test_five_failures_lock_the_username(client, world):
    for _ in range(5):
        await client.post("/api/v1/staff/login", json={"username": "wh_handler", "password": "bad"})
    locked = await client.post(
        "/api/v1/staff/login", json={"username": "wh_handler", "password": PASSWORD}
    )
    assert (locked.status_code, locked.json()["error"]["code"]) == (429, "login_locked")


@pytest.mark.parametrize(
    ("username", "subject", "visible"),
    [
        ("wh_handler", "dianchi", True),  # own county department filed it
        ("km_handler", "dianchi", False),  # handler: own department only, not county children
        ("km_supervisor", "dianchi", True),  # supervisor: city department plus county children
        ("km_handler", "zhang", True),
        ("wh_handler", "zhang", False),
        ("km_credit", "li", True),  # credit office: whole city region, no record needed
        ("yx_credit", "dianchi", False),  # another city
    ],
)
async def test_subject_lookup_is_department_scoped(client, world, username, subject, visible):
    token = await staff_token(client, username)
    sid = world[subject].id
    resp = await client.get(f"/api/v1/staff/subjects/{sid}?purpose=核查异议", token=token)
    assert resp.status_code == (200 if visible else 404)
    if visible:
        assert resp.json()["id"] == sid
        assert "530102196001010016" not in resp.text and "13988000001" not in resp.text
    else:
        missing = await client.get("/api/v1/staff/subjects/999999?purpose=x", token=token)
        assert missing.json() == resp.json()


async def test_role_guards(client, world):
    handler = await staff_token(client, "km_handler")
    auditor = await staff_token(client, "km_auditor")
    assert (await client.get("/api/v1/staff/audit/verify", token=handler)).status_code == 403
    report = await client.get("/api/v1/staff/audit/verify", token=auditor)
    assert report.status_code == 200 and report.json()["ok"] is True
    assert (
        await client.post("/api/v1/staff/provider-keys", token=handler, json={"name": "x"})
    ).status_code == 403
    no_purpose = await client.get(f"/api/v1/staff/subjects/{world['zhang'].id}", token=handler)
    assert no_purpose.status_code == 422
    subject_token = await client.get("/api/v1/staff/agents")
    assert subject_token.status_code == 401


async def test_provider_keys_hashed_scoped_revocable(client, world):
    admin = await staff_token(client, "admin")
    created = await client.post(
        "/api/v1/staff/provider-keys",
        token=admin,
        json={"name": "市场监管报送系统", "department_id": world["km_fgw"].id},
    )
    assert created.status_code == 201, created.text
    secret = created.json()["api_key"]
    row = await ProviderKey.get(id=created.json()["id"])
    assert secret not in (row.key_hash, row.prefix) and secret.startswith("xyk_" + row.prefix)
    who = await client.get("/api/v1/provider/whoami", headers={"X-Api-Key": secret})
    assert who.status_code == 200 and who.json()["department_id"] == world["km_fgw"].id
    bad = await client.get("/api/v1/provider/whoami", headers={"X-Api-Key": secret[:-2] + "zz"})
    assert bad.status_code == 401
    assert (await client.get("/api/v1/provider/whoami")).status_code == 401
    # the Yuxi admin can neither list nor revoke a Kunming key, nor mint one for Kunming
    yx = await staff_token(client, "yx_admin")
    assert (await client.get("/api/v1/staff/provider-keys", token=yx)).json()["items"] == []
    assert (
        await client.delete(f"/api/v1/staff/provider-keys/{row.id}", token=yx)
    ).status_code == 404
    other = await client.post(
        "/api/v1/staff/provider-keys",
        token=yx,
        json={"name": "x", "department_id": world["km_fgw"].id},
    )
    assert other.status_code == 404
    listed = (await client.get("/api/v1/staff/provider-keys", token=admin)).json()["items"]
    assert [k["id"] for k in listed] == [row.id] and "api_key" not in listed[0]
    revoked = await client.delete(f"/api/v1/staff/provider-keys/{row.id}", token=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    after = await client.get("/api/v1/provider/whoami", headers={"X-Api-Key": secret})
    assert (after.status_code, after.json()["error"]["code"]) == (401, "invalid_api_key")


async def test_staff_read_appears_in_subject_access_log(client, world, fake_sms):
    from identity_support import ZHANG_ID, ZHANG_PHONE, h5_login, verify_citizen

    handler = await staff_token(client, "km_handler")
    await client.get(
        f"/api/v1/staff/subjects/{world['zhang'].id}?purpose=处理异议申请", token=handler
    )
    pair = await h5_login(client, fake_sms[0], ZHANG_PHONE)
    me = await verify_citizen(
        client, fake_sms[0], pair["access_token"], "张三", ZHANG_ID, ZHANG_PHONE
    )
    log = await client.get("/api/v1/me/access-log", token=me["access_token"])
    [item] = [i for i in log.json()["items"] if i["action"] == "subject.viewed"]
    assert (item["role"], item["department"], item["purpose"]) == (
        "handler",
        "昆明市市场监督管理局",
        "处理异议申请",
    )
    assert "显示名" not in log.text and "km_handler" not in log.text
