"""Dishonesty reports: filing (no login needed), follow-up with receipt + secret, the staff thread
and the custodian's unseal. Confidentiality rules live in ``selfservice/reports/policy.py``."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from channels.sms import make_sms_gateway
from handlers.auth import authenticate, client_ip, principal_of, staff_required
from handlers.evidence import EVIDENCE, receive
from handlers.schemas import error
from selfservice.cases.actors import Actor, actor_of
from selfservice.evidence import service as evidence_service
from selfservice.reports import service
from selfservice.reports.categories import TipCategory

bp = Blueprint("tips", url_prefix="/api/v1")
SECRET_HEADER = "x-tip-secret"  # noqa: S105 (a header name)
DEVICE_HEADER = "x-device-id"
IDEMPOTENCY_HEADER = "idempotency-key"
HANDLERS = ("handler", "supervisor", "credit_office")


class PartyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="the reported party")
    identifier: str = Field("", max_length=18, description="统一社会信用代码 or ID number")
    address: str = Field("", max_length=300)


class ReporterIn(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=11, max_length=11)
    otp: str = Field(min_length=4, max_length=8, description="code from POST /api/v1/tips/otp")


class TipFileIn(BaseModel):
    category: TipCategory
    party: PartyIn
    place: str = Field("", max_length=300)
    region_code: str = Field("", max_length=6, description="administrative code of the place")
    happened: str = Field("", max_length=100, description="when it happened")
    facts: str = Field(min_length=service.FACTS_MIN, max_length=service.FACTS_MAX)
    declaration: bool = Field(description="the truthfulness declaration, must be true")
    anonymous: bool = True
    reporter: ReporterIn | None = Field(None, description="required when not anonymous")
    evidence: list[str] = Field(
        default_factory=list, max_length=9, description="a signed-in reporter's evidence ids"
    )


class TipFiledOut(BaseModel):
    receipt: str
    secret: str | None = Field(description="shown once: keep it to follow the tip")
    status: str
    status_label: str
    named: bool
    feedback_due: str | None


class MessageOut(BaseModel):
    at: str | None
    from_: str = Field(alias="from")
    from_label: str
    body: str
    attachments: list[str]


class OutcomeOut(BaseModel):
    outcome: str
    label: str
    summary: str


class EvidenceOut(BaseModel):
    id: str
    name: str
    kind: str
    media_type: str
    size: int
    sha256: str
    created_at: str | None
    url: str


class TipViewOut(BaseModel):
    receipt: str
    status: str
    status_label: str
    progress_label: str
    category: str | None
    category_label: str | None
    filed_on: str
    closed_on: str | None
    handling_department: str
    next_step: str | None
    feedback_due: str | None
    outcome: OutcomeOut | None
    messages: list[MessageOut]
    evidence: list[EvidenceOut]


class TipMessageIn(BaseModel):
    body: str = Field("", max_length=service.MESSAGE_MAX)
    evidence: list[str] = Field(default_factory=list, max_length=9)


class StaffMessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=service.MESSAGE_MAX)


class ThreadOut(BaseModel):
    receipt: str
    messages: list[MessageOut]


class UnsealIn(BaseModel):
    reason: str = Field(min_length=5, max_length=500, description="why, for the audit log")


class ReporterOut(BaseModel):
    name: str
    phone: str
    account_id: int | None


class UnsealOut(BaseModel):
    receipt: str
    reporter: ReporterOut


class OtpIn(BaseModel):
    phone: str = Field(min_length=11, max_length=11)


class OtpOut(BaseModel):
    ttl: int
    resend_after: int


def _secret(request: Request) -> str:
    return request.headers.get(SECRET_HEADER, "")


def _dump(model: type[BaseModel], data: dict) -> dict:
    return model.model_validate(data).model_dump(by_alias=True)


async def _signed_in(request: Request) -> Actor | None:
    """The optional signed-in caller (a subject's account), else anonymous."""
    if not request.headers.get("authorization"):
        return None
    return actor_of(await authenticate(request))


@bp.post("/tips/otp")
@openapi.summary("Send a one-time code to a named reporter's phone")
@openapi.body({"application/json": OtpIn}, required=True)
@openapi.response(200, {"application/json": OtpOut})
@openapi.response(422, *error("validation_failed"))
@openapi.response(429, *error("otp_rate_limited, otp_locked"))
async def send_code(request: Request) -> JSONResponse:
    body = OtpIn.model_validate(request.json or {})
    issued = await service.send_code(
        phone=body.phone,
        settings=request.app.ctx.settings,
        store=request.app.ctx.store,
        sms=make_sms_gateway(request.app.ctx.settings, request.app.ctx.http),
        address=client_ip(request),
    )
    return json(_dump(OtpOut, {"ttl": issued.ttl, "resend_after": issued.resend_after}))


@bp.post("/tips")
@openapi.summary("Report dishonest conduct, anonymously or named (no login needed)")
@openapi.description(
    "The answer carries the receipt (JB…) and a secret, shown only once, to follow the tip with "
    "GET /api/v1/tips/{receipt} and the X-Tip-Secret header. A named reporter's name and phone "
    "are sealed; staff handling the tip never see them. No IP address, user agent or openid is "
    "stored with a tip."
)
@openapi.parameter(IDEMPOTENCY_HEADER, str, "header", description="retry-safe submission key")
@openapi.parameter(DEVICE_HEADER, str, "header", description="device id, for rate limits only")
@openapi.body({"application/json": TipFileIn}, required=True)
@openapi.response(201, {"application/json": TipFiledOut}, "filed")
@openapi.response(200, {"application/json": TipFiledOut}, "replay of an earlier submission")
@openapi.response(404, *error("evidence_not_found"))
@openapi.response(409, *error("idempotency_key_reused"))
@openapi.response(422, *error("validation_failed, otp_invalid, evidence_limit"))
@openapi.response(429, *error("tip_rate_limited, otp_locked"))
async def file_tip(request: Request) -> JSONResponse:
    body = TipFileIn.model_validate(request.json or {})
    signed_in = await _signed_in(request)
    named = not body.anonymous
    reporter = body.reporter if named and body.reporter else None
    account_id = principal_of(request).account_id if signed_in else None
    filed = await service.file_tip(
        tip_in=service.TipIn(
            category=body.category.value,
            party=service.Party(body.party.name, body.party.identifier, body.party.address),
            facts=body.facts,
            declared=body.declaration,
            place=body.place,
            region_code=body.region_code,
            happened=body.happened,
            named=named,
            reporter_name=reporter.name if reporter else "",
            phone=reporter.phone if reporter else "",
            otp_code=reporter.otp if reporter else "",
            account_id=account_id if named else None,
            evidence_ids=tuple(body.evidence),
        ),
        settings=request.app.ctx.settings,
        store=request.app.ctx.store,
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        caller=service.Caller(
            address=client_ip(request),
            device=request.headers.get(DEVICE_HEADER, "")[:64],
            account_id=account_id,
        ),
        uploader=signed_in,
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, "").strip()[:128] or None,
        max_files=request.app.ctx.settings.upload_max_files,
    )
    out = service.filed_view(filed)
    return json(_dump(TipFiledOut, out), status=201 if filed.created else 200)


