"""The official-account adapter end to end: URL check, plain/compatible/safe mode, replies."""

from __future__ import annotations

import dataclasses

import defusedxml.ElementTree as SafeET
import pytest
from wechat_sample import (
    AES_KEY,
    APPID,
    ENCRYPT,
    MSG_SIGNATURE,
    NONCE,
    PREVIOUS_AES_KEY,
    SIGNATURE,
    TIMESTAMP,
    TOKEN,
)
from wechatpy.crypto import WeChatCrypto as PyCrypto
from wechatpy.parser import parse_message

from channels.message import Article, Kind, Reply
from channels.wechat.crypto import signature
from channels.wechat.errors import (
    BadSignature,
    BadXml,
    NotConfigured,
    StaleTimestamp,
    WeChatProtocolError,
)
from channels.wechat.official_account import SUCCESS, Mode, OfficialAccount, dedupe_key
from selfservice.settings import Secret

NOW = 1700000000
TEXT = (
    "<xml><ToUserName><![CDATA[gh_account]]></ToUserName>"
    "<FromUserName><![CDATA[oUser123]]></FromUserName><CreateTime>1699999999</CreateTime>"
    "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content>"
    "<MsgId>6054768590064713728</MsgId></xml>"
)


def _query(timestamp: int = NOW, nonce: str = "424242", **extra: str) -> dict[str, str]:
    query = {"timestamp": str(timestamp), "nonce": nonce}
    query["signature"] = signature(TOKEN, query["timestamp"], nonce)
    return {**query, **extra}


def _aes(xml: str, key: str = AES_KEY, timestamp: int = NOW) -> tuple[dict[str, str], bytes]:
    envelope = PyCrypto(TOKEN, key, APPID).encrypt_message(xml, "31337", str(timestamp))
    root = SafeET.fromstring(envelope)
    query = _query(
        timestamp, "31337", encrypt_type="aes", msg_signature=root.findtext("MsgSignature")
    )
    return query, envelope.encode()


@pytest.fixture
def account(wechat_settings) -> OfficialAccount:
    return OfficialAccount(wechat_settings, clock=lambda: NOW)


@pytest.fixture
def plain_account(plain_settings) -> OfficialAccount:
    return OfficialAccount(plain_settings, clock=lambda: NOW)


def test_tencent_sample_in_compatible_mode(wechat_settings):
    """The sample body carries plaintext fields and Encrypt; Encrypt wins when encrypt_type=aes."""
    account = OfficialAccount(wechat_settings, clock=lambda: int(TIMESTAMP))
    body = (
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>"
        "<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[forged plaintext]]></Content><MsgId>6054768590064713728</MsgId>"
        f"<Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml>"
    ).encode()
    query = {
        "signature": SIGNATURE,
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
        "openid": "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        "encrypt_type": "aes",
        "msg_signature": MSG_SIGNATURE,
    }
    parsed = account.parse(query, body)
    assert (parsed.mode, parsed.crypto_used) == (Mode.AES, 0)
    assert (parsed.inbound.kind, parsed.inbound.text) == (Kind.TEXT, "abcdteT")
    assert account.verify_url({**query, "echostr": "shr5ch"}) == "shr5ch"


def test_verify_url_returns_echostr_as_received(account):
    echostr = "5837397520665436492"
    assert account.verify_url(_query(echostr=echostr)) == echostr


def test_verify_url_accepts_multi_value_query(account):
    query = {k: [v] for k, v in _query(echostr="e1").items()}
    assert account.verify_url(query) == "e1"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"signature": "0" * 40}, BadSignature),
        ({"signature": ""}, BadSignature),
        ({"nonce": "1"}, BadSignature),
        ({"timestamp": str(NOW - 301)}, StaleTimestamp),
        ({"timestamp": str(NOW + 301)}, StaleTimestamp),
        ({"timestamp": ""}, WeChatProtocolError),
    ],
)
def test_verify_url_rejects(account, change, error):
    query = {**_query(echostr="e"), **change}
    with pytest.raises(error) as caught:
        account.verify_url(query)
    assert caught.value.status == 403 or (
        error is WeChatProtocolError and caught.value.status == 400
    )


def test_unconfigured_token_rejects_everything(settings):
    account = OfficialAccount(settings, clock=lambda: NOW)
    query = {"timestamp": str(NOW), "nonce": "1", "signature": signature("", str(NOW), "1")}
    with pytest.raises(NotConfigured):
        account.verify_url({**query, "echostr": "x"})


def test_plain_mode_parse_and_render(plain_account):
    parsed = plain_account.parse(_query(openid="oUser123"), TEXT.encode())
    assert (parsed.mode, parsed.crypto_used) == (Mode.PLAIN, None)
    assert (parsed.inbound.user_id, parsed.inbound.text) == ("oUser123", "你好")
    xml = plain_account.render(Reply(text="您好，请问要办理什么业务？"), parsed)
    message = parse_message(xml.decode())
    assert (message.source, message.target) == ("gh_account", "oUser123")
    assert (message.content, message.create_time.timestamp()) == ("您好，请问要办理什么业务？", NOW)


def test_plain_mode_wrong_signature(plain_account):
    with pytest.raises(BadSignature):
        plain_account.parse({**_query(), "signature": "f" * 40}, TEXT.encode())


