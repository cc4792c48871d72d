"""Enterprise agents: letter upload, staff approval in scope, scoped expiring tokens, rejection."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from identity_support import (
    DIANCHI_USCC,
    LI_ID,
    LI_PHONE,
    h5_login,
    make_staff,
    seed_registry,
    staff_token,
    verify_citizen,
)
from upload_samples import HEIC, PDF, PHP, zip_of

from selfservice.accounts.models import AgentAuthorisation
from selfservice.evidence.models import Evidence
from selfservice.evidence.storage import LocalStorage

ENTERPRISE_NAME = "昆明滇池蓝湾餐饮管理有限公司"


@pytest.fixture
async def setup(client, fake_sms):
    reg = await seed_registry()
    await make_staff("km_credit", "credit_office", reg["km_fgw"])
    await make_staff("yx_credit", "credit_office", reg["yx_fgw"])
    await make_staff("km_handler", "handler", reg["km_scjg"])
    sms = fake_sms[0]
    pair = await h5_login(client, sms, LI_PHONE)
    person = await verify_citizen(client, sms, pair["access_token"], "李四", LI_ID, LI_PHONE)
    return reg, person


async def _request(
    client, token, *, letter=PDF, scopes="records:read,objection", name=ENTERPRISE_NAME
):
    return await client.post(
        "/api/v1/identity/agents",
        token=token,
        data={"uscc": DIANCHI_USCC, "enterprise_name": name, "scopes": scopes},
        files={"letter": ("委托书.pdf", letter, "application/pdf")},
    )


async def test_request_approve_act_and_expire(client, setup, identity_settings):
    reg, person = setup
    resp = await _request(client, person["access_token"])
    assert resp.status_code == 201, resp.text
    auth = resp.json()
    assert auth["status"] == "pending" and auth["requested_scopes"] == ["objection", "records:read"]
    stored = await AgentAuthorisation.get(id=auth["id"])
    letter = await Evidence.get(id=stored.letter_path.removeprefix("evidence:"))
    assert letter.sha256 == stored.letter_sha256 == hashlib.sha256(PDF).hexdigest()
    assert (
        b"".join(
            [b async for b in LocalStorage(identity_settings.upload_dir).read(letter.storage_key)]
        )
        == PDF
    )

    early = await client.post(
        "/api/v1/auth/agent", token=person["access_token"], json={"authorisation_id": auth["id"]}
    )
    assert early.status_code == 404

    yx = await staff_token(client, "yx_credit")
    assert (await client.get("/api/v1/staff/agents", token=yx)).json()["items"] == []
    foreign = await client.post(
        f"/api/v1/staff/agents/{auth['id']}/decision", token=yx, json={"approve": True}
    )
    assert foreign.status_code == 404
    handler = await staff_token(client, "km_handler")
    assert (await client.get("/api/v1/staff/agents", token=handler)).status_code == 403

    km = await staff_token(client, "km_credit")
    pending = (await client.get("/api/v1/staff/agents", token=km)).json()["items"]
    assert [p["id"] for p in pending] == [auth["id"]]
    approved = await client.post(
        f"/api/v1/staff/agents/{auth['id']}/decision",
        token=km,
        json={"approve": True, "scopes": ["records:read"], "valid_days": 30, "reason": "材料齐全"},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["granted_scopes"] == ["records:read"]
    twice = await client.post(
        f"/api/v1/staff/agents/{auth['id']}/decision",
        token=km,
        json={"approve": False, "reason": "x"},
    )
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "agent_bad_transition")

    acting = await client.post(
        "/api/v1/auth/agent", token=person["access_token"], json={"authorisation_id": auth["id"]}
    )
    assert acting.status_code == 200
    agent = acting.json()
    assert agent["subject_id"] == reg["dianchi"].id and agent["scopes"] == ["records:read"]
    claims = jwt.decode(agent["access_token"], options={"verify_signature": False})
    assert claims["agt"] == auth["id"] and claims["rol"] == ["agent"]
    log = await client.get("/api/v1/me/access-log", token=agent["access_token"])
    assert log.status_code == 200
    actions = {i["action"] for i in log.json()["items"]}
    assert "agent.approved" in actions
    assert "km_credit" not in log.text

    # the authorisation runs out: no new agent tokens, and the agent refresh token dies with it
    await AgentAuthorisation.filter(id=auth["id"]).update(
        valid_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    expired = await client.post(
        "/api/v1/auth/agent", token=person["access_token"], json={"authorisation_id": auth["id"]}
    )
    assert expired.status_code == 404
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": agent["refresh_token"]}
    )
    assert refresh.status_code == 401
    view = await client.get(f"/api/v1/identity/agents/{auth['id']}", token=person["access_token"])
    assert view.json()["status"] == "expired"


async def test_agent_scope_limits_routes(client, setup):
    _, person = setup
    auth = (await _request(client, person["access_token"], scopes="objection")).json()
    km = await staff_token(client, "km_credit")
    await client.post(
        f"/api/v1/staff/agents/{auth['id']}/decision", token=km, json={"approve": True}
    )
    agent = (
        await client.post(
            "/api/v1/auth/agent",
            token=person["access_token"],
            json={"authorisation_id": auth["id"]},
        )
    ).json()
    claims = jwt.decode(agent["access_token"], options={"verify_signature": False})
    assert claims["scp"] == ["objection"]
    denied = await client.get("/api/v1/me/access-log", token=agent["access_token"])
    assert denied.status_code == 403


async def test_reject_and_revoke(client, setup):
    _, person = setup
    km = await staff_token(client, "km_credit")
    a = (await _request(client, person["access_token"])).json()
    no_reason = await client.post(
        f"/api/v1/staff/agents/{a['id']}/decision", token=km, json={"approve": False}
    )
    assert no_reason.status_code == 422
    rejected = await client.post(
        f"/api/v1/staff/agents/{a['id']}/decision",
        token=km,
        json={"approve": False, "reason": "委托书未盖章"},
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "委托书未盖章"
    b = (await _request(client, person["access_token"])).json()
    await client.post(f"/api/v1/staff/agents/{b['id']}/decision", token=km, json={"approve": True})
    revoked = await client.post(
        f"/api/v1/staff/agents/{b['id']}/revoke", token=km, json={"reason": "离职"}
    )
    assert revoked.json()["status"] == "revoked"
    acting = await client.post(
        "/api/v1/auth/agent", token=person["access_token"], json={"authorisation_id": b["id"]}
    )
    assert acting.status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"letter": b"MZ\x90\x00 not a document"}, 415, "evidence_type_not_allowed"),
        ({"letter": PDF + zip_of("x.php", PHP)}, 415, "evidence_content_invalid"),
        ({"letter": HEIC}, 422, "agent_bad_letter"),
        ({"letter": b""}, 422, "evidence_empty"),
        ({"scopes": "records:read,delete_everything"}, 422, "validation_failed"),
        ({"name": "别的公司"}, 422, "verification_failed"),
    ],
)
async def test_bad_requests(client, setup, kwargs, status, code):
    """The letter goes through the evidence upload path: the same checks, the same answers."""
    _, person = setup
    resp = await _request(client, person["access_token"], **kwargs)
    assert (resp.status_code, resp.json()["error"]["code"]) == (status, code)


async def test_unverified_account_cannot_ask(client, fake_sms):
    await seed_registry()
    pair = await h5_login(client, fake_sms[0], "13655556666")
    resp = await _request(client, pair["access_token"])
    assert (resp.status_code, resp.json()["error"]["code"]) == (403, "not_verified")