@bp.get("/tips/<receipt:str>")
@openapi.summary("Follow a tip with its receipt and secret: status, outcome, the thread")
@openapi.parameter("X-Tip-Secret", str, "header", required=True)
@openapi.response(200, {"application/json": TipViewOut})
@openapi.response(404, *error("tip_not_found (unknown receipt and wrong secret alike)"))
@openapi.response(429, *error("tip_locked"))
async def follow(request: Request, receipt: str) -> JSONResponse:
    view = await service.follow(
        receipt=receipt,
        secret=_secret(request),
        settings=request.app.ctx.settings,
        store=request.app.ctx.store,
        address=client_ip(request),
    )
    return json(_dump(TipViewOut, view))


@bp.post("/tips/<receipt:str>/messages")
@openapi.summary("Add information or evidence, or answer a question, with receipt and secret")
@openapi.parameter("X-Tip-Secret", str, "header", required=True)
@openapi.body({"application/json": TipMessageIn}, required=True)
@openapi.response(200, {"application/json": TipViewOut})
@openapi.response(404, *error("tip_not_found, evidence_not_found"))
@openapi.response(422, *error("validation_failed, evidence_limit"))
@openapi.response(429, *error("tip_locked, tip_rate_limited"))
async def add_message(request: Request, receipt: str) -> JSONResponse:
    body = TipMessageIn.model_validate(request.json or {})
    view = await service.add_message(
        receipt=receipt,
        secret=_secret(request),
        body=body.body,
        evidence_ids=body.evidence,
        settings=request.app.ctx.settings,
        store=request.app.ctx.store,
        address=client_ip(request),
        max_files=request.app.ctx.settings.upload_max_files,
    )
    return json(_dump(TipViewOut, view))


