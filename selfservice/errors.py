"""Typed domain errors: each carries an HTTP-like status, a stable code and a bilingual message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user may see; rendered once by the HTTP error handler."""

    status: int = 400
    code: str = "bad_request"
    message_zh: str = "请求有误"
    message_en: str = "Bad request"

    def __init__(
        self,
        message_zh: str | None = None,
        message_en: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        if message_zh is not None:
            self.message_zh = message_zh
        if message_en is not None:
            self.message_en = message_en
        if code is not None:
            self.code = code
        self.details = details
        super().__init__(f"{self.code}: {self.message_en}")

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationFailed(DomainError):
    status, code = 422, "validation_failed"
    message_zh, message_en = "提交的内容不符合要求", "The submitted data is not valid"


class NotFound(DomainError):
    status, code = 404, "not_found"
    message_zh, message_en = "未找到", "Not found"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"
    message_zh, message_en = "请先登录", "Authentication required"


class Forbidden(DomainError):
    status, code = 403, "forbidden"
    message_zh, message_en = "没有权限", "Not allowed"


class Conflict(DomainError):
    status, code = 409, "conflict"
    message_zh, message_en = "与当前状态冲突", "Conflicts with the current state"


class TooManyRequests(DomainError):
    status, code = 429, "too_many_requests"
    message_zh, message_en = "操作过于频繁，请稍后再试", "Too many requests, try again later"


class ServiceUnavailable(DomainError):
    status, code = 503, "unavailable"
    message_zh, message_en = "服务暂时不可用", "Service temporarily unavailable"


class ConfigError(Exception):
    """A missing or malformed setting; raised at startup, never shown to end users."""
