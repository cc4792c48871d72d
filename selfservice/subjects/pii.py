"""Encryption and blind indexes of subjects' personal data, keyed by ``DATA_KEY``."""

from __future__ import annotations

from functools import lru_cache

from selfservice.crypto import FieldCipher
from selfservice.settings import get_settings

ID_CONTEXT = "subject.id_number"
REP_ID_CONTEXT = "subject.legal_rep_id"
PHONE_CONTEXT = "subject.phone"


@lru_cache(maxsize=4)
def _cipher(key: bytes) -> FieldCipher:
    return FieldCipher(key)


def cipher() -> FieldCipher:
    return _cipher(get_settings().data_key)
