"""Credit pledges: templates and the public wall (no login); sign, material, withdraw, PDF."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, JSONResponse, json, raw
from sanic_ext import openapi

from handlers.auth import principal_of, scope_required
from handlers.case_schemas import MaterialIn, WithdrawIn
from handlers.schemas import error
from selfservice.cases import service as cases
from selfservice.cases.actors import actor_of
from selfservice.cases.enums import CaseKind
from selfservice.cases.flows import MoveIn
from selfservice.errors import ValidationFailed
from selfservice.pledges import pdf, service, wall
from selfservice.pledges.views import own_view

bp = Blueprint("pledges", url_prefix="/api/v1")
IDEMPOTENCY_HEADER = "idempotency-key"


class PledgeIn(BaseModel):
    type: str = Field(
        description="notify | missing_materials | certificate | repair | industry | public | other"
    )
    values: dict[str, Any] = Field(default_factory=dict, description="the type's fields")
    department_id: int | None = Field(None, description="the accepting department")
    publish: bool = Field(False, description="consent to publish (always for industry / public)")


class TemplateField(BaseModel):
    name: str
    label: str
    kind: str = Field(description="text | list | working_days")
    required: bool
    max: int | None = None
    rule: str | None = None


class Template(BaseModel):
    code: str
    label: str
    short: str
    description: str
    publish: str = Field(description="always | optional")
    simplified_procedure: bool
    needs_department: bool
    valid_months: int | None = None
    fields: list[TemplateField]
    body: str
    consent_clause: str
    private_clause: str | None = None
    liability_clause: str


class Templates(BaseModel):
    version: str
    items: list[Template]


class Signer(BaseModel):
    role: str
    role_label: str


class PledgeView(BaseModel):
    receipt: str
    type: str
    type_label: str
    title: str
    status: str
    status_label: str
    kept: str
    signed_on: str
    due_on: str | None = None
    valid_until: str | None = None
    closed_on: str | None = None
    public: bool
    department: str
    values: dict[str, Any]
    text: str
    text_sha256: str
    template_version: str
    signer: Signer
    breach_record_id: int | None = None
    pdf: str


class WallItem(BaseModel):
    receipt: str
    name: str = Field(description="enterprise name; a person's name masked")
    code: str | None = Field(None, description="统一社会信用代码 (enterprises only)")
    subject_kind: str
    type: str
    type_label: str
    text: str
    signed_on: str
    valid_until: str | None = None
    status: str
    status_label: str


class WallPage(BaseModel):
    items: list[WallItem]
    page: int
    per_page: int
    total: int
    q: str


def _key(request: Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    return key[:128] or None


def _int_arg(request: Request, name: str, default: int) -> int:
    value = request.args.get(name, str(default))
    if not value.isdigit():
        raise ValidationFailed(details=[{"field": name, "problem": "a positive integer"}])
    return int(value)


async def _view(request: Request, receipt: str, status: int = 200) -> JSONResponse:
    pledge, case = await service.own(subject_id=principal_of(request).subject_id, receipt=receipt)
    view = PledgeView.model_validate(await own_view(pledge=pledge, case=case))
    return json(view.model_dump(mode="json"), status=status)


@bp.get("/pledges/templates")
@openapi.summary("The pledge types with their fields and clauses (public)")
@openapi.response(200, {"application/json": Templates})
async def templates(request: Request) -> JSONResponse:
    body = service.templates(policy=request.app.ctx.policy, today=request.app.ctx.clock.today())
    return json(Templates.model_validate(body).model_dump(mode="json"))


@bp.post("/pledges")
@openapi.summary("Sign a credit pledge; its text is frozen with a SHA-256 hash (receipt CN…)")
@openapi.secured("bearer")
@openapi.parameter(IDEMPOTENCY_HEADER, str, "header", description="retry-safe submission key")
@openapi.body({"application/json": PledgeIn}, required=True)
@openapi.response(201, {"application/json": PledgeView}, "signed")
@openapi.response(200, {"application/json": PledgeView}, "replay of an earlier submission")
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("unknown_pledge_type"))
@openapi.response(409, *error("simplified_procedure_barred, idempotency_key_reused"))
@openapi.response(422, *error("validation_failed, personal_data_in_public_pledge"))
@scope_required("pledge")
async def sign(request: Request) -> JSONResponse:
    body = PledgeIn.model_validate(request.json or {})
    principal = principal_of(request)
    case, created = await service.sign(
        actor=actor_of(principal),
        signing=service.Signing(body.type, body.values, body.department_id, body.publish),
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        account_id=principal.account_id,
        authorisation_id=principal.authorisation_id,
        idempotency_key=_key(request),
    )
    return await _view(request, case.receipt, 201 if created else 200)


@bp.get("/pledges/<receipt:str>")
@openapi.summary("One of your pledges: the frozen text, its hash, status and dates")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": PledgeView})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("pledge_not_found"))
@scope_required("pledge")
async def get_pledge(request: Request, receipt: str) -> JSONResponse:
    return await _view(request, receipt)


@bp.get("/pledges/<receipt:str>/pdf")
@openapi.summary("The signed pledge as PDF")
@openapi.secured("bearer")
@openapi.response(200, {"application/pdf": bytes})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("pledge_not_found"))
@scope_required("pledge")
async def pledge_pdf(request: Request, receipt: str) -> HTTPResponse:
    parts = await service.printable(subject_id=principal_of(request).subject_id, receipt=receipt)
    document = await asyncio.to_thread(pdf.render, **parts)
    return raw(
        document,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="pledge-{parts["case"].receipt}.pdf"'},
    )


async def _move(request: Request, receipt: str, ask: MoveIn) -> JSONResponse:
    await cases.act(
        actor=actor_of(principal_of(request)),
        receipt=receipt.upper(),
        kind=CaseKind.PLEDGE,
        ask=ask,
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        max_files=request.app.ctx.settings.upload_max_files,
    )
    return await _view(request, receipt)


@bp.post("/pledges/<receipt:str>/material")
@openapi.summary("Upload the promised materials (容缺) or other material against your pledge")
@openapi.secured("bearer")
@openapi.body({"application/json": MaterialIn}, required=True)
@openapi.response(200, {"application/json": PledgeView})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found, evidence_not_found"))
@openapi.response(409, *error("bad_case_transition (pledge closed)"))
@openapi.response(422, *error("validation_failed, evidence_limit"))
@scope_required("pledge")
async def add_material(request: Request, receipt: str) -> JSONResponse:
    body = MaterialIn.model_validate(request.json or {})
    ask = MoveIn("add_material", reason=body.statement, evidence_ids=body.evidence)
    return await _move(request, receipt, ask)


@bp.post("/pledges/<receipt:str>/withdraw")
@openapi.summary("Withdraw your active pledge; it leaves the public wall")
@openapi.secured("bearer")
@openapi.body({"application/json": WithdrawIn})
@openapi.response(200, {"application/json": PledgeView})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@openapi.response(404, *error("case_not_found"))
@openapi.response(409, *error("bad_case_transition"))
@scope_required("pledge")
async def withdraw(request: Request, receipt: str) -> JSONResponse:
    body = WithdrawIn.model_validate(request.json or {})
    return await _move(request, receipt, MoveIn("withdraw", reason=body.reason))


@bp.get("/public/pledges")
@openapi.summary("The public pledge wall: search by enterprise name or code, paged (no login)")
@openapi.parameter("q", str, "query", description="enterprise name or 统一社会信用代码 (part)")
@openapi.parameter("page", int, "query")
@openapi.parameter("per_page", int, "query", description="1..50, default 20")
@openapi.response(200, {"application/json": WallPage})
@openapi.response(422, *error("bad_paging"))
async def public_wall(request: Request) -> JSONResponse:
    body = await wall.wall(
        q=request.args.get("q", ""),
        page=_int_arg(request, "page", 1),
        per_page=_int_arg(request, "per_page", 20),
    )
    return json(WallPage.model_validate(body).model_dump(mode="json"))
