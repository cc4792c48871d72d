"""Objections: file (with ``Idempotency-Key``), add material, withdraw; the provider's opinion."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import principal_of, provider_required, scope_required
from handlers.case_schemas import (
    CASE_VIEW,
    IDEMPOTENCY_HEADER,
    MaterialIn,
    WithdrawIn,
    idempotency_key,
)
from handlers.schemas import error
from handlers.validation import DbId
from selfservice.cases import service as cases
from selfservice.cases.actors import actor_of
from selfservice.cases.enums import CaseKind
from selfservice.cases.flows import MoveIn
from selfservice.cases.views import own_case, subject_view
from selfservice.objections import service
from selfservice.objections.enums import ObjectionType

bp = Blueprint("objections", url_prefix="/api/v1")


class ObjectionIn(BaseModel):
    record_id: DbId
    type: ObjectionType = Field(
        description="content_wrong | period_wrong | repair_result_wrong | other"
    )
    statement: str = Field(min_length=5, max_length=2000)
    evidence: list[str] = Field(default_factory=list, max_length=50, description="evidence ids")


class OpinionIn(BaseModel):
    opinion: str = Field(min_length=1, max_length=5000, description="the written opinion")
    evidence: list[str] = Field(default_factory=list, max_length=50)


async def _view(request: Request, receipt: str) -> JSONResponse:
    principal = principal_of(request)
    case = await own_case(subject_id=principal.subject_id, receipt=receipt)
    return json(await subject_view(case=case, today=request.app.ctx.clock.today()))


@bp.post("/objections")
@openapi.summary("File an objection to one of your records; it is marked 异议处理中 at once")
@openapi.secured("bearer")
@openapi.parameter(IDEMPOTENCY_HEADER, str, "header", description="retry-safe submission key")
@openapi.body({"application/json": ObjectionIn}, required=True)
@openapi.response(201, {"application/json": CASE_VIEW}, "filed")
@openapi.response(200, {"application/json": CASE_VIEW}, "replay of an earlier submission")
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("record_not_found, evidence_not_found"))
@openapi.response(409, *error("objection_already_open, idempotency_key_reused"))
@openapi.response(422, *error("validation_failed, evidence_limit"))
@scope_required("objection")
async def file_objection(request: Request) -> JSONResponse:
    body = ObjectionIn.model_validate(request.json or {})
    principal = principal_of(request)
    settings = request.app.ctx.settings
    case, created = await service.file(
        actor=actor_of(principal),
        filing=service.Filing(
            body.record_id, body.type.value, body.statement, tuple(body.evidence)
        ),
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        account_id=principal.account_id,
        idempotency_key=idempotency_key(request),
        max_files=settings.upload_max_files,
    )
    view = await subject_view(case=case, today=request.app.ctx.clock.today())
    return json(view, status=201 if created else 200)


@bp.post("/objections/<receipt:str>/material")
@openapi.summary("Add a statement or files to your open objection")
@openapi.secured("bearer")
@openapi.body({"application/json": MaterialIn}, required=True)
@openapi.response(200, {"application/json": CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found, evidence_not_found"))
@openapi.response(409, *error("bad_case_transition (already decided)"))
@openapi.response(422, *error("validation_failed, evidence_limit"))
@scope_required("objection")
async def add_material(request: Request, receipt: str) -> JSONResponse:
    body = MaterialIn.model_validate(request.json or {})
    await cases.act(
        actor=actor_of(principal_of(request)),
        receipt=receipt.upper(),
        kind=CaseKind.OBJECTION,
        ask=MoveIn("add_material", reason=body.statement, evidence_ids=body.evidence),
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        max_files=request.app.ctx.settings.upload_max_files,
    )
    return await _view(request, receipt.upper())


@bp.post("/objections/<receipt:str>/withdraw")
@openapi.summary("Withdraw your objection before the decision; the record's mark is removed")
@openapi.secured("bearer")
@openapi.body({"application/json": WithdrawIn})
@openapi.response(200, {"application/json": CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found"))
@openapi.response(409, *error("bad_case_transition (already decided or closed)"))
@scope_required("objection")
async def withdraw(request: Request, receipt: str) -> JSONResponse:
    body = WithdrawIn.model_validate(request.json or {})
    await cases.act(
        actor=actor_of(principal_of(request)),
        receipt=receipt.upper(),
        kind=CaseKind.OBJECTION,
        ask=MoveIn("withdraw", reason=body.reason),
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
    )
    return await _view(request, receipt.upper())


@bp.post("/provider/objections/<receipt:str>/opinion")
@openapi.summary("The provider's written opinion on an objection to one of its records")
@openapi.parameter("X-Api-Key", str, "header", required=True)
@openapi.body({"application/json": OpinionIn}, required=True)
@openapi.response(200, {"application/json": {"receipt": str, "status": str}})
@openapi.response(401, *error("unauthorized, invalid_api_key"))
@openapi.response(404, *error("case_not_found"))
@openapi.response(409, *error("bad_case_transition"))
@openapi.response(422, *error("validation_failed, reason_required"))
@provider_required
async def provider_opinion(request: Request, receipt: str) -> JSONResponse:
    body = OpinionIn.model_validate(request.json or {})
    case = await cases.act(
        actor=actor_of(principal_of(request)),
        receipt=receipt.upper(),
        kind=CaseKind.OBJECTION,
        ask=MoveIn("opinion", reason=body.opinion, evidence_ids=body.evidence),
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
    )
    return json({"receipt": case.receipt, "status": case.status})
