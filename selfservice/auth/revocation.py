"""Whether a signed-in principal may still act: its token, session and account as they are now.

Every authenticated request checks the principal's current state. Staff rows are read from the
database each time (few, privileged, and deactivated by hand); for accounts, agents, sessions and
tokens a short-lived entry in the shared store stands in front of the database. A revocation
writes the database first and then overwrites the entry, so it holds at once on every worker, and
still holds when the store has lost its data (the next miss reads the database). When neither can
be read the request is refused (503), never let through.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from selfservice.accounts.models import Account, AgentAuthorisation
from selfservice.auth.models import RefreshToken, RevokedToken
from selfservice.auth.tokens import ACCESS_TTL, InvalidToken, Principal
from selfservice.errors import DomainError, ServiceUnavailable
from selfservice.staff.models import StaffUser
from selfservice.store import SharedStore, key
from selfservice.subjects.models import Subject

CACHE_TTL = 10.0
"""Seconds a looked-up state is trusted without the database (changes made outside the service
functions, e.g. a row deleted by hand, take at most this long)."""
DEAD = "-"


class SecurityStateUnavailable(ServiceUnavailable):
    code = "security_state_unavailable"
    message_zh, message_en = (
        "暂时无法确认登录状态，请稍后重试",
        "Sign-in state cannot be checked right now, retry shortly",
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _key(kind: str, ident: object) -> str:
    return key("auth", "live", kind, ident)


Loader = Callable[[], Awaitable[tuple[str, float]]]


async def _token_state(jti: str) -> tuple[str, float]:
    return (DEAD if await RevokedToken.exists(jti=jti) else "ok"), CACHE_TTL


async def _family_state(family: str) -> tuple[str, float]:
    revoked = await RefreshToken.filter(family=family, revoked_at__isnull=False).exists()
    return (DEAD if revoked else "ok"), CACHE_TTL


async def _account_state(account_id: int) -> tuple[str, float]:
    account = await Account.get_or_none(id=account_id)
    return (DEAD if account is None else f"s{account.subject_id or ''}"), CACHE_TTL


async def _agent_state(authorisation_id: int) -> tuple[str, float]:
    from selfservice.auth.sessions import authorisation_active

    auth = await AgentAuthorisation.get_or_none(id=authorisation_id)
    if auth is None or not authorisation_active(auth):
        return DEAD, CACHE_TTL
    left = (auth.valid_until - _now()).total_seconds()
    return f"a{auth.account_id}", max(0.5, min(CACHE_TTL, left))


async def _subject_state(subject_id: int) -> tuple[str, float]:
    return ("ok" if await Subject.exists(id=subject_id) else DEAD), CACHE_TTL


def _expected(principal: Principal) -> list[tuple[str, object, Loader, str | None]]:
    """What the principal rests on: (kind, id, database loader, the state it needs)."""
    p = principal
    needs: list[tuple[str, object, Loader, str | None]] = [
        ("jti", p.token_id, lambda: _token_state(p.token_id), None)
    ]
    if p.family:
        needs.append(("fam", p.family, lambda: _family_state(p.family), None))
    if p.kind == "subject":
        if p.authorisation_id is not None:
            expected = f"a{p.account_id}"
            needs.append(
                ("agent", p.authorisation_id, lambda: _agent_state(p.authorisation_id), expected)
            )
        elif p.account_id is not None:
            expected = None if p.subject_id is None else f"s{p.subject_id}"
            needs.append(("acct", p.account_id, lambda: _account_state(p.account_id), expected))
        elif p.subject_id is not None:
            needs.append(("subj", p.subject_id, lambda: _subject_state(p.subject_id), None))
        else:
            raise InvalidToken()
    return needs


async def _staff(principal: Principal) -> Principal:
    """Roles and department as the staff row has them now (a token's claims are not trusted)."""
    if principal.staff_id is None:
        raise InvalidToken()
    staff = await StaffUser.get_or_none(id=principal.staff_id, active=True)
    if staff is None:
        raise InvalidToken()
    return dataclasses.replace(
        principal, roles=(staff.role.value,), department_id=staff.department_id
    )


def _fits(state: str, expected: str | None) -> bool:
    return expected is None or state == expected


async def _current(store: SharedStore, principal: Principal) -> Principal:
    if principal.kind not in ("subject", "staff"):
        raise InvalidToken()
    needs = _expected(principal)
    cached = await asyncio.gather(*(store.get(_key(kind, ident)) for kind, ident, _, _ in needs))
    for (kind, ident, load, expected), state in zip(needs, cached, strict=True):
        if state is None:
            state, ttl = await load()
            # never over a revocation written meanwhile: that one is set, this one only if absent
            await store.set_if_absent(_key(kind, ident), state, ttl=ttl)
        elif state != DEAD and not _fits(state, expected):
            state, ttl = await load()  # changed since it was cached (e.g. an account just bound)
            if state != DEAD:
                await store.set(_key(kind, ident), state, ttl=ttl)
        if state == DEAD or not _fits(state, expected):
            raise InvalidToken()
    return await _staff(principal) if principal.kind == "staff" else principal


async def current(*, store: SharedStore, principal: Principal) -> Principal:
    """The principal as it stands now; InvalidToken when anything it rests on was revoked."""
    try:
        return await _current(store, principal)
    except DomainError:
        raise
    except Exception as exc:  # the store or the database could not answer: fail closed
        raise SecurityStateUnavailable() from exc


async def _mark_dead(store: SharedStore, kind: str, ident: object, ttl: float) -> None:
    await store.set(_key(kind, ident), DEAD, ttl=max(ttl, CACHE_TTL))


async def revoke_token(*, store: SharedStore, principal: Principal) -> None:
    """End one access token before its expiry."""
    expires = datetime.fromtimestamp(principal.expires_at or 0, UTC)
    expires = max(expires, _now() + timedelta(seconds=1))
    with contextlib.suppress(IntegrityError):  # revoked already
        await RevokedToken.create(jti=principal.token_id, expires_at=expires)
    await RevokedToken.filter(expires_at__lt=_now()).delete()  # past expiry: cannot be presented
    await _mark_dead(store, "jti", principal.token_id, (expires - _now()).total_seconds())


async def family_revoked(*, store: SharedStore, family: str) -> None:
    """Every access token of the session stops at once (its refresh tokens are revoked by the caller)."""
    await _mark_dead(store, "fam", family, ACCESS_TTL)


async def agent_revoked(*, store: SharedStore, authorisation_id: int) -> None:
    await _mark_dead(store, "agent", authorisation_id, ACCESS_TTL)
