"""The pluggable identity verifier: the registry matcher by default, a real-name service later."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Protocol

from selfservice.enums import SubjectKind
from selfservice.identifiers import (
    is_valid_id_number,
    is_valid_uscc,
    normalize_id_number,
    normalize_uscc,
)
from selfservice.subjects import pii
from selfservice.subjects.models import Subject
from selfservice.subjects.service import phone as subject_phone


@dataclass(frozen=True)
class Match:
    """A successful match: where to send the one-time code and what the account binds to."""

    phone: str
    subject_id: int | None
    person_index: str
    person_name: str


class IdentityVerifier(Protocol):
    """Returns a Match or None; must never say which field was wrong."""

    async def match_person(
        self, *, name: str, id_number: str, phone: str | None
    ) -> Match | None: ...

    async def match_enterprise(
        self, *, uscc: str, name: str, rep_name: str, rep_id_number: str
    ) -> Match | None: ...


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def _clean(text: str) -> str:
    return "".join(text.split())


class RegistryVerifier:
    """Matches against the subject registry; the code goes to the phone registered there."""

    async def match_person(self, *, name: str, id_number: str, phone: str | None) -> Match | None:
        number = normalize_id_number(id_number)
        if not is_valid_id_number(number):
            return None
        index = pii.cipher().blind_index(number, context=pii.ID_CONTEXT)
        subject = await Subject.get_or_none(id_number_index=index, kind=SubjectKind.NATURAL_PERSON)
        if subject is None or not _same(subject.name, _clean(name)):
            return None
        registered = subject_phone(subject)
        if not registered:
            return None
        return Match(registered, subject.id, index, subject.name)

    async def match_enterprise(
        self, *, uscc: str, name: str, rep_name: str, rep_id_number: str
    ) -> Match | None:
        code, rep_id = normalize_uscc(uscc), normalize_id_number(rep_id_number)
        if not is_valid_uscc(code) or not is_valid_id_number(rep_id):
            return None
        subject = await Subject.get_or_none(uscc=code)
        if subject is None or subject.kind == SubjectKind.NATURAL_PERSON:
            return None
        index = pii.cipher().blind_index(rep_id, context=pii.ID_CONTEXT)
        checks = (
            _same(subject.name, _clean(name)),
            _same(subject.legal_rep_name, _clean(rep_name)),
            _same(subject.legal_rep_id_index, index),
        )
        registered = subject_phone(subject)
        if not all(checks) or not registered:
            return None
        return Match(registered, subject.id, index, subject.legal_rep_name or "")


# name -> verifier class; chosen by the IDENTITY_VERIFIER setting
VERIFIERS: dict[str, type] = {"registry": RegistryVerifier}


def make_verifier(name: str = "registry") -> IdentityVerifier:
    return VERIFIERS[name]()
