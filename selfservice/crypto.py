"""Field encryption at rest (AES-256-GCM) and HMAC blind indexes for lookups on encrypted columns."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"


class DecryptionError(Exception):
    """Ciphertext was tampered with or encrypted under another key."""


class FieldCipher:
    """Encrypts short strings; ``context`` binds a ciphertext to its column so values can't be swapped."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._index_key = hmac.new(key, b"blind-index-v1", hashlib.sha256).digest()

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode()

    def decrypt(self, token: str, *, context: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(token.encode())
            if raw[:1] != _VERSION:
                raise DecryptionError("unknown ciphertext version")
            return self._aead.decrypt(raw[1:13], raw[13:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("cannot decrypt field") from exc

    def blind_index(self, value: str, *, context: str) -> str:
        """Deterministic keyed digest, so equal values can be found without decrypting."""
        digest = hmac.new(self._index_key, f"{context}\x00{value}".encode(), hashlib.sha256)
        return digest.hexdigest()
