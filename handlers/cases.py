"""Progress of the subject's own cases: status, timeline, next step, department, deadline."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import principal_of, scope_required, subject_required
from handlers.case_schemas import CASE_BRIEF, CASE_VIEW, MaterialIn, WithdrawIn
from handlers.schemas import error
from selfservice.cases import service as cases
from selfservice.cases.actors import actor_of
from selfservice.cases.flows import MoveIn
from selfservice.cases.views import own_case, own_cases, subject_view

bp = Blueprint("cases", url_prefix="/api/v1/cases")


@bp.get("/")
@openapi.summary("Your cases (objections and, later, repairs, pledges, reports), newest first")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": {"items": [CASE_BRIEF]}})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@scope_required("progress")
async def list_cases(request: Request) -> JSONResponse:
    items = await own_cases(
        subject_id=principal_of(request).subject_id, today=request.app.ctx.clock.today()
    )
    return json({"items": items})


@bp.get("/<receipt:str>")
@openapi.summary("One of your cases by receipt number, e.g. YY20261122-0042")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found (also for another subject's case)"))
@scope_required("progress")
async def get_case(request: Request, receipt: str) -> JSONResponse:
    case = await own_case(subject_id=principal_of(request).subject_id, receipt=receipt)
    return json(await subject_view(case=case, today=request.app.ctx.clock.today()))


@bp.post("/<receipt:str>/material")
@openapi.summary("Add a statement or files to one of your open cases, of any kind")
@openapi.secured("bearer")
@openapi.body({"application/json": MaterialIn}, required=True)
@openapi.response(200, {"application/json": CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found, evidence_not_found"))
@openapi.response(409, *error("bad_case_transition"))
@openapi.response(422, *error("validation_failed, evidence_limit"))
@subject_required
async def add_material(request: Request, receipt: str) -> JSONResponse:
    body = MaterialIn.model_validate(request.json or {})
    ask = MoveIn("add_material", reason=body.statement, evidence_ids=body.evidence)
    return await _move(request, receipt, ask)


@bp.post("/<receipt:str>/withdraw")
@openapi.summary("Withdraw one of your cases, of any kind, before it is decided")
@openapi.secured("bearer")
@openapi.body({"application/json": WithdrawIn})
@openapi.response(200, {"application/json": CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found"))
@openapi.response(409, *error("bad_case_transition"))
@subject_required
async def withdraw(request: Request, receipt: str) -> JSONResponse:
    body = WithdrawIn.model_validate(request.json or {})
    return await _move(request, receipt, MoveIn("withdraw", reason=body.reason))


async def _move(request: Request, receipt: str, ask: MoveIn) -> JSONResponse:
    """The subject's own move; the agent scope of the case's kind is checked by the domain."""
    principal = principal_of(request)
    case = await cases.act(
        actor=actor_of(principal),
        receipt=receipt.upper(),
        ask=ask,
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        max_files=request.app.ctx.settings.upload_max_files,
    )
    return json(await subject_view(case=case, today=request.app.ctx.clock.today()))
