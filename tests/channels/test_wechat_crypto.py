"""Signatures and the AES envelope: Tencent's sample, wechatpy interop, every bad input."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature as py_check_signature

from channels.wechat.crypto import (
    WeChatCrypto,
    aes_key,
    check_msg_signature,
    check_signature,
    check_timestamp,
    decrypt,
    encrypt,
    signature,
)
from channels.wechat.errors import (
    BadAppId,
    BadCiphertext,
    BadPadding,
    BadSignature,
    NotConfigured,
    StaleTimestamp,
    WeChatProtocolError,
)
from channels.wechat.xml import parse_xml, to_inbound
from selfservice.errors import DomainError

KEY = aes_key(AES_KEY)


def _raw_encrypt(plain: bytes, key: bytes = KEY) -> str:
    """AES-CBC without padding, to craft ciphertexts our encoder would never produce."""
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def _plain(xml: bytes = b"<xml/>", appid: bytes = APPID.encode(), length: int | None = None):
    return b"r" * 16 + struct.pack(">I", len(xml) if length is None else length) + xml + appid


def test_tencent_sample_signatures():
    assert signature(TOKEN, TIMESTAMP, NONCE) == SIGNATURE
    assert signature(TOKEN, TIMESTAMP, NONCE, ENCRYPT) == MSG_SIGNATURE
    check_signature(TOKEN, SIGNATURE, TIMESTAMP, NONCE)
    check_msg_signature(TOKEN, MSG_SIGNATURE, TIMESTAMP, NONCE, ENCRYPT)


def test_tencent_sample_decrypts_to_text_message():
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    decrypted = crypto.decrypt_message(ENCRYPT, MSG_SIGNATURE, TIMESTAMP, NONCE)
    inbound = to_inbound(parse_xml(decrypted.xml))
    assert decrypted.key_slot == 0
    assert (inbound.kind, inbound.text) == ("text", "abcdteT")
    assert inbound.user_id == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert inbound.recipient == "gh_10f6c3c3ac5a"
    assert (inbound.msg_id, inbound.created_at) == ("6054768590064713728", 1409735668)


@pytest.mark.parametrize(
    ("token", "sig", "timestamp", "nonce"),
    [
        (TOKEN, "0" * 40, TIMESTAMP, NONCE),
        (TOKEN, SIGNATURE, TIMESTAMP, "1320562133"),
        ("other", SIGNATURE, TIMESTAMP, NONCE),
        (TOKEN, "", TIMESTAMP, NONCE),
        (TOKEN, SIGNATURE.upper(), TIMESTAMP, NONCE),
    ],
)
def test_wrong_signature_is_403_and_wechatpy_agrees(token, sig, timestamp, nonce):
    with pytest.raises(BadSignature) as caught:
        check_signature(token, sig, timestamp, nonce)
    assert caught.value.status == 403
    with pytest.raises(InvalidSignatureException):
        py_check_signature(token, sig, timestamp, nonce)


def test_wechatpy_accepts_our_signature():
    py_check_signature("tok", signature("tok", "1700000000", "42"), "1700000000", "42")


def test_empty_token_never_verifies():
    with pytest.raises(NotConfigured):
        check_signature("", signature("", TIMESTAMP, NONCE), TIMESTAMP, NONCE)


def test_wrong_msg_signature():
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    with pytest.raises(BadSignature) as caught:
        crypto.decrypt_message(ENCRYPT, SIGNATURE, TIMESTAMP, NONCE)
    assert (caught.value.status, caught.value.code) == (403, "wechat_bad_msg_signature")
    with pytest.raises(BadSignature):
        crypto.decrypt_message(ENCRYPT[:-4] + "AAA=", MSG_SIGNATURE, TIMESTAMP, NONCE)


def test_wechatpy_encrypt_our_decrypt():
    xml = "<xml><Content><![CDATA[你好，信用]]></Content></xml>"
    envelope = PyCrypto(TOKEN, AES_KEY, APPID).encrypt_message(xml, "777", "1700000000")
    fields = parse_xml(envelope.encode())
    decrypted = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        fields["Encrypt"], fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
    )
    assert decrypted.xml.decode() == xml


def test_our_envelope_wechatpy_decrypt():
    xml = "<xml><Content><![CDATA[回复 reply]]></Content></xml>".encode()
    envelope = WeChatCrypto(TOKEN, AES_KEY, APPID).encrypt_message(
        xml, timestamp="1700000001", nonce="99"
    )
    fields = parse_xml(envelope)
    assert set(fields) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    plain = PyCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        envelope, fields["MsgSignature"], "1700000001", "99"
    )
    assert plain.encode() == xml


@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 31, 32, 33, 1000])
def test_round_trip_every_padding_length(size):
    xml = b"x" * size
    assert decrypt(KEY, encrypt(KEY, xml, APPID), APPID) == xml


def test_wrong_appid_is_403():
    with pytest.raises(BadAppId) as caught:
        decrypt(KEY, encrypt(KEY, b"<xml/>", "wx0000000000000000"), APPID)
    assert caught.value.status == 403


def _padded(plain: bytes) -> bytearray:
    pad = 32 - len(plain) % 32
    return bytearray(plain + bytes([pad]) * pad)


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda b: b.__setitem__(-1, 0), id="pad-zero"),
        pytest.param(lambda b: b.__setitem__(-1, 33), id="pad-33"),
        pytest.param(lambda b: b.__setitem__(-1, 255), id="pad-255"),
        pytest.param(lambda b: b.__setitem__(-2, b[-1] ^ 1), id="inner-pad-byte"),
        pytest.param(lambda b: b.__setitem__(-b[-1], b[-1] + 1), id="first-pad-byte"),
    ],
)
def test_bad_padding_is_400(corrupt):
    plain = _padded(_plain())
    assert plain[-1] >= 2
    corrupt(plain)
    with pytest.raises(BadPadding) as caught:
        decrypt(KEY, _raw_encrypt(bytes(plain)), APPID)
    assert (caught.value.status, caught.value.code) == (400, "wechat_bad_padding")


def test_full_block_of_padding_is_valid():
    plain = _plain(b"<xml/>" + b"y" * 20)
    assert len(plain) % 32 == 0
    assert decrypt(KEY, _raw_encrypt(plain + bytes([32]) * 32), APPID) == b"<xml/>" + b"y" * 20


def test_length_beyond_content_is_rejected():
    with pytest.raises(BadCiphertext) as caught:
        decrypt(KEY, _raw_encrypt(bytes(_padded(_plain(length=10_000)))), APPID)
    assert caught.value.code == "wechat_bad_length"


@pytest.mark.parametrize("value", ["not base64!", "", "AAAA", base64.b64encode(b"x" * 17).decode()])
def test_garbage_ciphertext_is_400(value):
    with pytest.raises(BadCiphertext) as caught:
        decrypt(KEY, value, APPID)
    assert caught.value.status == 400


def test_wrong_key_is_a_typed_error():
    other = aes_key(PREVIOUS_AES_KEY)
    with pytest.raises(WeChatProtocolError) as caught:
        decrypt(other, ENCRYPT, APPID)
    assert isinstance(caught.value, DomainError) and 400 <= caught.value.status < 500


def test_previous_key_accepted_and_reply_uses_it():
    old = PyCrypto(TOKEN, PREVIOUS_AES_KEY, APPID)
    envelope = old.encrypt_message("<xml><A>1</A></xml>", "5", "1700000000")
    fields = parse_xml(envelope.encode())
    ours = WeChatCrypto(TOKEN, [AES_KEY, PREVIOUS_AES_KEY], APPID)
    decrypted = ours.decrypt_message(fields["Encrypt"], fields["MsgSignature"], "1700000000", "5")
    assert (decrypted.xml, decrypted.key_slot) == (b"<xml><A>1</A></xml>", 1)
    reply = ours.encrypt_message(b"<xml><B>2</B></xml>", key_slot=1, timestamp="1700000002")
    reply_fields = parse_xml(reply)
    assert old.decrypt_message(
        reply, reply_fields["MsgSignature"], "1700000002", reply_fields["Nonce"]
    )
    with pytest.raises(WeChatProtocolError):
        WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt(fields["Encrypt"])


def test_unknown_key_raises_error_of_current_key():
    envelope = PyCrypto(TOKEN, AES_KEY, "wxother").encrypt_message("<xml/>", "5", "1700000000")
    encrypted = parse_xml(envelope.encode())["Encrypt"]
    with pytest.raises(BadAppId):
        WeChatCrypto(TOKEN, [AES_KEY, PREVIOUS_AES_KEY], APPID).decrypt(encrypted)


@pytest.mark.parametrize("keys", [[], [""], ["short"], ["!" * 43]])
def test_bad_configuration(keys):
    with pytest.raises(NotConfigured):
        WeChatCrypto(TOKEN, keys, APPID)


@pytest.mark.parametrize(
    ("timestamp", "now", "error"),
    [
        ("1700000000", 1700000000, None),
        ("1700000300", 1700000000, None),
        ("1699999700", 1700000000, None),
        ("1700000301", 1700000000, StaleTimestamp),
        ("1699999699", 1700000000, StaleTimestamp),
        ("", 1700000000, WeChatProtocolError),
        ("-5", 1700000000, WeChatProtocolError),
        ("17e8", 1700000000, WeChatProtocolError),
    ],
)
def test_timestamp_window(timestamp, now, error):
    if error is None:
        check_timestamp(timestamp, max_skew=300, now=now)
        return
    with pytest.raises(error) as caught:
        check_timestamp(timestamp, max_skew=300, now=now)
    assert 400 <= caught.value.status < 500