def test_plain_mode_stale_timestamp(plain_account):
    with pytest.raises(StaleTimestamp):
        plain_account.parse(_query(timestamp=NOW - 3600), TEXT.encode())


def test_safe_mode_round_trip_with_wechatpy(account):
    query, body = _aes(TEXT)
    parsed = account.parse(query, body)
    assert (parsed.mode, parsed.crypto_used, parsed.inbound.text) == (Mode.AES, 0, "你好")
    envelope = account.render(Reply(text="收到"), parsed)
    fields = {c.tag: c.text for c in SafeET.fromstring(envelope)}
    assert set(fields) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert fields["TimeStamp"] == str(NOW)
    plain = PyCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        envelope, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
    )
    message = parse_message(plain)
    assert (message.type, message.content, message.target) == ("text", "收到", "oUser123")


def test_safe_mode_wrong_msg_signature(account):
    query, body = _aes(TEXT)
    with pytest.raises(BadSignature):
        account.parse({**query, "msg_signature": "a" * 40}, body)


def test_safe_mode_stale_timestamp(account):
    query, body = _aes(TEXT, timestamp=NOW - 301)
    with pytest.raises(StaleTimestamp):
        account.parse(query, body)


def test_safe_mode_wrong_appid(wechat_settings):
    account = OfficialAccount(
        dataclasses.replace(wechat_settings, wechat_appid="wxother"), clock=lambda: NOW
    )
    query, body = _aes(TEXT)
    with pytest.raises(WeChatProtocolError) as caught:
        account.parse(query, body)
    assert (caught.value.status, caught.value.code) == (403, "wechat_bad_appid")


def test_safe_mode_missing_encrypt(account):
    query = _query(encrypt_type="aes", msg_signature="0" * 40)
    with pytest.raises(BadXml) as caught:
        account.parse(query, TEXT.encode())
    assert caught.value.code == "wechat_missing_encrypt"


def test_safe_mode_without_key_configured(plain_account):
    query, body = _aes(TEXT)
    with pytest.raises(NotConfigured):
        plain_account.parse(query, body)


def test_unknown_encrypt_type(account):
    with pytest.raises(WeChatProtocolError) as caught:
        account.parse(_query(encrypt_type="rot13"), TEXT.encode())
    assert caught.value.status == 400


def test_previous_key_accepted_and_reply_encrypted_with_it(account):
    query, body = _aes(TEXT, key=PREVIOUS_AES_KEY)
    parsed = account.parse(query, body)
    assert parsed.crypto_used == 1
    envelope = account.render(Reply(text="旧密钥"), parsed)
    fields = {c.tag: c.text for c in SafeET.fromstring(envelope)}
    old = PyCrypto(TOKEN, PREVIOUS_AES_KEY, APPID)
    plain = old.decrypt_message(
        envelope, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
    )
    assert parse_message(plain).content == "旧密钥"


def test_key_rotation_off_rejects_previous_key(wechat_settings):
    settings = dataclasses.replace(wechat_settings, wechat_aes_key_previous=Secret(""))
    query, body = _aes(TEXT, key=PREVIOUS_AES_KEY)
    with pytest.raises(WeChatProtocolError) as caught:
        OfficialAccount(settings, clock=lambda: NOW).parse(query, body)
    assert 400 <= caught.value.status < 500


def test_empty_reply_is_success_in_both_modes(account, plain_account):
    assert plain_account.render(Reply(), plain_account.parse(_query(), TEXT.encode())) == SUCCESS
    query, body = _aes(TEXT)
    assert account.render(Reply(), account.parse(query, body)) == SUCCESS


def test_news_reply_and_explicit_addresses(plain_account):
    parsed = plain_account.parse(_query(), TEXT.encode())
    reply = Reply(articles=(Article("信用报告", "点击查看", "https://h5/r", "https://h5/p.png"),))
    root = SafeET.fromstring(
        plain_account.render(reply, parsed, to_user="oOther", from_user="gh_x")
    )
    assert (root.findtext("ToUserName"), root.findtext("FromUserName")) == ("oOther", "gh_x")
    assert (root.findtext("MsgType"), root.findtext("Articles/item/Url")) == (
        "news",
        "https://h5/r",
    )


def _event(created: int, event: str, key: str = "") -> bytes:
    return (
        "<xml><ToUserName>gh</ToUserName><FromUserName>oU</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType>event</MsgType>"
        f"<Event>{event}</Event><EventKey>{key}</EventKey></xml>"
    ).encode()


def test_dedupe_keys_follow_wechat_rules(plain_account):
    def inbound(body: bytes):
        return plain_account.parse(_query(), body).inbound

    first = dedupe_key(inbound(TEXT.encode()))
    assert first.startswith("xy:wechat:dedupe:")
    assert first != dedupe_key(inbound(TEXT.replace("6054768590064713728", "1").encode()))
    assert first != dedupe_key(inbound(TEXT.replace("oUser123", "oUser124").encode()))
    click = dedupe_key(inbound(_event(1, "CLICK", "MENU_A")))
    assert click == dedupe_key(inbound(_event(1, "CLICK", "MENU_A")))
    assert (
        len(
            {
                click,
                dedupe_key(inbound(_event(1, "CLICK", "MENU_B"))),
                dedupe_key(inbound(_event(2, "CLICK", "MENU_A"))),
                dedupe_key(inbound(_event(1, "VIEW", "MENU_A"))),
            }
        )
        == 4
    )
