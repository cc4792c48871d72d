"""Signatures and the AES-256-CBC message envelope of WeChat's safe mode.

https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from channels.wechat.errors import (
    BadAppId,
    BadCiphertext,
    BadPadding,
    BadSignature,
    NotConfigured,
    StaleTimestamp,
    WeChatProtocolError,
)

BLOCK = 32
DEFAULT_MAX_SKEW = 300


def signature(*parts: str) -> str:
    """``sha1`` of the sorted, concatenated parts (token, timestamp, nonce[, encrypt])."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - protocol


def check_signature(token: str, sig: str, timestamp: str, nonce: str) -> None:
    """The plain URL signature ``sha1(sorted([token, timestamp, nonce]))``."""
    if not token:
        raise NotConfigured()
    if not hmac.compare_digest(signature(token, timestamp, nonce), sig or ""):
        raise BadSignature()


def check_msg_signature(token: str, sig: str, timestamp: str, nonce: str, encrypt: str) -> None:
    """The safe-mode ``msg_signature`` which also covers the ciphertext."""
    if not token:
        raise NotConfigured()
    if not hmac.compare_digest(signature(token, timestamp, nonce, encrypt), sig or ""):
        raise BadSignature(code="wechat_bad_msg_signature")


def check_timestamp(
    timestamp: str, *, max_skew: int = DEFAULT_MAX_SKEW, now: float | None = None
) -> None:
    """Reject replays: the request's timestamp must be within ``max_skew`` seconds of now."""
    if not timestamp or not timestamp.isdigit():
        raise WeChatProtocolError(code="wechat_bad_timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > max_skew:
        raise StaleTimestamp()


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte key behind a 43-character EncodingAESKey."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise NotConfigured(code="wechat_bad_aes_key") from None
    if len(key) != 32:
        raise NotConfigured(code="wechat_bad_aes_key")
    return key


@lru_cache(maxsize=8)
def _cipher(key: bytes) -> Cipher:
    """One Cipher per key (a few in a process): each call makes a fresh encryptor/decryptor."""
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(key: bytes, xml: bytes, appid: str) -> str:
    """random16 ‖ len(xml) big-endian ‖ xml ‖ appid, PKCS#7 to 32 bytes, AES-CBC, base64."""
    plain = secrets.token_bytes(16) + struct.pack(">I", len(xml)) + xml + appid.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(key: bytes, encrypted: str, appid: str) -> bytes:
    """The XML inside ``encrypted``; every pad byte, the length and the appid are checked."""
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise BadCiphertext() from None
    if not data or len(data) % 16:
        raise BadCiphertext()
    decryptor = _cipher(key).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or not hmac.compare_digest(plain[-pad:], bytes([pad]) * pad):
        raise BadPadding()
    content = plain[16:-pad]
    if len(content) < 4:
        raise BadCiphertext()
    (length,) = struct.unpack(">I", content[:4])
    if length > len(content) - 4:
        raise BadCiphertext(code="wechat_bad_length")
    if not hmac.compare_digest(content[4 + length :], appid.encode()):
        raise BadAppId()
    return content[4 : 4 + length]


@dataclass(frozen=True, slots=True)
class Decrypted:
    xml: bytes
    key_slot: int


class WeChatCrypto:
    """Safe-mode envelope with key rotation: slot 0 is the current key, slot 1 the previous one."""

    def __init__(self, token: str, encoding_aes_keys: Sequence[str] | str, appid: str) -> None:
        if isinstance(encoding_aes_keys, str):
            encoding_aes_keys = [encoding_aes_keys]
        keys = [aes_key(k) for k in encoding_aes_keys if k]
        if not token or not keys or not appid:
            raise NotConfigured()
        self.token, self.appid, self._keys = token, appid, keys

    def decrypt(self, encrypted: str) -> Decrypted:
        """Try each key in order; the first key's error is raised if none fits."""
        first: WeChatProtocolError | None = None
        for slot, key in enumerate(self._keys):
            try:
                return Decrypted(decrypt(key, encrypted, self.appid), slot)
            except WeChatProtocolError as exc:
                first = first or exc
        assert first is not None
        raise first

    def encrypt(self, xml: bytes, *, key_slot: int = 0) -> str:
        return encrypt(self._keys[key_slot], xml, self.appid)

    def decrypt_message(
        self, encrypted: str, msg_signature: str, timestamp: str, nonce: str
    ) -> Decrypted:
        """Check ``msg_signature`` over the ciphertext, then decrypt it."""
        check_msg_signature(self.token, msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def encrypt_message(
        self,
        xml: bytes,
        *,
        key_slot: int = 0,
        timestamp: str | None = None,
        nonce: str | None = None,
    ) -> bytes:
        """The four-field reply envelope: Encrypt, MsgSignature, TimeStamp, Nonce."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        encrypted = self.encrypt(xml, key_slot=key_slot)
        sig = signature(self.token, timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{sig}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp>"
            f"<Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        ).encode()
