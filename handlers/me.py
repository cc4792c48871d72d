"""A verified subject's own profile (``/api/v1/me``)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import subject_required
from handlers.schemas import ERROR
from selfservice.auth.tokens import InvalidToken
from selfservice.subjects.models import Subject
from selfservice.subjects.service import public_view

bp = Blueprint("me", url_prefix="/api/v1/me")

_PROFILE = {
    "id": int,
    "kind": str,
    "name": str,
    "uscc": str,
    "id_number": str,
    "legal_representative": str,
    "phone": str,
    "region_code": str,
}


@bp.get("/")
@openapi.summary("The signed-in subject's own profile, identifiers masked")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": _PROFILE})
@openapi.response(401, {"application/json": ERROR})
@openapi.response(403, {"application/json": ERROR})
@subject_required
async def profile(request: Request) -> JSONResponse:
    subject = await Subject.get_or_none(id=request.ctx.principal.subject_id)
    if subject is None:
        raise InvalidToken()
    return json(public_view(subject))
