"""The reporter's identity sealed under ``REPORT_SEAL_KEY`` (never ``DATA_KEY``), bound to its tip."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from selfservice.crypto import FieldCipher

CONTEXT = "tip_reporter.identity"
PHONE_TAG = "tip_reporter.phone"


@dataclass(frozen=True)
class Reporter:
    """A named reporter; its repr never shows the values, so it cannot leak into a log."""

    name: str
    phone: str
    account_id: int | None = None

    def __repr__(self) -> str:
        return "Reporter(<sealed>)"

    __str__ = __repr__

    def as_dict(self) -> dict:
        return {"name": self.name, "phone": self.phone, "account_id": self.account_id}


@lru_cache(maxsize=4)
def _cipher(key: bytes) -> FieldCipher:
    return FieldCipher(key)


def seal(reporter: Reporter, *, key: bytes, tip_id: int) -> str:
    raw = json.dumps(reporter.as_dict(), ensure_ascii=False)
    return _cipher(key).encrypt(raw, context=f"{CONTEXT}:{tip_id}")


def unseal(token: str, *, key: bytes, tip_id: int) -> Reporter:
    data = json.loads(_cipher(key).decrypt(token, context=f"{CONTEXT}:{tip_id}"))
    return Reporter(data["name"], data["phone"], data.get("account_id"))


def tag(value: str, *, key: bytes, context: str = PHONE_TAG) -> str:
    """A keyed digest (for rate-limit keys): equal inputs match, the input never shows."""
    return _cipher(key).blind_index(value, context=context)[:32]


def seal_text(value: str, *, key: bytes, context: str) -> str:
    return _cipher(key).encrypt(value, context=context)


def unseal_text(token: str, *, key: bytes, context: str) -> str:
    return _cipher(key).decrypt(token, context=context)
