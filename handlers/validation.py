"""Input checks at the edge, in one place: path ids, query text and paging, JSON body values.

Every request passes ``check_request`` before its route runs; a route with query parameters
reads them through ``query_of`` and one pydantic model. What the database cannot hold (integers
past its column range, NUL and lone surrogates in text) never reaches it.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sanic import Request, Sanic

from selfservice.errors import NotFound, ValidationFailed

INT_MAX = 2**31 - 1  # PostgreSQL ``integer`` columns
JSON_INT_MAX = 2**53  # the integers every JSON client reads exactly
PATH_TEXT_MAX = 64
QUERY_TEXT_MAX = 512  # room for WeChat signatures and echostr, not for 5,000-char filters
PAGE_MAX = 10_000
PER_PAGE_MAX = 100

DbId = Annotated[int, Field(ge=1, le=INT_MAX, description="an id")]
Page = Annotated[int, Field(ge=1, le=PAGE_MAX)]
PerPage = Annotated[int, Field(ge=1, le=PER_PAGE_MAX)]
QueryText = Annotated[str, Field(max_length=QUERY_TEXT_MAX)]

# C0/C1 controls and UTF-16 surrogates: never in a path or query; in a body only \t \n \r.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
M = TypeVar("M", bound=BaseModel)


class QueryModel(BaseModel):
    """Base of query-string models: unknown parameters are ignored, values are text first."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


def _bad(field: str, problem: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "problem": problem}])


def _check_path(request: Request) -> None:
    """A path id the database cannot hold, or path text no object has, is simply not found."""
    for value in (request.match_info or {}).values():
        if isinstance(value, int) and not 1 <= value <= INT_MAX:
            raise NotFound()
        if isinstance(value, str) and (len(value) > PATH_TEXT_MAX or _CONTROL.search(value)):
            raise NotFound()


def _check_query(request: Request) -> None:
    for name, values in request.args.items():
        for value in values:
            if len(value) > QUERY_TEXT_MAX:
                raise _bad(name, f"at most {QUERY_TEXT_MAX} characters")
            if _CONTROL.search(value):
                raise _bad(name, "control characters are not allowed")


def _walk(value: Any, where: str) -> None:
    if isinstance(value, str):
        if _BODY_CONTROL.search(value):
            raise _bad(where or "body", "control characters are not allowed")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > JSON_INT_MAX:
            raise _bad(where or "body", "number out of range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _bad(where or "body", "number out of range")
    elif isinstance(value, dict):
        for k, v in value.items():
            _walk(k, where)
            _walk(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _walk(v, f"{where}.{i}" if where else str(i))


def _check_json(request: Request) -> None:
    if not request.body or not request.content_type.startswith("application/json"):
        return
    _walk(request.json, "")


async def check_request(request: Request) -> None:
    """Middleware: the checks every route shares, before any route code runs."""
    if request.route is None:
        return
    _check_path(request)
    _check_query(request)
    _check_json(request)


def query_of(request: Request, model: type[M]) -> M:
    """The query string as ``model`` (first value of each parameter); pydantic errors are 422."""
    return model.model_validate({name: values[0] for name, values in request.args.items()})


def install(app: Sanic) -> None:
    app.on_request(check_request, priority=50)
