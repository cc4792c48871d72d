"""The policy in force for the configured jurisdiction, with each rule's source (public)."""

from __future__ import annotations

from datetime import date

from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi
from sanic_ext.extensions.openapi.types import Date

from handlers.schemas import ERROR_JSON
from selfservice.errors import ValidationFailed

bp = Blueprint("policy", url_prefix="/api/v1")

RULE = {
    "id": str,
    "title": str,
    "value": dict,
    "unit": str,
    "level": str,
    "layer": str,
    "status": str,
    "review": str,
    "source": str,
    "effective_from": str,
    "effective_to": str,
    "protects": str,
    "note": str,
}
POLICY = {"jurisdiction": str, "versions": dict, "on": str, "rules": [RULE]}


@bp.get("/policy")
@openapi.summary("Rules in force (national → Yunnan → city) with their sources")
@openapi.parameter("on", Date(), "query", description="date (YYYY-MM-DD), default today")
@openapi.response(200, {"application/json": POLICY})
@openapi.response(422, ERROR_JSON)
async def policy_in_force(request: Request) -> JSONResponse:
    raw_on = request.args.get("on")
    try:
        on = date.fromisoformat(raw_on) if raw_on else request.app.ctx.clock.today()
    except ValueError:
        raise ValidationFailed(details=[{"field": "on", "problem": "YYYY-MM-DD"}]) from None
    return json(request.app.ctx.policy.as_dict(on))
