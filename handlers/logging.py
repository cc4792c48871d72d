"""Request-id propagation into every log line via a context variable and a logging filter."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from selfservice.reports.policy import is_confidential_path

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def _method_path(record: logging.LogRecord) -> tuple[str, str]:
    """Method and path (no host, no query string) of an access record."""
    method, _, url = str(getattr(record, "request", "")).partition(" ")
    path = url.split("?", 1)[0]
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return method, path


class ConfidentialAccessFilter(logging.Filter):
    """On the report routes an access record keeps no client address (reports/policy.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if is_confidential_path(_method_path(record)[1]):
            for name in ("host", "user_agent", "openid"):
                if hasattr(record, name):
                    setattr(record, name, "-")
        return True


class AccessFormatter(logging.Formatter):
    """Method, path (no query string) and status: no client IP, since reports may be anonymous."""

    def format(self, record: logging.LogRecord) -> str:
        method, path = _method_path(record)
        record.msg = (
            f"{method} {path} {getattr(record, 'status', '')} {getattr(record, 'byte', '')}"
        )
        record.args = ()
        return super().format(record)


def new_request_id(incoming: str | None) -> str:
    """Reuse a well-formed ``X-Request-ID`` from the proxy, else mint one."""
    if incoming and _VALID_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def logging_config() -> dict:
    """Sanic's ``log_config`` with the request id in every line, access and errors included."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    loggers = (
        "sanic.root",
        "sanic.error",
        "sanic.access",
        "sanic.server",
        "selfservice",
        "handlers",
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "confidential": {"()": ConfidentialAccessFilter},
        },
        "formatters": {
            "plain": {"format": LOG_FORMAT},
            "access": {"()": AccessFormatter, "fmt": LOG_FORMAT},
        },
        "handlers": {"console": handler, "access": handler | {"formatter": "access"}},
        "loggers": {name: {"level": "INFO", "handlers": ["console"]} for name in loggers}
        | {
            "sanic.access": {
                "level": "INFO",
                "handlers": ["access"],
                "filters": ["confidential"],
                "propagate": False,
            }
        },
    }
