"""``GET|POST /wechat`` over HTTP: Tencent's sample, wechatpy interop, key rotation, bad input."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import secrets
import struct
import time

import pytest
from chat_vectors import (
    AES_KEY,
    APPID,
    ENCRYPT,
    MSG_SIGNATURE,
    NONCE,
    PREVIOUS_AES_KEY,
    SAMPLE_ACCOUNT,
    SAMPLE_USER,
    SIGNATURE,
    TIMESTAMP,
    TOKEN,
    signed_query,
    text_xml,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto as PyCrypto

from channels.wechat.crypto import aes_key, signature
from selfservice.settings import Secret

OTHER_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"


def _envelope(encrypted: str, *, to: str = "gh_test_account") -> bytes:
    return f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()


def _aes_query(encrypted: str, *, timestamp: str | None = None, nonce: str | None = None) -> dict:
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(6)
    return {
        "signature": signature(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": "oUser",
        "encrypt_type": "aes",
        "msg_signature": signature(TOKEN, timestamp, nonce, encrypted),
    }


def _py_encrypt(xml: bytes, key: str = AES_KEY) -> tuple[str, str, str]:
    """wechatpy builds the envelope: returns (Encrypt, timestamp, nonce)."""
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    envelope = PyCrypto(TOKEN, key, APPID).encrypt_message(xml.decode(), nonce, timestamp)
    encrypted = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", envelope).group(1)
    return encrypted, timestamp, nonce


def _py_decrypt(body: bytes, key: str = AES_KEY):
    """wechatpy opens our reply envelope (checks its MsgSignature) and parses the message."""
    xml = body.decode()
    sig = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]>", xml).group(1)
    ts = re.search(r"<TimeStamp>(.*?)</TimeStamp>", xml).group(1)
    nonce = re.search(r"<Nonce><!\[CDATA\[(.*?)\]\]>", xml).group(1)
    return parse_message(PyCrypto(TOKEN, key, APPID).decrypt_message(xml, sig, ts, nonce))


async def test_url_verification_with_the_official_sample_signature(serve, chat_settings):
    served = await serve(dataclasses.replace(chat_settings, wechat_max_skew=10**10))
    query = {"signature": SIGNATURE, "timestamp": TIMESTAMP, "nonce": NONCE, "echostr": "e+c/h o"}
    status, content_type, body = await served.get("/wechat", params=query)
    assert (status, body) == (200, b"e+c/h o")
    assert content_type.startswith("text/plain")


async def test_official_sample_message_is_decrypted_and_answered_in_safe_mode(serve, chat_settings):
    served = await serve(dataclasses.replace(chat_settings, wechat_max_skew=10**10))
    served.count_dialogue()
    query = {
        "signature": SIGNATURE,
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": MSG_SIGNATURE,
    }
    status, content_type, body = await served.post(
        "/wechat", params=query, data=_envelope(ENCRYPT, to=SAMPLE_ACCOUNT)
    )
    assert status == 200 and content_type.startswith("application/xml")
    assert served.calls == [f"wechat:{SAMPLE_USER}"]
    reply = _py_decrypt(body)
    assert (reply.source, reply.target) == (SAMPLE_ACCOUNT, SAMPLE_USER)
    assert "没有理解" in reply.content  # "abcdteT" means nothing to the assistant


@pytest.mark.parametrize("mode", ["safe", "compatible"])
async def test_wechatpy_encrypts_our_route_replies_wechatpy_decrypts(served, mode):
    plain = text_xml("oInterop", "不良信息保存多久")
    encrypted, timestamp, nonce = _py_encrypt(plain)
    if mode == "safe":
        body = _envelope(encrypted)
    else:  # compatible mode: plaintext fields and the Encrypt field side by side
        body = plain.replace(
            b"</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
        )
    status, _, out = await served.post(
        "/wechat", params=_aes_query(encrypted, timestamp=timestamp, nonce=nonce), data=body
    )
    assert status == 200
    assert b"<Encrypt>" in out and b"<MsgSignature>" in out and b"<TimeStamp>" in out
    assert "不良信用信息的记录期限" not in out.decode()
    reply = _py_decrypt(out)
    assert reply.target == "oInterop" and "3 年" in reply.content and "依据" in reply.content


async def test_plain_mode_reply_is_plain_xml(served):
    status, _, out = await served.post(
        "/wechat", params=signed_query(), data=text_xml("oPlain", "你好")
    )
    assert status == 200
    reply = parse_message(out.decode())
    assert reply.target == "oPlain" and "信用自助服务" in reply.content


async def test_previous_key_is_accepted_during_rotation_and_answered_with_it(served):
    encrypted, timestamp, nonce = _py_encrypt(text_xml("oRotate", "你好"), PREVIOUS_AES_KEY)
    status, _, out = await served.post(
        "/wechat",
        params=_aes_query(encrypted, timestamp=timestamp, nonce=nonce),
        data=_envelope(encrypted),
    )
    assert status == 200
    assert "信用自助服务" in _py_decrypt(out, PREVIOUS_AES_KEY).content


async def test_after_rotation_the_retired_key_is_refused(serve, chat_settings):
    served = await serve(dataclasses.replace(chat_settings, wechat_aes_key_previous=Secret("")))
    encrypted, timestamp, nonce = _py_encrypt(text_xml("oOld", "你好"), PREVIOUS_AES_KEY)
    status, content_type, _ = await served.post(
        "/wechat",
        params=_aes_query(encrypted, timestamp=timestamp, nonce=nonce),
        data=_envelope(encrypted),
    )
    assert 400 <= status < 500 and content_type.startswith("application/json")


def _raw_cipher(plain: bytes, key: str = AES_KEY) -> str:
    k = aes_key(key)
    enc = Cipher(algorithms.AES(k), modes.CBC(k[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def _framed(xml: bytes, appid: bytes = APPID.encode()) -> bytes:
    return b"r" * 16 + struct.pack(">I", len(xml)) + xml + appid


def _padded(data: bytes) -> bytes:
    pad = 32 - len(data) % 32
    return data + bytes([pad]) * pad


def _bad_padding() -> str:
    data = _framed(text_xml("oPad", "hi"))
    pad = 32 - len(data) % 32 or 32
    return _raw_cipher(data + bytes([pad - 1 or 2]) * (pad - 1) + bytes([pad]))


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<xml><ToUserName>a</ToUserName><FromUserName>&lol3;</FromUserName>"
    b"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>"
)
EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b"<xml><FromUserName>&e;</FromUserName></xml>"
)


def _plain_case(body: bytes, **query) -> tuple[dict, bytes]:
    return {**signed_query(), **query}, body


def _aes_case(encrypted: str, **query) -> tuple[dict, bytes]:
    return {**_aes_query(encrypted), **query}, _envelope(encrypted)


BAD_REQUESTS = {
    "bad signature": (lambda: _plain_case(text_xml("o1", "hi"), signature="0" * 40), 403),
    "stale timestamp": (
        lambda: (signed_query(timestamp=str(int(time.time()) - 301)), text_xml("o1", "hi")),
        403,
    ),
    "future timestamp": (
        lambda: (signed_query(timestamp=str(int(time.time()) + 400)), text_xml("o1", "hi")),
        403,
    ),
    "no timestamp": (lambda: ({"signature": "x", "nonce": "1"}, text_xml("o1", "hi")), 400),
    "malformed xml": (lambda: _plain_case(b"<xml><Content>unclosed</xml"), 400),
    "not xml": (lambda: _plain_case(b"hello"), 400),
    "empty body": (lambda: _plain_case(b""), 400),
    "wrong root": (lambda: _plain_case(b"<msg><Content>x</Content></msg>"), 400),
    "entity bomb": (lambda: _plain_case(BOMB), 400),
    "external entity": (lambda: _plain_case(EXTERNAL), 400),
    "missing fields": (lambda: _plain_case(b"<xml><Content>x</Content></xml>"), 400),
    "bad location": (
        lambda: _plain_case(
            b"<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>location"
            b"</MsgType><Location_X>north</Location_X><Location_Y>1</Location_Y></xml>"
        ),
        400,
    ),
    "unknown encrypt_type": (lambda: _plain_case(text_xml("o1", "hi"), encrypt_type="rsa"), 400),
    "aes without Encrypt": (
        lambda: (_aes_query("abc"), b"<xml><ToUserName>a</ToUserName></xml>"),
        400,
    ),
    "bad msg_signature": (
        lambda: _aes_case(_raw_cipher(_padded(_framed(text_xml("o", "x")))), msg_signature="0"),
        403,
    ),
    "signature instead of msg_signature": (
        lambda: (
            {k: v for k, v in _aes_query("QUJD").items() if k != "msg_signature"},
            _envelope("QUJD"),
        ),
        403,
    ),
    "wrong appid": (
        lambda: _aes_case(_raw_cipher(_padded(_framed(text_xml("o", "x"), b"wxOTHERAPPID00000")))),
        403,
    ),
    "bad padding": (lambda: _aes_case(_bad_padding()), 400),
    "zero padding": (
        lambda: _aes_case(_raw_cipher(_framed(text_xml("o", "x")).ljust(320, b"\0")[:320])),
        400,
    ),
    "not base64": (lambda: _aes_case("@@not-base64@@"), 400),
    "short ciphertext": (lambda: _aes_case(base64.b64encode(b"0123456789").decode()), 400),
    "length beyond data": (
        lambda: _aes_case(
            _raw_cipher(_padded(b"r" * 16 + struct.pack(">I", 10**6) + b"<xml/>" + APPID.encode()))
        ),
        400,
    ),
    "other key": (lambda: _aes_case(_py_encrypt(text_xml("o", "x"), OTHER_KEY)[0]), 400),
}


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
async def test_bad_input_is_a_quick_4xx_json_error_and_nothing_is_processed(served, case):
    build, expected = BAD_REQUESTS[case]
    query, body = build()
    served.count_dialogue()
    started = time.monotonic()
    status, content_type, out = await served.post("/wechat", params=query, data=body)
    assert status == expected, out
    assert content_type.startswith("application/json")
    assert b'"error"' in out and b'"code"' in out
    assert served.calls == []
    assert time.monotonic() - started < 1.0


async def test_oversized_body_is_refused_by_content_length_before_reading(served):
    served.count_dialogue()
    status, _, out = await served.post(
        "/wechat", params=signed_query(), data=b"<xml>" + b"a" * 70_000 + b"</xml>"
    )
    assert status == 413 and b"wechat_body_too_large" in out
    assert served.calls == []


async def test_oversized_chunked_body_is_cut_off_while_streaming(served):
    async def chunks():
        for _ in range(20):
            yield b"a" * 8192

    status, _, out = await served.post("/wechat", params=signed_query(), data=chunks())
    assert status == 413 and b"wechat_body_too_large" in out


@pytest.mark.parametrize(
    "query",
    [
        {"signature": "0" * 40},
        {"timestamp": "1409735669"},
        {"timestamp": "soon"},
    ],
)
async def test_url_verification_refuses_bad_requests(served, query):
    status, content_type, _ = await served.get(
        "/wechat", params={**signed_query(), "echostr": "x", **query}
    )
    assert status in (400, 403) and content_type.startswith("application/json")


async def test_unconfigured_account_answers_503(serve, chat_settings):
    served = await serve(
        dataclasses.replace(
            chat_settings,
            wechat_token=Secret(""),
            wechat_aes_key=Secret(""),
            wechat_aes_key_previous=Secret(""),
        )
    )
    status, _, out = await served.get("/wechat", params={**signed_query(""), "echostr": "x"})
    assert status == 503 and b"wechat_not_configured" in out
    encrypted = _py_encrypt(text_xml("o", "x"))[0]
    status, _, out = await served.post(
        "/wechat", params=_aes_query(encrypted), data=_envelope(encrypted)
    )
    assert status == 503


async def test_openapi_documents_the_wechat_and_chat_routes(served):
    status, _, body = await served.get("/docs/openapi.json")
    assert status == 200
    doc = json.loads(body)
    assert {"get", "post"} <= set(doc["paths"]["/wechat"])
    chat = doc["paths"]["/api/v1/chat"]["post"]
    assert "requestBody" in chat and {"200", "401", "422"} <= set(chat["responses"])
