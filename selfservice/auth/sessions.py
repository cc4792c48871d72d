"""Sign-in sessions: access tokens plus rotating refresh tokens grouped in revocable families."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from selfservice.accounts.enums import ALL_SCOPES, AgentStatus, Assurance
from selfservice.accounts.models import Account, AgentAuthorisation
from selfservice.audit import service as audit
from selfservice.auth import revocation
from selfservice.auth.models import RefreshToken
from selfservice.auth.tokens import ACCESS_TTL, InvalidToken, Principal, issue_access_token
from selfservice.enums import ActorKind
from selfservice.settings import Settings
from selfservice.staff.models import StaffUser
from selfservice.store import SharedStore

REFRESH_TTL = 7 * 86_400


class RefreshReused(InvalidToken):
    code = "refresh_reused"
    message_zh, message_en = (
        "登录凭证已被使用，为安全起见已退出所有相关登录",
        "Refresh token reused: the whole session has been revoked",
    )


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    principal: Principal

    def as_dict(self) -> dict:
        p = self.principal
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "refresh_expires_in": self.refresh_expires_in,
            "account_id": p.account_id,
            "subject_id": p.subject_id,
            "assurance": p.assurance,
            "roles": list(p.roles),
            "scopes": list(p.scopes),
        }


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def authorisation_active(auth: AgentAuthorisation, now: datetime | None = None) -> bool:
    now = now or _now()
    return (
        auth.status == AgentStatus.APPROVED
        and auth.valid_until is not None
        and auth.valid_until > now
    )


async def account_principal(
    account: Account, authorisation: AgentAuthorisation | None = None
) -> Principal:
    """The principal of an account, or of an agent acting under an approved authorisation."""
    if authorisation is not None:
        if authorisation.account_id != account.id or not authorisation_active(authorisation):
            raise InvalidToken()
        return Principal(
            kind="subject",
            account_id=account.id,
            subject_id=authorisation.enterprise_id,
            assurance=Assurance.VERIFIED,
            roles=("agent",),
            scopes=tuple(authorisation.granted_scopes),
            authorisation_id=authorisation.id,
        )
    verified = account.subject_id is not None
    return Principal(
        kind="subject",
        account_id=account.id,
        subject_id=account.subject_id,
        assurance=account.assurance,
        scopes=(ALL_SCOPES,) if verified else (),
    )


def staff_principal(staff: StaffUser) -> Principal:
    return Principal(
        kind="staff",
        staff_id=staff.id,
        roles=(staff.role.value,),
        department_id=staff.department_id,
        assurance=Assurance.VERIFIED,
    )


async def _mint(
    *,
    settings: Settings,
    principal: Principal,
    family: str,
    account: Account | None,
    staff: StaffUser | None,
    authorisation: AgentAuthorisation | None,
) -> TokenPair:
    now = _now()
    refresh_ttl = REFRESH_TTL
    access_ttl = ACCESS_TTL
    if authorisation is not None:
        left = int((authorisation.valid_until - now).total_seconds())
        refresh_ttl, access_ttl = min(refresh_ttl, left), min(access_ttl, left)
    raw = secrets.token_urlsafe(32)
    await RefreshToken.create(
        family=family,
        token_hash=_hash(raw),
        account=account,
        staff=staff,
        authorisation_id=authorisation.id if authorisation else None,
        expires_at=now + timedelta(seconds=refresh_ttl),
    )
    principal = Principal(**{**principal.__dict__, "family": family})
    access = issue_access_token(settings=settings, principal=principal, ttl=access_ttl)
    return TokenPair(access, raw, access_ttl, refresh_ttl, principal)


async def start(
    *,
    settings: Settings,
    account: Account | None = None,
    staff: StaffUser | None = None,
    authorisation: AgentAuthorisation | None = None,
) -> TokenPair:
    """Open a new session (a new refresh-token family) for an account or a staff member."""
    if staff is not None:
        principal = staff_principal(staff)
    elif account is not None:
        principal = await account_principal(account, authorisation)
    else:
        raise ValueError("start() needs an account or a staff member")
    return await _mint(
        settings=settings,
        principal=principal,
        family=uuid.uuid4().hex,
        account=account,
        staff=staff,
        authorisation=authorisation,
    )


async def revoke_family(*, store: SharedStore, family: str) -> None:
    """Revoke every refresh token of the family and every access token minted from it."""
    await RefreshToken.filter(family=family, revoked_at__isnull=True).update(revoked_at=_now())
    await revocation.family_revoked(store=store, family=family)


async def refresh(*, settings: Settings, store: SharedStore, refresh_token: str) -> TokenPair:
    """Rotate: the presented token is spent and a new pair issued; a spent token revokes all."""
    row = await RefreshToken.get_or_none(token_hash=_hash(refresh_token))
    now = _now()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise InvalidToken()
    spent = await RefreshToken.filter(id=row.id, used_at__isnull=True).update(used_at=now)
    if not spent:
        await revoke_family(store=store, family=row.family)
        await audit.append(
            actor=audit.Actor(
                ActorKind.STAFF if row.staff_id else ActorKind.SUBJECT,
                str(row.staff_id or row.account_id or ""),
            ),
            action="auth.refresh_reused",
            target=f"session:{row.family[:8]}",
            data={"family_revoked": True},
        )
        raise RefreshReused()
    account = staff = authorisation = None
    if row.staff_id is not None:
        staff = await StaffUser.get_or_none(id=row.staff_id, active=True)
        if staff is None:
            raise InvalidToken()
        principal = staff_principal(staff)
    else:
        account = await Account.get(id=row.account_id)
        if row.authorisation_id is not None:
            authorisation = await AgentAuthorisation.get_or_none(id=row.authorisation_id)
            if authorisation is None:
                raise InvalidToken()
        principal = await account_principal(account, authorisation)
    return await _mint(
        settings=settings,
        principal=principal,
        family=row.family,
        account=account,
        staff=staff,
        authorisation=authorisation,
    )


async def logout(*, store: SharedStore, principal: Principal) -> None:
    """End the caller's session: its refresh family and the access token in hand stop working."""
    if principal.family:
        await revoke_family(store=store, family=principal.family)
    await revocation.revoke_token(store=store, principal=principal)
