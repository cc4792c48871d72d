"""Revocation that holds: every request checks the principal as it stands now, revocations and
lockouts survive a Redis flush (a restart), and an unreadable security state refuses (503)."""

from __future__ import annotations

import asyncio

import pytest
import redis
from identity_support import (
    LI_ID,
    LI_PHONE,
    PASSWORD,
    h5_login,
    make_staff,
    seed_registry,
    staff_token,
    verify_citizen,
)
from test_identity_agents import _request

from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.staff.models import StaffUser

STAFF_ROUTE = "/api/v1/staff/agents"  # credit_office or admin
ADMIN_ROUTE = "/api/v1/staff/provider-keys"  # admin only
LOGIN = "/api/v1/staff/login"


@pytest.fixture
async def shared(make_client, redis_url):
    """An app on Redis (as in production) with staff and one verified citizen."""
    client = await make_client(redis_url=redis_url)
    reg = await seed_registry()
    await make_staff("km_credit", "credit_office", reg["km_fgw"])
    await make_staff("km_handler", "handler", reg["km_scjg"])
    return client, reg


def _flush(redis_url: str) -> None:
    """What a Redis restart without persistence leaves: nothing."""
    r = redis.Redis.from_url(redis_url)
    try:
        r.flushdb()
    finally:
        r.close()


async def test_a_deactivated_or_deleted_staff_member_loses_access_at_once(shared):
    client, _ = shared
    token = await staff_token(client, "km_credit")
    assert (await client.get(STAFF_ROUTE, token=token)).status_code == 200
    await StaffUser.filter(username="km_credit").update(active=False)
    assert (await client.get(STAFF_ROUTE, token=token)).status_code == 401
    other = await staff_token(client, "km_handler")
    await StaffUser.filter(username="km_handler").delete()
    assert (await client.get("/api/v1/staff/subjects/1?purpose=x", token=other)).status_code == 401


async def test_claims_of_a_staff_id_that_does_not_exist_are_not_trusted(shared, identity_settings):
    client, reg = shared
    forged = Principal(
        kind="staff", staff_id=999, roles=("admin",), department_id=reg["km_fgw"].id, assurance=2
    )
    token = issue_access_token(settings=identity_settings, principal=forged)
    assert (await client.get(ADMIN_ROUTE, token=token)).status_code == 401


async def test_roles_and_department_are_read_now_not_from_the_token(shared, identity_settings):
    client, _ = shared
    handler = await StaffUser.get(username="km_handler")
    inflated = Principal(
        kind="staff",
        staff_id=handler.id,
        roles=("admin",),
        department_id=handler.department_id,
        assurance=2,
    )
    token = issue_access_token(settings=identity_settings, principal=inflated)
    assert (await client.get(ADMIN_ROUTE, token=token)).status_code == 403


async def test_a_revoked_agent_loses_access_at_once(shared, fake_sms):
    client, _ = shared
    sms = fake_sms[0]
    pair = await h5_login(client, sms, LI_PHONE)
    person = await verify_citizen(client, sms, pair["access_token"], "李四", LI_ID, LI_PHONE)
    auth = (await _request(client, person["access_token"])).json()
    km = await staff_token(client, "km_credit")
    decided = await client.post(
        f"/api/v1/staff/agents/{auth['id']}/decision",
        token=km,
        json={"approve": True, "scopes": ["records:read"]},
    )
    assert decided.status_code == 200
    agent = await client.post(
        "/api/v1/auth/agent", token=person["access_token"], json={"authorisation_id": auth["id"]}
    )
    token = agent.json()["access_token"]
    assert (await client.get("/api/v1/me/access-log", token=token)).status_code == 200
    revoked = await client.post(
        f"/api/v1/staff/agents/{auth['id']}/revoke", token=km, json={"reason": "离职"}
    )
    assert revoked.status_code == 200
    assert (await client.get("/api/v1/me/access-log", token=token)).status_code == 401


async def test_logged_out_tokens_stay_dead_after_a_redis_flush(shared, fake_sms, redis_url):
    client, _ = shared
    pair = await h5_login(client, fake_sms[0], "13655556666")
    staff = await client.post(LOGIN, json={"username": "km_credit", "password": PASSWORD})
    staff_pair = staff.json()
    for p in (pair, staff_pair):
        assert (
            await client.post("/api/v1/auth/logout", token=p["access_token"])
        ).status_code == 204
    _flush(redis_url)
    assert (
        await client.get("/api/v1/identity/agents", token=pair["access_token"])
    ).status_code == 401
    assert (await client.get(STAFF_ROUTE, token=staff_pair["access_token"])).status_code == 401
    for p in (pair, staff_pair):
        again = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": p["refresh_token"]}
        )
        assert again.status_code == 401
    alive = await h5_login(client, fake_sms[0], "13655557777")
    assert (
        await client.get("/api/v1/identity/agents", token=alive["access_token"])
    ).status_code == 200


async def test_locks_stay_locked_after_a_redis_flush(shared, fake_sms, redis_url):
    client, _ = shared
    await asyncio.gather(
        *(client.post(LOGIN, json={"username": "km_credit", "password": "bad"}) for _ in range(6))
    )
    phone = "13655558888"
    await client.post("/api/v1/auth/otp", json={"phone": phone})
    code = fake_sms[0].last_code(phone)
    bad = "000000" if code != "000000" else "111111"
    for _ in range(5):
        await client.post("/api/v1/auth/h5", json={"phone": phone, "code": bad})
    _flush(redis_url)
    locked = await client.post(LOGIN, json={"username": "km_credit", "password": PASSWORD})
    assert (locked.status_code, locked.json()["error"]["code"]) == (429, "login_locked")
    resend = await client.post("/api/v1/auth/otp", json={"phone": phone})
    assert (resend.status_code, resend.json()["error"]["code"]) == (429, "otp_locked")
    right = await client.post("/api/v1/auth/h5", json={"phone": phone, "code": code})
    assert (right.status_code, right.json()["error"]["code"]) == (429, "otp_locked")


async def test_security_state_that_cannot_be_read_refuses_with_503(make_client, fake_sms):
    up = await make_client()
    pair = await h5_login(up, fake_sms[0], "13655559999")
    down = await make_client(redis_url="redis://127.0.0.1:1/0")
    resp = await down.get("/api/v1/identity/agents", token=pair["access_token"])
    assert resp.status_code == 503


async def test_the_revocation_cache_is_not_the_only_copy(shared, fake_sms):
    """A logout holds when its cache entries alone are lost (evicted, say)."""
    client, _ = shared
    pair = await h5_login(client, fake_sms[0], "13655550000")
    assert (
        await client.get("/api/v1/identity/agents", token=pair["access_token"])
    ).status_code == 200
    await client.post("/api/v1/auth/logout", token=pair["access_token"])
    store = client.app.ctx.store
    await store.delete("xy:auth:live:fam:" + _family(pair["access_token"]))
    await store.delete("xy:auth:live:jti:" + _jti(pair["access_token"]))
    assert (
        await client.get("/api/v1/identity/agents", token=pair["access_token"])
    ).status_code == 401


def _family(token: str) -> str:
    import jwt

    return jwt.decode(token, options={"verify_signature": False})["fam"]


def _jti(token: str) -> str:
    import jwt

    return jwt.decode(token, options={"verify_signature": False})["jti"]
