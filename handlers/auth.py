"""Route guards: the one place that decides who may call a route (``subject``, ``staff``, ``provider``).

A subject only ever reaches its own data: a request for another subject's object answers 404,
never 403, so existence does not leak.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache, wraps
from typing import TypeVar

from sanic import Request
from tortoise.models import Model

from selfservice.auth import revocation
from selfservice.auth.tokens import Principal, verify_access_token
from selfservice.errors import Forbidden, NotFound, Unauthorized
from selfservice.settings import Settings
from selfservice.staff import scope
from selfservice.staff.service import authenticate_provider
from selfservice.verification.agents import require_scope

API_KEY_HEADER = "x-api-key"
M = TypeVar("M", bound=Model)


def client_address(request: Request) -> str:
    """The caller's address: as the trusted proxy reports it (``PROXIES_COUNT``,
    ``REAL_IP_HEADER`` or ``FORWARDED_SECRET``), else the peer of the connection."""
    return request.remote_addr or request.ip or ""


@lru_cache(maxsize=4)
def _address_key(secret: str, day: date) -> bytes:
    return hmac.new(
        secret.encode(), f"client-address:{day.isoformat()}".encode(), "sha256"
    ).digest()


def address_tag(settings: Settings, address: str, *, day: date | None = None) -> str:
    """A keyed hash of an address; the key changes every UTC day, so tags do not link days."""
    key = _address_key(settings.secret_key.reveal(), day or datetime.now(UTC).date())
    return hmac.new(key, address.encode(), "sha256").hexdigest()[:32]


def client_ip(request: Request) -> str:
    """The caller's address for per-address limits, as a daily-keyed hash: never in clear."""
    return address_tag(request.app.ctx.settings, client_address(request))


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


def principal_of(request: Request) -> Principal:
    principal = getattr(request.ctx, "principal", None)
    if principal is None:
        principal = verify_access_token(settings=request.app.ctx.settings, token=_bearer(request))
        request.ctx.principal = principal
    return principal


async def authenticate(request: Request) -> Principal:
    """Verify the bearer token, and that the token, its session and its account stand now
    (roles and department as the staff row has them, not as the token claims)."""
    claimed = principal_of(request)
    if getattr(request.ctx, "checked", False):
        return claimed
    request.ctx.principal = None
    principal = await revocation.current(store=request.app.ctx.store, principal=claimed)
    request.ctx.principal, request.ctx.checked = principal, True
    return principal


def _not_verified() -> Forbidden:
    return Forbidden("请先完成身份核验", "Identity verification required", code="not_verified")


def account_required(handler: Callable) -> Callable:
    """Any signed-in end user, verified or not (sign-in, verification and agent requests)."""

    @wraps(handler)
    async def guarded(request: Request, *args, **kwargs):
        principal = await authenticate(request)
        if principal.kind != "subject" or principal.account_id is None:
            raise Forbidden()
        return await handler(request, *args, **kwargs)

    return guarded


def subject_required(handler: Callable) -> Callable:
    """A verified subject (or an agent acting for one) only ever reaches its own data."""

    @wraps(handler)
    async def guarded(request: Request, *args, **kwargs):
        principal = await authenticate(request)
        if principal.kind != "subject" or principal.subject_id is None:
            raise _not_verified()
        return await handler(request, *args, **kwargs)

    return guarded


def check_scope(principal: Principal, *needed: str) -> None:
    """A subject's token must grant one of ``needed`` (agents); staff and providers pass."""
    if principal.kind == "subject":
        require_scope(principal.scopes, *needed)


def scope_required(*needed: str) -> Callable[[Callable], Callable]:
    """A verified subject, or an agent whose authorisation grants one of ``needed``."""

    def decorate(handler: Callable) -> Callable:
        @wraps(handler)
        async def guarded(request: Request, *args, **kwargs):
            principal = await authenticate(request)
            if principal.kind != "subject" or principal.subject_id is None:
                raise _not_verified()
            check_scope(principal, *needed)
            return await handler(request, *args, **kwargs)

        return guarded

    return decorate


def staff_required(*roles: str) -> Callable[[Callable], Callable]:
    def decorate(handler: Callable) -> Callable:
        @wraps(handler)
        async def guarded(request: Request, *args, **kwargs):
            principal = await authenticate(request)
            if principal.kind != "staff" or (roles and not set(roles) & set(principal.roles)):
                raise Forbidden()
            return await handler(request, *args, **kwargs)

        return guarded

    return decorate


def provider_required(handler: Callable) -> Callable:
    """A provider system authenticated by its ``X-Api-Key`` (scoped to its department)."""

    @wraps(handler)
    async def guarded(request: Request, *args, **kwargs):
        api_key = request.headers.get(API_KEY_HEADER, "")
        if not api_key:
            raise Unauthorized()
        row = await authenticate_provider(api_key=api_key)
        request.ctx.principal = Principal(
            kind="provider",
            roles=("provider",),
            department_id=row.department_id,
            token_id=f"key:{row.id}",
        )
        return await handler(request, *args, **kwargs)

    return guarded


async def own_or_404(
    request: Request, model: type[M], object_id: int, *, field: str = "subject_id"
) -> M:
    """Fetch ``model`` by id only if it belongs to the caller's subject; otherwise 404."""
    principal = principal_of(request)
    if principal.subject_id is None:
        raise NotFound()
    row = await model.get_or_none(id=object_id, **{field: principal.subject_id})
    if row is None:
        raise NotFound()
    return row


async def require_department(request: Request, department_id: int) -> None:
    """Staff may act only inside their department (and county children where the role allows)."""
    if not await scope.department_in_scope(principal_of(request), department_id):
        raise NotFound()


async def departments_of(request: Request) -> set[int]:
    return await scope.departments_in_scope(principal_of(request))
