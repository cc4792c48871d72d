"""Subjects: registration from provider data and lookup by USCC or resident ID."""

from __future__ import annotations

from selfservice.enums import SubjectKind
from selfservice.errors import NotFound, ValidationFailed
from selfservice.identifiers import (
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_uscc,
    normalize_id_number,
    normalize_uscc,
)
from selfservice.subjects import pii
from selfservice.subjects.models import Subject


class InvalidIdentifier(ValidationFailed):
    code = "invalid_identifier"
    message_zh = "统一社会信用代码或身份证号码无效"
    message_en = "Not a valid unified social credit code or resident ID number"


def parse_identifier(raw: str) -> tuple[str, str]:
    """Return ``("uscc" | "id_number", normalised)`` or raise InvalidIdentifier."""
    value = normalize_uscc(raw)
    if is_valid_id_number(value):
        return "id_number", value
    if is_valid_uscc(value):
        return "uscc", value
    raise InvalidIdentifier()


async def find_by_identifier(*, identifier: str) -> Subject:
    """Look a subject up by USCC or resident ID (through the blind index); NotFound otherwise."""
    kind, value = parse_identifier(identifier)
    if kind == "uscc":
        subject = await Subject.get_or_none(uscc=value)
    else:
        index = pii.cipher().blind_index(value, context=pii.ID_CONTEXT)
        subject = await Subject.get_or_none(id_number_index=index)
    if subject is None:
        raise NotFound("未找到该主体", "Subject not found")
    return subject


async def upsert(
    *,
    kind: SubjectKind,
    name: str,
    uscc: str | None = None,
    id_number: str | None = None,
    legal_rep_name: str | None = None,
    legal_rep_id: str | None = None,
    phone: str | None = None,
    region_code: str = "",
) -> Subject:
    """Create or update a subject keyed by its USCC (enterprises) or resident ID (citizens)."""
    cipher = pii.cipher()
    fields: dict = {"kind": kind, "name": name, "region_code": region_code}
    if uscc is not None:
        uscc = normalize_uscc(uscc)
        if not is_valid_uscc(uscc):
            raise InvalidIdentifier()
    if id_number is not None:
        id_number = normalize_id_number(id_number)
        if not is_valid_id_number(id_number):
            raise InvalidIdentifier()
        fields["id_number_enc"] = cipher.encrypt(id_number, context=pii.ID_CONTEXT)
    if legal_rep_id is not None:
        legal_rep_id = normalize_id_number(legal_rep_id)
        fields["legal_rep_name"] = legal_rep_name
        fields["legal_rep_id_enc"] = cipher.encrypt(legal_rep_id, context=pii.REP_ID_CONTEXT)
        fields["legal_rep_id_index"] = cipher.blind_index(legal_rep_id, context=pii.ID_CONTEXT)
    if phone is not None:
        fields["phone_enc"] = cipher.encrypt(phone, context=pii.PHONE_CONTEXT)
    if uscc is not None:
        subject, _ = await Subject.update_or_create(defaults=fields, uscc=uscc)
    elif id_number is not None:
        index = cipher.blind_index(id_number, context=pii.ID_CONTEXT)
        subject, _ = await Subject.update_or_create(defaults=fields, id_number_index=index)
    else:
        raise InvalidIdentifier()
    return subject


def id_number(subject: Subject) -> str | None:
    if not subject.id_number_enc:
        return None
    return pii.cipher().decrypt(subject.id_number_enc, context=pii.ID_CONTEXT)


def phone(subject: Subject) -> str | None:
    if not subject.phone_enc:
        return None
    return pii.cipher().decrypt(subject.phone_enc, context=pii.PHONE_CONTEXT)


def public_view(subject: Subject) -> dict:
    """What any response may show of a subject: identifiers and personal names masked."""
    person = subject.kind == SubjectKind.NATURAL_PERSON
    number = id_number(subject)
    tel = phone(subject)
    return {
        "id": subject.id,
        "kind": subject.kind.value,
        "name": mask_name(subject.name) if person else subject.name,
        "uscc": mask_uscc(subject.uscc) if subject.uscc else None,
        "id_number": mask_id_number(number) if number else None,
        "legal_representative": mask_name(subject.legal_rep_name or "") or None,
        "phone": mask_phone(tel) if tel else None,
        "region_code": subject.region_code,
    }
