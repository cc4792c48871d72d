"""Mini-program sign-in against a fake WeChat server over real HTTP: success and every errcode."""

from __future__ import annotations

import pytest

from selfservice.accounts.models import Account
from selfservice.store import key


async def test_code_login_creates_one_account_per_openid(client, fake_wechat):
    wx, _ = fake_wechat
    first = await client.post("/api/v1/auth/miniprogram", json={"code": "alice-1"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert "session_key" not in first.text and "U0VTU0lPTktFWQ" not in first.text
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["subject_id"] is None and body["assurance"] == 1
    again = await client.post("/api/v1/auth/miniprogram", json={"code": "alice-2"})
    assert again.json()["account_id"] == body["account_id"]
    accounts = await Account.all()
    assert len(accounts) == 1
    assert (accounts[0].openid, accounts[0].unionid) == ("oMini-alice", "oUnion-alice")
    assert wx.calls[0]["grant_type"] == "authorization_code"
    sealed = await client.app.ctx.store.get(key("wechat", "session-key", body["account_id"]))
    assert sealed and "U0VTU0lPTktFWQ" not in sealed


async def test_unionid_learnt_later_is_kept(client):
    await client.post("/api/v1/auth/miniprogram", json={"code": "bob-nounion"})
    assert (await Account.get(openid="oMini-bob")).unionid is None
    await client.post("/api/v1/auth/miniprogram", json={"code": "bob-2"})
    assert (await Account.get(openid="oMini-bob")).unionid == "oUnion-bob"


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("used", 401, "wechat_invalid_code"),
        ("flood", 429, "wechat_rate_limited"),
        ("risky", 403, "wechat_risky_user"),
        ("busy", 503, "wechat_unavailable"),
    ],
)
async def test_errcodes_map_to_clear_errors(client, code, status, error):
    resp = await client.post("/api/v1/auth/miniprogram", json={"code": code})
    assert resp.status_code == status
    assert resp.json()["error"]["code"] == error
    assert await Account.all().count() == 0


async def test_empty_code_and_unconfigured_app(make_client):
    client = await make_client()
    resp = await client.post("/api/v1/auth/miniprogram", json={"code": ""})
    assert resp.status_code == 422
    bare = await make_client(miniprogram_appid="")
    resp = await bare.post("/api/v1/auth/miniprogram", json={"code": "x-1"})
    assert (resp.status_code, resp.json()["error"]["code"]) == (503, "wechat_not_configured")
