"""Credit repair: eligibility per record, the commitment letter, apply, add material, withdraw."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, JSONResponse, json, raw
from sanic_ext import openapi

from handlers.auth import principal_of, scope_required, staff_required
from handlers.case_schemas import (
    CASE_VIEW,
    IDEMPOTENCY_HEADER,
    MaterialIn,
    WithdrawIn,
    idempotency_key,
)
from handlers.schemas import error
from selfservice.cases.actors import actor_of
from selfservice.cases.views import own_case, subject_view
from selfservice.repairs import service
from selfservice.repairs.national import ManualIntake

bp = Blueprint("repairs", url_prefix="/api/v1")


class RepairIn(BaseModel):
    record_id: int
    statement: str = Field(min_length=5, max_length=2000, description="how it was corrected")
    evidence: list[str] = Field(
        default_factory=list, max_length=50, description="evidence ids: proof of fulfilment"
    )
    commitment_accepted: bool = Field(description="the subject accepts the generated letter")


class RuleRef(BaseModel):
    id: str | None = None
    title: str | None = None
    source: str | None = None
    level: str | None = None


class ReasonOut(BaseModel):
    code: str
    message: str
    rule: RuleRef | None = None


class ChecklistItemOut(BaseModel):
    code: str
    label: str
    required: bool


class EligibilityOut(BaseModel):
    record_id: int
    eligible: bool
    available_from: str | None = Field(None, description="first day an application is possible")
    route: str | None = Field(None, description="local_decide | national_forward")
    route_label: str | None = None
    checklist: list[ChecklistItemOut]
    reasons: list[ReasonOut]
    free_of_charge: bool
    commitment_url: str


FILED = CASE_VIEW | {"notice": str}


@bp.before_server_start
async def _intake(app: Sanic) -> None:
    if not hasattr(app.ctx, "national_intake"):
        app.ctx.national_intake = ManualIntake()


def _pdf(document: bytes, name: str) -> HTTPResponse:
    return raw(
        document,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


async def _view(request: Request, receipt: str) -> dict:
    case = await own_case(subject_id=principal_of(request).subject_id, receipt=receipt)
    return await subject_view(case=case, today=request.app.ctx.clock.today())


@bp.get("/me/records/<record_id:int>/repair")
@openapi.summary("Whether, from when and by which route one of your records can be repaired")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": EligibilityOut})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("record_not_found (also for another subject's record)"))
@scope_required("repair")
async def eligibility(request: Request, record_id: int) -> JSONResponse:
    answer = await service.check(
        subject_id=principal_of(request).subject_id,
        record_id=record_id,
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
    )
    url = f"/api/v1/me/records/{record_id}/repair/commitment.pdf"
    return json(EligibilityOut.model_validate({**answer, "commitment_url": url}).model_dump())


@bp.get("/me/records/<record_id:int>/repair/commitment.pdf")
@openapi.summary("The 信用修复承诺书 of one of your records, as PDF")
@openapi.secured("bearer")
@openapi.response(200, {"application/pdf": bytes})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("record_not_found"))
@scope_required("repair")
async def commitment(request: Request, record_id: int) -> HTTPResponse:
    document = await service.own_letter(
        subject_id=principal_of(request).subject_id,
        record_id=record_id,
        today=request.app.ctx.clock.today(),
    )
    return _pdf(document, f"commitment-{record_id}.pdf")


@bp.post("/repairs")
@openapi.summary("Apply for the repair of one of your records (free of charge)")
@openapi.secured("bearer")
@openapi.parameter(IDEMPOTENCY_HEADER, str, "header", description="retry-safe submission key")
@openapi.body({"application/json": RepairIn}, required=True)
@openapi.response(201, {"application/json": FILED}, "filed")
@openapi.response(200, {"application/json": FILED}, "replay of an earlier submission")
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("record_not_found, evidence_not_found"))
@openapi.response(409, *error("repair_not_eligible, repair_already_open, idempotency_key_reused"))
@openapi.response(422, *error("validation_failed, evidence_limit"))
@scope_required("repair")
async def apply(request: Request) -> JSONResponse:
    body = RepairIn.model_validate(request.json or {})
    principal = principal_of(request)
    today = request.app.ctx.clock.today()
    case, created = await service.file(
        actor=actor_of(principal),
        application=service.Application(
            body.record_id, body.statement, tuple(body.evidence), body.commitment_accepted
        ),
        policy=request.app.ctx.policy,
        today=today,
        intake=request.app.ctx.national_intake,
        account_id=principal.account_id,
        idempotency_key=idempotency_key(request),
        max_files=request.app.ctx.settings.upload_max_files,
    )
    view = await subject_view(case=case, today=today)
    return json(view | {"notice": service.FREE_NOTICE}, status=201 if created else 200)


@bp.post("/repairs/<receipt:str>/material")
@openapi.summary("Add a statement or files to your repair application before the decision")
@openapi.secured("bearer")
@openapi.parameter(IDEMPOTENCY_HEADER, str, "header", description="retry-safe submission key")
@openapi.body({"application/json": MaterialIn}, required=True)
@openapi.response(200, {"application/json": CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found, evidence_not_found"))
@openapi.response(409, *error("bad_case_transition (already decided)"))
@openapi.response(422, *error("validation_failed, evidence_limit"))
@scope_required("repair")
async def add_material(request: Request, receipt: str) -> JSONResponse:
    body = MaterialIn.model_validate(request.json or {})
    case = await service.add_material(
        actor=actor_of(principal_of(request)),
        receipt=receipt.upper(),
        statement=body.statement,
        evidence_ids=tuple(body.evidence),
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        idempotency_key=idempotency_key(request),
        max_files=request.app.ctx.settings.upload_max_files,
    )
    return json(await _view(request, case.receipt))


@bp.post("/repairs/<receipt:str>/withdraw")
@openapi.summary("Withdraw your repair application before the decision (repeatable)")
@openapi.secured("bearer")
@openapi.body({"application/json": WithdrawIn})
@openapi.response(200, {"application/json": CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found"))
@openapi.response(409, *error("bad_case_transition (already decided)"))
@scope_required("repair")
async def withdraw(request: Request, receipt: str) -> JSONResponse:
    body = WithdrawIn.model_validate(request.json or {})
    case = await service.withdraw(
        actor=actor_of(principal_of(request)),
        receipt=receipt.upper(),
        reason=body.reason,
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
    )
    return json(await _view(request, case.receipt))


@bp.get("/staff/repairs/<receipt:str>/commitment.pdf")
@openapi.summary("The commitment letter the applicant accepted (staff who may see the case)")
@openapi.secured("bearer")
@openapi.response(200, {"application/pdf": bytes})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("case_not_found"))
@staff_required()
async def staff_commitment(request: Request, receipt: str) -> HTTPResponse:
    document = await service.case_letter(
        actor=actor_of(principal_of(request)), receipt=receipt.upper()
    )
    return _pdf(document, f"commitment-{receipt.upper()}.pdf")
