"""Staff sign-in, agent decisions, provider API keys, scoped subject lookup and the audit check."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import (
    client_ip,
    departments_of,
    principal_of,
    provider_required,
    require_department,
    staff_required,
)
from handlers.schemas import AGENT_AUTHORISATION, TOKEN_PAIR, error
from handlers.validation import DbId
from selfservice.audit import service as audit
from selfservice.auth import revocation, sessions
from selfservice.errors import NotFound, ValidationFailed
from selfservice.staff import scope
from selfservice.staff import service as staff_service
from selfservice.staff.models import Department, ProviderKey, StaffUser
from selfservice.subjects.models import Subject
from selfservice.subjects.service import public_view
from selfservice.verification import agents

bp = Blueprint("staff_auth", url_prefix="/api/v1")

PROVIDER_KEY = {
    "id": int,
    "name": str,
    "department_id": int,
    "prefix": str,
    "created_at": str,
    "revoked_at": str,
    "last_used_at": str,
}
SUBJECT_VIEW = {
    "id": int,
    "kind": str,
    "name": str,
    "uscc": str,
    "id_number": str,
    "legal_representative": str,
    "phone": str,
    "region_code": str,
}


class StaffLogin(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    device_token: str = Field(
        "", max_length=128, description="from an earlier sign-in on this device (or its cookie)"
    )


DEVICE_COOKIE = "xy_staff_device"
DEVICE_DAYS = 180


class DecisionIn(BaseModel):
    approve: bool
    reason: str = Field("", max_length=500)
    scopes: list[str] | None = Field(None, description="granted scopes (default: as requested)")
    valid_days: int = Field(180, ge=1, le=365)


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ProviderKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    department_id: DbId | None = Field(None, description="default: the admin's own department")


async def staff_actor(request: Request) -> audit.Actor:
    principal = principal_of(request)
    department = await Department.get(id=principal.department_id)
    return agents.staff_actor(principal, department.name)


@bp.post("/staff/login")
@openapi.summary("Staff sign-in with username and password (argon2id; 5 failures lock 15 min)")
@openapi.description(
    "Failures are limited per client address first; five failures lock the account for 15 "
    "minutes, except on a device that signed in before (its `device_token`, also set as a "
    "cookie), which has a lock of its own."
)
@openapi.body({"application/json": StaffLogin}, required=True)
@openapi.response(
    200, {"application/json": TOKEN_PAIR | {"department_id": int, "device_token": str}}
)
@openapi.response(401, *error("bad_credentials"))
@openapi.response(422, *error("validation_failed"))
@openapi.response(429, *error("login_locked"))
async def staff_login(request: Request) -> JSONResponse:
    body = StaffLogin.model_validate(request.json or {})
    settings = request.app.ctx.settings
    user = await staff_service.login(
        store=request.app.ctx.store,
        settings=settings,
        username=body.username,
        password=body.password,
        source=client_ip(request),
        device=body.device_token or request.cookies.get(DEVICE_COOKIE, ""),
    )
    pair = await sessions.start(settings=settings, staff=user)
    device = staff_service.device_token(settings=settings, username=user.username)
    response = json(pair.as_dict() | {"department_id": user.department_id, "device_token": device})
    response.add_cookie(
        DEVICE_COOKIE,
        device,
        path="/api/v1/staff/login",
        max_age=DEVICE_DAYS * 86_400,
        httponly=True,
        secure=not settings.is_dev,
        samesite="Strict",
    )
    return response


@bp.get("/staff/agents")
@openapi.summary("Pending agent requests for enterprises in the caller's scope")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": {"items": [AGENT_AUTHORISATION]}})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@staff_required("credit_office", "admin")
async def pending_agents(request: Request) -> JSONResponse:
    rows = await agents.pending_for_staff(principal=principal_of(request))
    return json({"items": [agents.view(r) for r in rows]})


@bp.post("/staff/agents/<authorisation_id:int>/decision")
@openapi.summary("Approve (scopes, validity) or reject (reason) an agent request")
@openapi.secured("bearer")
@openapi.body({"application/json": DecisionIn}, required=True)
@openapi.response(200, {"application/json": AGENT_AUTHORISATION})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("not_found (unknown or outside the caller's scope)"))
@openapi.response(409, *error("agent_bad_transition"))
@openapi.response(422, *error("validation_failed"))
@staff_required("credit_office", "admin")
async def decide_agent(request: Request, authorisation_id: int) -> JSONResponse:
    body = DecisionIn.model_validate(request.json or {})
    auth = await agents.decide(
        principal=principal_of(request),
        actor=await staff_actor(request),
        authorisation_id=authorisation_id,
        approve=body.approve,
        reason=body.reason,
        scopes=body.scopes,
        valid_days=body.valid_days,
    )
    return json(agents.view(auth))


@bp.post("/staff/agents/<authorisation_id:int>/revoke")
@openapi.summary("Revoke an approved agent authorisation")
@openapi.secured("bearer")
@openapi.body({"application/json": RevokeIn}, required=True)
@openapi.response(200, {"application/json": AGENT_AUTHORISATION})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("not_found"))
@openapi.response(409, *error("agent_bad_transition"))
@staff_required("credit_office", "admin")
async def revoke_agent(request: Request, authorisation_id: int) -> JSONResponse:
    body = RevokeIn.model_validate(request.json or {})
    auth = await agents.revoke(
        principal=principal_of(request),
        actor=await staff_actor(request),
        authorisation_id=authorisation_id,
        reason=body.reason,
    )
    await revocation.agent_revoked(store=request.app.ctx.store, authorisation_id=auth.id)
    return json(agents.view(auth))


def _key_view(row: ProviderKey) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "department_id": row.department_id,
        "prefix": row.prefix,
        "created_at": row.created_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
    }


@bp.post("/staff/provider-keys")
@openapi.summary("Create a provider API key for a department in scope (the secret is shown once)")
@openapi.secured("bearer")
@openapi.body({"application/json": ProviderKeyIn}, required=True)
@openapi.response(201, {"application/json": PROVIDER_KEY | {"api_key": str}})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("not_found (department outside the caller's scope)"))
@openapi.response(422, *error("validation_failed"))
@staff_required("admin")
async def create_provider_key(request: Request) -> JSONResponse:
    body = ProviderKeyIn.model_validate(request.json or {})
    principal = principal_of(request)
    department_id = body.department_id or principal.department_id
    await require_department(request, department_id)
    new = await staff_service.create_provider_key(
        department=await Department.get(id=department_id),
        name=body.name,
        created_by=await principal_staff(request),
    )
    await audit.append(
        actor=await staff_actor(request),
        action="provider_key.created",
        target=f"provider_key:{new.key.id}",
        data={"department_id": department_id},
    )
    return json(_key_view(new.key) | {"api_key": new.secret}, status=201)


async def principal_staff(request: Request) -> StaffUser:
    return await StaffUser.get(id=principal_of(request).staff_id)


@bp.get("/staff/provider-keys")
@openapi.summary("Provider API keys of the departments in the caller's scope")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": {"items": [PROVIDER_KEY]}})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@staff_required("admin")
async def list_provider_keys(request: Request) -> JSONResponse:
    rows = await ProviderKey.filter(department_id__in=await departments_of(request)).order_by("id")
    return json({"items": [_key_view(r) for r in rows]})


@bp.delete("/staff/provider-keys/<key_id:int>")
@openapi.summary("Revoke a provider API key")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": PROVIDER_KEY})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("not_found"))
@staff_required("admin")
async def revoke_provider_key(request: Request, key_id: int) -> JSONResponse:
    row = await staff_service.revoke_provider_key(
        key_id=key_id, department_ids=await departments_of(request)
    )
    await audit.append(
        actor=await staff_actor(request),
        action="provider_key.revoked",
        target=f"provider_key:{row.id}",
    )
    return json(_key_view(row))


@bp.get("/staff/subjects/<subject_id:int>")
@openapi.summary("A subject within the caller's scope (masked); the stated purpose is audited")
@openapi.secured("bearer")
@openapi.parameter("purpose", str, "query", required=True, description="why the data is needed")
@openapi.response(200, {"application/json": SUBJECT_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("not_found (unknown or outside the caller's scope)"))
@openapi.response(422, *error("validation_failed (purpose missing)"))
@staff_required("handler", "supervisor", "credit_office", "admin")
async def staff_subject(request: Request, subject_id: int) -> JSONResponse:
    purpose = (request.args.get("purpose") or "").strip()
    if not purpose:
        raise ValidationFailed(details=[{"field": "purpose", "problem": "required"}])
    subject = await Subject.get_or_none(id=subject_id)
    if subject is None or not await scope.subject_in_scope(principal_of(request), subject):
        raise NotFound()
    await audit.append(
        actor=await staff_actor(request),
        action="subject.viewed",
        target=f"subject:{subject.id}",
        subject_id=subject.id,
        purpose=purpose[:500],
    )
    return json(public_view(subject))


@bp.get("/staff/audit/verify")
@openapi.summary("Check the audit hash chain; reports the first broken entry")
@openapi.secured("bearer")
@openapi.response(
    200,
    {"application/json": {"ok": bool, "checked": int, "first_broken_id": int, "reason": str}},
)
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@staff_required("auditor", "admin")
async def verify_audit(request: Request) -> JSONResponse:
    report = await audit.verify_chain()
    return json(report.__dict__)


@bp.get("/provider/whoami")
@openapi.summary("The department a provider API key belongs to (checks the X-Api-Key header)")
@openapi.parameter("X-Api-Key", str, "header", required=True)
@openapi.response(200, {"application/json": {"department_id": int, "department": str}})
@openapi.response(401, *error("unauthorized, invalid_api_key"))
@provider_required
async def provider_whoami(request: Request) -> JSONResponse:
    principal = principal_of(request)
    department = await Department.get(id=principal.department_id)
    return json({"department_id": department.id, "department": department.name})
