"""The one error handler: typed domain errors and Sanic's own HTTP errors become JSON, never a trace."""

from __future__ import annotations

import logging

import asyncpg
from pydantic import ValidationError
from sanic import Request, Sanic
from sanic.exceptions import RequestCancelled, SanicException
from sanic.exceptions import ServiceUnavailable as SanicUnavailable
from sanic.handlers import ErrorHandler
from sanic.response import HTTPResponse, JSONResponse, json
from tortoise.exceptions import DBConnectionError, DoesNotExist, OperationalError

from handlers.redis_conn import RedisError
from selfservice.errors import (
    ConfigError,
    DomainError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from selfservice.pgclient import CONNECTION_LOST
from selfservice.store import StoreUnavailable

log = logging.getLogger("handlers.errors")

_HTTP_MESSAGES = {
    400: ("请求格式有误", "Malformed request"),
    401: ("请先登录", "Authentication required"),
    403: ("没有权限", "Not allowed"),
    404: ("未找到", "Not found"),
    405: ("不支持该请求方法", "Method not allowed"),
    408: ("请求超时", "Request timeout"),
    413: ("请求内容过大", "Payload too large"),
    415: ("不支持的内容类型", "Unsupported media type"),
    416: ("请求范围无效", "Range not satisfiable"),
    429: ("操作过于频繁，请稍后再试", "Too many requests"),
    503: ("服务暂时不可用", "Service temporarily unavailable"),
}


# The database went away or is restarting: the request may be retried, it is not a bug.
DB_DOWN = (*CONNECTION_LOST, asyncpg.exceptions.InsufficientResourcesError, DBConnectionError)


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    message_zh, message_en = "数据库暂时不可用，请稍后再试", "Database temporarily unavailable"


def _infrastructure(exc: BaseException) -> DomainError | None:
    """The 4xx or 503 an error of a library or of the infrastructure stands for, if any."""
    cause = exc.__cause__ if isinstance(exc, OperationalError) else exc
    if isinstance(cause, DB_DOWN):
        return DatabaseUnavailable()
    if isinstance(cause, asyncpg.DataError | OverflowError | UnicodeEncodeError):
        return ValidationFailed(details=[{"field": "request", "problem": "value out of range"}])
    if isinstance(exc, DoesNotExist):
        return NotFound()
    return None


def render(error: DomainError) -> JSONResponse:
    return json({"error": error.to_dict()}, status=error.status)


def _from_validation(exc: ValidationError) -> DomainError:
    details = [
        {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
    ]
    return ValidationFailed(details=details)


def _allowed_methods(request: Request) -> list[str]:
    """Methods some route accepts on this path (Sanic omits Allow for dynamic routes)."""
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        try:
            request.app.router.get(request.path, method, request.headers.get("host"))
        except SanicException:
            continue
        allowed.append(method)
    return allowed


def respond(request: Request | None, exc: BaseException) -> JSONResponse:
    if isinstance(exc, DomainError):
        return render(exc)
    if isinstance(exc, ValidationError):
        return render(_from_validation(exc))
    where = f"{request.method} {request.path}" if request is not None else "startup"
    if isinstance(exc, RequestCancelled):  # the client went away: nobody reads this answer
        log.info("client closed the connection on %s", where)
        return render(ServiceUnavailable())
    if isinstance(exc, SanicException) and (
        400 <= exc.status_code < 500 or isinstance(exc, SanicUnavailable)
    ):
        if exc.status_code >= 500:  # Sanic's response timeout: a 503, not a crash
            log.warning("%s on %s: %s", type(exc).__name__, where, exc)
        zh, en = _HTTP_MESSAGES.get(exc.status_code, ("请求有误", "Bad request"))
        error = DomainError(zh, en, code=f"http_{exc.status_code}")
        error.status = exc.status_code
        response = render(error)
        for name, value in (getattr(exc, "headers", None) or {}).items():
            response.headers[name] = value  # e.g. Allow on 405
        if exc.status_code == 405 and "allow" not in response.headers and request is not None:
            response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response
    if isinstance(exc, RedisError | ConfigError):  # the server's trouble, and passing: 503
        log.error("%s on %s: %s", type(exc).__name__, where, exc)
        return render(StoreUnavailable() if isinstance(exc, RedisError) else ServiceUnavailable())
    mapped = _infrastructure(exc)
    if mapped is not None:
        if mapped.status >= 500:
            log.error("%s on %s: %s", type(exc).__name__, where, exc)
            response = render(mapped)
            response.headers["Retry-After"] = "1"
            return response
        return render(mapped)
    log.error("unhandled error on %s", where, exc_info=exc)
    error = DomainError(
        "服务器内部错误，请稍后再试", "Internal error, please retry later", code="internal"
    )
    error.status = 500
    return render(error)


class JsonErrorHandler(ErrorHandler):
    """Also covers errors Sanic raises before a route runs (405, 413, bad headers)."""

    def default(self, request: Request, exception: BaseException) -> HTTPResponse:
        return respond(request, exception)


async def handle(request: Request, exc: Exception) -> JSONResponse:
    return respond(request, exc)


def install(app: Sanic) -> None:
    app.exception(Exception)(handle)
