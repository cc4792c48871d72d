"""Accounts: one per openid (mini-program or official account) or per phone (H5)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from selfservice.accounts.enums import AccountKind
from selfservice.accounts.models import Account
from selfservice.errors import ValidationFailed
from selfservice.subjects import pii

PHONE_INDEX_CONTEXT = "account.phone"


class InvalidPhone(ValidationFailed):
    code = "invalid_phone"
    message_zh, message_en = "手机号码格式不正确", "Not a valid mainland mobile number"


def normalize_phone(raw: str) -> str:
    """An 11-digit mainland mobile number, with an optional +86 prefix removed."""
    phone = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    phone = phone.removeprefix("+86").removeprefix("0086")
    if len(phone) != 11 or not phone.isdigit() or phone[0] != "1" or phone[1] not in "3456789":
        raise InvalidPhone()
    return phone


def phone_index(phone: str) -> str:
    return pii.cipher().blind_index(phone, context=PHONE_INDEX_CONTEXT)


async def for_openid(*, openid: str, kind: AccountKind, unionid: str = "") -> Account:
    """The account of this openid, created on first sign-in; a newly learnt unionid is kept."""
    now = datetime.now(UTC)
    account = await Account.get_or_none(openid=openid)
    if account is None:
        try:
            account = await Account.create(
                kind=kind, openid=openid, unionid=unionid or None, last_login_at=now
            )
        except IntegrityError:  # a concurrent first sign-in of the same openid won the race
            account = await Account.get(openid=openid)
        return account
    account.last_login_at = now
    fields = ["last_login_at"]
    if unionid and account.unionid != unionid:
        account.unionid = unionid
        fields.append("unionid")
    await account.save(update_fields=fields)
    return account


async def for_channel_user(*, openid: str, kind: AccountKind) -> Account:
    """The account behind a chat message: created on first contact, read-only after that."""
    account = await Account.get_or_none(openid=openid)
    return account if account is not None else await for_openid(openid=openid, kind=kind)


async def for_phone(*, phone: str) -> Account:
    """The H5 account of this (already OTP-checked) phone number, created on first sign-in."""
    index = phone_index(phone)
    now = datetime.now(UTC)
    account = await Account.get_or_none(phone_index=index)
    if account is None:
        enc = pii.cipher().encrypt(phone, context=pii.PHONE_CONTEXT)
        try:
            return await Account.create(
                kind=AccountKind.PHONE, phone_enc=enc, phone_index=index, last_login_at=now
            )
        except IntegrityError:
            account = await Account.get(phone_index=index)
    account.last_login_at = now
    await account.save(update_fields=["last_login_at"])
    return account


async def bind(
    *, account: Account, subject_id: int | None, person_index: str | None, person_name: str | None
) -> Account:
    """Record a successful identity verification on the account."""
    if subject_id is not None:
        account.subject_id = subject_id
    if person_index is not None:
        account.person_index = person_index
        account.person_name = person_name
    account.assurance = 2
    account.verified_at = datetime.now(UTC)
    await account.save(
        update_fields=["subject_id", "person_index", "person_name", "assurance", "verified_at"]
    )
    return account
