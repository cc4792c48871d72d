"""Route guards: the one place that decides who may call a route (``subject``, ``staff``, ``provider``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from sanic import Request

from selfservice.auth.tokens import Principal, verify_access_token
from selfservice.errors import Forbidden, Unauthorized


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


def subject_required(handler: Callable) -> Callable:
    """A verified subject (or an agent acting for one) only ever reaches its own data."""

    @wraps(handler)
    async def guarded(request: Request, *args, **kwargs):
        principal = principal_of(request)
        if principal.kind != "subject" or principal.subject_id is None:
            raise Forbidden(
                "请先完成身份核验", "Identity verification required", code="not_verified"
            )
        return await handler(request, *args, **kwargs)

    return guarded


def staff_required(*roles: str) -> Callable[[Callable], Callable]:
    def decorate(handler: Callable) -> Callable:
        @wraps(handler)
        async def guarded(request: Request, *args, **kwargs):
            principal = principal_of(request)
            if principal.kind != "staff" or (roles and not set(roles) & set(principal.roles)):
                raise Forbidden()
            return await handler(request, *args, **kwargs)

        return guarded

    return decorate
