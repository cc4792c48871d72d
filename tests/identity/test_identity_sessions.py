"""Sessions over HTTP: expiry, refresh rotation, reuse revoking the family, logout, issue-token."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys

import jwt
from identity_support import ZHANG_ID, ZHANG_PHONE, h5_login, seed_registry, verify_citizen

from selfservice.auth.models import RefreshToken
from selfservice.auth.tokens import Principal, issue_access_token

PHONE = "13611112222"


async def test_refresh_rotates_and_the_old_refresh_token_is_spent(client, fake_sms):
    first = await h5_login(client, fake_sms[0], PHONE)
    resp = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert resp.status_code == 200
    second = resp.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["account_id"] == first["account_id"]
    rows = await RefreshToken.all().order_by("id")
    assert len(rows) == 2 and rows[0].family == rows[1].family and rows[0].used_at is not None
    assert first["refresh_token"] not in {r.token_hash for r in rows}
    me = await client.get("/api/v1/identity/agents", token=second["access_token"])
    assert me.status_code == 200


async def test_reuse_of_a_rotated_token_revokes_the_whole_family(client, fake_sms):
    first = await h5_login(client, fake_sms[0], PHONE)
    second = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    replay = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert (replay.status_code, replay.json()["error"]["code"]) == (401, "refresh_reused")
    for rt in (second["refresh_token"],):
        dead = await client.post("/api/v1/auth/refresh", json={"refresh_token": rt})
        assert dead.status_code == 401
    for at in (first["access_token"], second["access_token"]):
        assert (await client.get("/api/v1/identity/agents", token=at)).status_code == 401
    other = await h5_login(client, fake_sms[0], "13611113333")
    assert (
        await client.get("/api/v1/identity/agents", token=other["access_token"])
    ).status_code == 200


async def test_logout_revokes_access_and_refresh(client, fake_sms):
    pair = await h5_login(client, fake_sms[0], PHONE)
    out = await client.post("/api/v1/auth/logout", token=pair["access_token"])
    assert out.status_code == 204
    assert (
        await client.get("/api/v1/identity/agents", token=pair["access_token"])
    ).status_code == 401
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 401


async def test_expired_forged_and_none_tokens_are_401(client, identity_settings):
    principal = Principal(kind="subject", account_id=1, subject_id=1, scopes=("all",))
    expired = issue_access_token(settings=identity_settings, principal=principal, ttl=-10)
    forged = jwt.encode({"knd": "subject", "sid": 1}, "guess", algorithm="HS256")
    none = jwt.encode({"knd": "subject", "sid": 1}, None, algorithm="none")
    for token in (expired, forged, none, "garbage"):
        resp = await client.get("/api/v1/me/", token=token)
        assert resp.status_code == 401
        assert resp.json()["error"]["code"] in ("invalid_token", "unauthorized")


async def test_unknown_refresh_token(client):
    resp = await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert (resp.status_code, resp.json()["error"]["code"]) == (401, "invalid_token")


async def test_access_token_expires_and_refresh_gives_a_new_one(client, fake_sms):
    pair = await h5_login(client, fake_sms[0], PHONE)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 900
    row = await RefreshToken.get(family=claims["fam"])
    assert 7 * 86400 - 60 < (row.expires_at - row.created_at).total_seconds() <= 7 * 86400


async def test_issue_token_cli_output_is_accepted(client, fake_sms, identity_settings):
    reg = await seed_registry()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATA_KEY", "SELFSERVICE_ENV")},
        "DATABASE_URL": identity_settings.database_url,
        "SECRET_KEY": identity_settings.secret_key.reveal(),
        # the CLI must look the subject up under the same key the app seeded it with
        "DATA_KEY": base64.urlsafe_b64encode(identity_settings.data_key).decode(),
    }
    proc = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "selfservice", "issue-token", "--subject", ZHANG_ID],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    resp = await client.get("/api/v1/me/", token=proc.stdout.strip())
    assert resp.status_code == 200 and resp.json()["id"] == reg["zhang"].id


async def test_verified_subject_token_carries_the_subject(client, fake_sms):
    reg = await seed_registry()
    pair = await h5_login(client, fake_sms[0], ZHANG_PHONE)
    done = await verify_citizen(
        client, fake_sms[0], pair["access_token"], "张三", ZHANG_ID, ZHANG_PHONE
    )
    claims = jwt.decode(done["access_token"], options={"verify_signature": False})
    assert (claims["sid"], claims["acr"], claims["acc"]) == (reg["zhang"].id, 2, pair["account_id"])
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": done["refresh_token"]}
    )
    assert refreshed.json()["subject_id"] == reg["zhang"].id
