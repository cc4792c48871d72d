"""WeChat hardening: the account's mode (no plaintext in safe mode), nonce replay, dedupe window,
and "busy" strictly inside WeChat's 5 seconds."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import secrets
import time

import pytest
from chat_vectors import APPID, TOKEN, message_xml, signed_query, text_xml
from test_chat_web_api import _subject_with_records
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto as PyCrypto

from channels.wechat.crypto import signature
from channels.wechat.official_account import AccountMode, OfficialAccount, dedupe_key
from channels.wechat.xml import parse_xml, to_inbound
from handlers.wechat import BUSY
from selfservice.accounts.enums import AccountKind
from selfservice.accounts.models import Account
from selfservice.errors import ConfigError
from selfservice.settings import load_settings
from selfservice.store import MemoryStore

AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _encrypted(served, xml: bytes) -> tuple[dict, bytes]:
    """A safe-mode request as WeChat sends it (wechatpy builds the envelope)."""
    aes = served.app.ctx.settings.wechat_aes_key.reveal()
    timestamp, nonce = str(int(time.time())), secrets.token_hex(6)
    envelope = PyCrypto(TOKEN, aes, APPID).encrypt_message(xml.decode(), nonce, timestamp)
    encrypted = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", envelope).group(1)
    query = {
        "signature": signature(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": signature(TOKEN, timestamp, nonce, encrypted),
    }
    body = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return query, body.encode()


def _error(out: bytes) -> str:
    import json

    return json.loads(out)["error"]["code"]


@pytest.fixture
async def safe(serve, chat_settings):
    return await serve(dataclasses.replace(chat_settings, wechat_mode=""))


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({}, AccountMode.PLAIN),
        ({"WECHAT_AES_KEY": AES}, AccountMode.SAFE),
        ({"WECHAT_AES_KEY": AES, "WECHAT_MODE": "compat"}, AccountMode.COMPAT),
        ({"WECHAT_AES_KEY": AES, "WECHAT_MODE": "Plain"}, AccountMode.PLAIN),
    ],
)
def test_the_mode_is_explicit_and_safe_by_default_with_a_key(tmp_path, env, mode):
    base = {"DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3", "WECHAT_APPID": APPID}
    settings = load_settings(base | {"WECHAT_TOKEN": TOKEN} | env)
    assert OfficialAccount(settings).mode is mode


@pytest.mark.parametrize("env", [{"WECHAT_MODE": "safe"}, {"WECHAT_MODE": "rot13"}])
def test_a_mode_that_cannot_work_is_refused_at_start(tmp_path, env):
    with pytest.raises(ConfigError, match="WECHAT_MODE"):
        load_settings({"DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"} | env)


async def test_safe_mode_refuses_a_plaintext_body_even_with_a_valid_url_signature(safe):
    subject, _ = await _subject_with_records()
    await Account.create(
        kind=AccountKind.OFFICIAL_ACCOUNT, openid="oBound", subject_id=subject.id, assurance=2
    )
    safe.count_dialogue()
    status, _, out = await safe.post(
        "/wechat", params=signed_query(), data=text_xml("oBound", "查一下我的信用记录")
    )
    assert (status, _error(out)) == (403, "wechat_plaintext_refused")
    assert safe.calls == []
    query, body = _encrypted(safe, text_xml("oBound", "你好"))
    status, _, out = await safe.post("/wechat", params=query, data=body)
    assert status == 200 and safe.calls == ["wechat:oBound"]


async def test_a_captured_url_cannot_carry_a_forged_body(served):
    served.count_dialogue()
    captured = signed_query()
    status, _, _ = await served.post("/wechat", params=captured, data=text_xml("oV", "你好", 1))
    assert status == 200
    forged = text_xml("oVictim", "查一下我的信用记录", 2)
    status, _, out = await served.post("/wechat", params=captured, data=forged)
    assert (status, _error(out)) == (403, "wechat_replayed")
    assert served.calls == ["wechat:oV"]


async def test_an_identical_replay_is_answered_from_the_kept_reply_and_runs_once(safe):
    safe.count_dialogue()
    query, body = _encrypted(safe, text_xml("oTwice", "你好", 77))
    first = await safe.post("/wechat", params=query, data=body)
    second = await safe.post("/wechat", params=query, data=body)
    assert first[0] == second[0] == 200 and first[2] == second[2]
    assert safe.calls == ["wechat:oTwice"]


async def test_nonce_and_dedupe_entries_outlive_the_accepted_skew(served):
    skew = served.app.ctx.settings.wechat_max_skew
    store = served.app.ctx.store
    body = text_xml("oKeep", "你好", 4242)
    query = signed_query()
    assert (await served.post("/wechat", params=query, data=body))[0] == 200
    dedupe = await store.ttl(dedupe_key(to_inbound(parse_xml(body))))
    nonce = await store.ttl(served.app.ctx.wechat.once(query["timestamp"], query["nonce"]).key)
    assert dedupe is not None and dedupe > 2 * skew  # a retry or replay at +65 s hits it
    assert nonce is not None and nonce >= skew  # the timestamp is accepted that long
    old = str(int(time.time()) - skew + 2)  # a request near the edge of the window
    query = signed_query(timestamp=old)
    assert (await served.post("/wechat", params=query, data=text_xml("oKeep", "在吗", 4243)))[
        0
    ] == 200
    left = await store.ttl(served.app.ctx.wechat.once(old, query["nonce"]).key)
    assert left is not None and 0 < left <= 4


async def test_url_verification_cannot_be_replayed(served):
    query = signed_query() | {"echostr": "e1"}
    assert (await served.get("/wechat", params=query))[0] == 200
    status, _, out = await served.get("/wechat", params=query)
    assert (status, _error(out)) == (403, "wechat_replayed")


async def test_busy_strictly_inside_five_seconds_when_the_store_hangs(served):
    store = served.app.ctx.store

    async def hang(*args, **kwargs):
        await asyncio.sleep(30)

    store.lock_get = hang
    store.set = hang
    started = time.monotonic()
    status, _, out = await served.post(
        "/wechat", params=signed_query(), data=text_xml("oH", "你好")
    )
    elapsed = time.monotonic() - started
    assert status == 200 and elapsed < 5.0
    assert BUSY in parse_message(out.decode()).content


async def _lose_store_memory(served) -> None:
    """A Redis restart without persistence (or a restarted single process): nothing is left."""
    store = served.app.ctx.store
    if isinstance(store, MemoryStore):
        await store.close()
    else:
        import redis

        r = redis.Redis.from_url(served.app.ctx.settings.redis_url)
        try:
            r.flushdb()
        finally:
            r.close()


async def test_a_retry_after_the_store_lost_its_memory_is_not_run_twice(served):
    served.count_dialogue()
    body = message_xml("oRestart", "text", 5151, Content="查询办理进度")
    first = await served.post("/wechat", params=signed_query(), data=body)
    assert first[0] == 200 and served.calls == ["wechat:oRestart"]
    await asyncio.sleep(2.2)  # WeChat retries 5 s after the first delivery; the store restarts
    await _lose_store_memory(served)
    retry = await served.post("/wechat", params=signed_query(), data=body)
    assert retry[0] == 200 and BUSY in parse_message(retry[2].decode()).content
    assert served.calls == ["wechat:oRestart"]
    fresh = await served.post("/wechat", params=signed_query(), data=text_xml("oRestart", "你好"))
    assert fresh[0] == 200 and served.calls == ["wechat:oRestart"] * 2