@bp.post("/tips/<receipt:str>/evidence", stream=True)
@openapi.summary("Upload one evidence file for a tip (multipart field `file`), with the secret")
@openapi.parameter("X-Tip-Secret", str, "header", required=True)
@openapi.body(
    {"multipart/form-data": {"file": {"type": "string", "format": "binary"}}}, required=True
)
@openapi.response(201, {"application/json": EVIDENCE}, "stored; send its id with a message")
@openapi.response(200, {"application/json": EVIDENCE}, "the same file was uploaded before")
@openapi.response(404, *error("tip_not_found"))
@openapi.response(413, *error("evidence_too_large"))
@openapi.response(415, *error("evidence_type_not_allowed"))
@openapi.response(429, *error("tip_locked"))
async def upload_evidence(request: Request, receipt: str) -> JSONResponse:
    owner = await service.uploader_for(
        receipt=receipt,
        secret=_secret(request),
        settings=request.app.ctx.settings,
        store=request.app.ctx.store,
        address=client_ip(request),
    )
    received = await receive(request, owner=owner)
    return json(evidence_service.view(received.row), status=201 if received.created else 200)


@bp.get("/staff/tips/<receipt:str>/messages")
@openapi.summary("The thread with the reporter (the handling department)")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": ThreadOut})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("case_not_found"))
@staff_required(*HANDLERS, "auditor", "admin")
async def staff_thread(request: Request, receipt: str) -> JSONResponse:
    messages = await service.thread(actor=actor_of(principal_of(request)), receipt=receipt)
    return json(_dump(ThreadOut, {"receipt": receipt.upper(), "messages": messages}))


@bp.post("/staff/tips/<receipt:str>/messages")
@openapi.summary("Ask the reporter a question or answer one (they read it with receipt + secret)")
@openapi.secured("bearer")
@openapi.body({"application/json": StaffMessageIn}, required=True)
@openapi.response(200, {"application/json": ThreadOut})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("case_not_found"))
@openapi.response(422, *error("validation_failed"))
@staff_required(*HANDLERS)
async def staff_message(request: Request, receipt: str) -> JSONResponse:
    body = StaffMessageIn.model_validate(request.json or {})
    messages = await service.ask_reporter(
        actor=actor_of(principal_of(request)), receipt=receipt, body=body.body
    )
    return json(_dump(ThreadOut, {"receipt": receipt.upper(), "messages": messages}))


@bp.post("/staff/tips/<receipt:str>/unseal")
@openapi.summary("Unseal a named reporter's identity (report custodian only, audited)")
@openapi.description(
    "Writes an audit entry with the stated reason and notifies the handling department's "
    "supervisors. Every other role is refused."
)
@openapi.secured("bearer")
@openapi.body({"application/json": UnsealIn}, required=True)
@openapi.response(200, {"application/json": UnsealOut})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden, unseal_forbidden"))
@openapi.response(404, *error("tip_not_found, tip_anonymous"))
@openapi.response(422, *error("validation_failed, reason_required"))
@staff_required("report_custodian")
async def unseal(request: Request, receipt: str) -> JSONResponse:
    body = UnsealIn.model_validate(request.json or {})
    reporter = await service.unseal(
        actor=actor_of(principal_of(request)),
        receipt=receipt,
        reason=body.reason,
        settings=request.app.ctx.settings,
    )
    return json(_dump(UnsealOut, {"receipt": receipt.upper(), "reporter": reporter.as_dict()}))
