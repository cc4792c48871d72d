"""Sign-in (mini-program, H5 phone code), sessions, identity verification, agents, access log."""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from channels.sms import make_sms_gateway
from channels.wechat.client import WeChatClient
from channels.wechat.errors import NotConfigured
from handlers.auth import account_required, authenticate, client_ip, scope_required
from handlers.evidence import receive
from handlers.schemas import AGENT_AUTHORISATION, TOKEN_PAIR, error
from handlers.validation import DbId
from selfservice.accounts import service as accounts
from selfservice.accounts.enums import AccountKind
from selfservice.accounts.models import Account
from selfservice.audit import service as audit
from selfservice.auth import sessions
from selfservice.auth.tokens import InvalidToken
from selfservice.cases.actors import Actor
from selfservice.errors import ValidationFailed
from selfservice.identifiers import mask_phone
from selfservice.otp import service as otp
from selfservice.store import key
from selfservice.subjects import pii
from selfservice.verification import agents
from selfservice.verification import service as verification
from selfservice.verification.verifiers import make_verifier

log = logging.getLogger("handlers.identity")
bp = Blueprint("identity", url_prefix="/api/v1")
SESSION_KEY_TTL = 3 * 86_400
SESSION_KEY_CONTEXT = "wechat.session_key"


class MiniProgramLogin(BaseModel):
    code: str = Field(min_length=1, max_length=128, description="the code from wx.login()")


class OtpRequest(BaseModel):
    phone: str = Field(min_length=11, max_length=18, description="mainland mobile number")


class PhoneLogin(BaseModel):
    phone: str = Field(min_length=11, max_length=18)
    code: str = Field(pattern=r"^[0-9]{6}$", description="the 6-digit SMS code")


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=20, max_length=200)


class VerifyIn(BaseModel):
    kind: str = Field(pattern="^(citizen|enterprise)$")
    name: str = Field(min_length=1, max_length=200, description="person or enterprise name")
    id_number: str | None = Field(None, max_length=20, description="citizen: resident ID")
    phone: str | None = Field(None, max_length=16, description="citizen: for real-name services")
    uscc: str | None = Field(None, max_length=20, description="enterprise: 统一社会信用代码")
    rep_name: str | None = Field(None, max_length=100, description="enterprise: legal rep name")
    rep_id_number: str | None = Field(None, max_length=20, description="enterprise: rep ID")


class ConfirmIn(BaseModel):
    challenge: str = Field(min_length=10, max_length=64)
    code: str = Field(min_length=6, max_length=8)


LETTER_FORM = frozenset({"uscc", "enterprise_name", "scopes"})


class ActAsIn(BaseModel):
    authorisation_id: DbId


async def _account(request: Request) -> Account:
    """The caller's account; a token that outlived its account is invalid."""
    account = await Account.get_or_none(id=request.ctx.principal.account_id)
    if account is None:
        raise InvalidToken()
    return account


def _sms(request: Request):
    return make_sms_gateway(request.app.ctx.settings, request.app.ctx.http)


@bp.post("/auth/miniprogram")
@openapi.summary("Mini-program sign-in: exchange a wx.login code for tokens (session_key kept)")
@openapi.body({"application/json": MiniProgramLogin}, required=True)
@openapi.response(200, {"application/json": TOKEN_PAIR})
@openapi.response(401, *error("wechat_invalid_code (40029)"))
@openapi.response(403, *error("wechat_risky_user (40226)"))
@openapi.response(422, *error("validation_failed"))
@openapi.response(429, *error("wechat_rate_limited (45011)"))
@openapi.response(503, *error("wechat_unavailable (-1, network), wechat_not_configured"))
async def miniprogram_login(request: Request) -> JSONResponse:
    body = MiniProgramLogin.model_validate(request.json or {})
    settings, store = request.app.ctx.settings, request.app.ctx.store
    if not settings.miniprogram_appid or not settings.miniprogram_secret:
        raise NotConfigured("小程序尚未配置", "The mini-program is not configured")
    client = WeChatClient.miniprogram(request.app.ctx.http, store, settings)
    login = await client.jscode2session(
        settings.miniprogram_appid, settings.miniprogram_secret, body.code
    )
    account = await accounts.for_openid(
        openid=login.openid, kind=AccountKind.MINIPROGRAM, unionid=login.unionid
    )
    if login.session_key:
        sealed = pii.cipher().encrypt(login.session_key, context=SESSION_KEY_CONTEXT)
        await store.set(key("wechat", "session-key", account.id), sealed, ttl=SESSION_KEY_TTL)
    pair = await sessions.start(settings=settings, account=account)
    return json(pair.as_dict())


@bp.post("/auth/otp")
@openapi.summary("Send a 6-digit sign-in code by SMS (1 per minute, 10 per day per phone)")
@openapi.body({"application/json": OtpRequest}, required=True)
@openapi.response(202, {"application/json": {"phone": str, "expires_in": int, "resend_after": int}})
@openapi.response(422, *error("validation_failed, invalid_phone"))
@openapi.response(429, *error("otp_rate_limited, otp_locked"))
@openapi.response(503, *error("sms_unavailable"))
async def request_code(request: Request) -> JSONResponse:
    body = OtpRequest.model_validate(request.json or {})
    phone = accounts.normalize_phone(body.phone)
    issued = await otp.issue(
        store=request.app.ctx.store,
        settings=request.app.ctx.settings,
        sms=_sms(request),
        purpose="login",
        phone=phone,
        ip=client_ip(request),
    )
    return json(
        {"phone": mask_phone(phone), "expires_in": issued.ttl, "resend_after": issued.resend_after},
        status=202,
    )


@bp.post("/auth/h5")
@openapi.summary("H5 sign-in with phone number and SMS code")
@openapi.body({"application/json": PhoneLogin}, required=True)
@openapi.response(200, {"application/json": TOKEN_PAIR})
@openapi.response(422, *error("validation_failed, invalid_phone, otp_invalid"))
@openapi.response(429, *error("otp_locked"))
async def phone_login(request: Request) -> JSONResponse:
    body = PhoneLogin.model_validate(request.json or {})
    phone = accounts.normalize_phone(body.phone)
    settings = request.app.ctx.settings
    await otp.check(
        store=request.app.ctx.store,
        settings=settings,
        purpose="login",
        phone=phone,
        code=body.code,
        ip=client_ip(request),
    )
    account = await accounts.for_phone(phone=phone)
    return json((await sessions.start(settings=settings, account=account)).as_dict())


@bp.post("/auth/refresh")
@openapi.summary("Rotate a refresh token; presenting a spent one revokes the whole session")
@openapi.body({"application/json": RefreshIn}, required=True)
@openapi.response(200, {"application/json": TOKEN_PAIR})
@openapi.response(401, *error("invalid_token, refresh_reused"))
@openapi.response(422, *error("validation_failed"))
async def refresh(request: Request) -> JSONResponse:
    body = RefreshIn.model_validate(request.json or {})
    pair = await sessions.refresh(
        settings=request.app.ctx.settings,
        store=request.app.ctx.store,
        refresh_token=body.refresh_token,
    )
    return json(pair.as_dict())


@bp.post("/auth/logout")
@openapi.summary("Sign out: the access token and its refresh-token family stop working")
@openapi.secured("bearer")
@openapi.response(204, None, "signed out")
@openapi.response(401, *error("unauthorized, invalid_token"))
async def logout(request: Request) -> JSONResponse:
    principal = await authenticate(request)
    await sessions.logout(store=request.app.ctx.store, principal=principal)
    return json(None, status=204)


def _claim(body: VerifyIn) -> verification.CitizenClaim | verification.EnterpriseClaim:
    if body.kind == "citizen" and body.id_number:
        return verification.CitizenClaim(body.name, body.id_number, body.phone)
    if body.kind == "enterprise" and body.uscc and body.rep_name and body.rep_id_number:
        return verification.EnterpriseClaim(body.uscc, body.name, body.rep_name, body.rep_id_number)
    raise ValidationFailed(details=[{"field": body.kind, "problem": "missing fields"}])


@bp.post("/identity/verify")
@openapi.summary("Verify as a citizen or an enterprise legal representative: step 1 (sends code)")
@openapi.description(
    "Any mismatch gets the same verification_failed answer; on a match a code goes to the "
    "phone registered for the subject and a challenge id is returned."
)
@openapi.secured("bearer")
@openapi.body({"application/json": VerifyIn}, required=True)
@openapi.response(202, {"application/json": {"challenge": str, "phone": str, "expires_in": int}})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(422, *error("verification_failed, validation_failed"))
@openapi.response(429, *error("verification_rate_limited, otp_rate_limited, otp_locked"))
@openapi.response(503, *error("sms_unavailable"))
@account_required
async def verify(request: Request) -> JSONResponse:
    body = VerifyIn.model_validate(request.json or {})
    challenge = await verification.start(
        store=request.app.ctx.store,
        settings=request.app.ctx.settings,
        sms=_sms(request),
        verifier=make_verifier(),
        account=await _account(request),
        claim=_claim(body),
        ip=client_ip(request),
    )
    body_out = {
        "challenge": challenge.id,
        "phone": challenge.phone_masked,
        "expires_in": challenge.expires_in,
    }
    return json(body_out, status=202)


@bp.post("/identity/verify/confirm")
@openapi.summary("Verify step 2: the SMS code binds the account; returns tokens for the subject")
@openapi.secured("bearer")
@openapi.body({"application/json": ConfirmIn}, required=True)
@openapi.response(200, {"application/json": TOKEN_PAIR})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(422, *error("otp_invalid, validation_failed"))
@openapi.response(429, *error("otp_locked"))
@account_required
async def verify_confirm(request: Request) -> JSONResponse:
    body = ConfirmIn.model_validate(request.json or {})
    settings, store = request.app.ctx.settings, request.app.ctx.store
    account = await verification.confirm(
        store=store,
        settings=settings,
        account=await _account(request),
        challenge_id=body.challenge,
        code=body.code,
        ip=client_ip(request),
    )
    await sessions.logout(store=store, principal=request.ctx.principal)
    return json((await sessions.start(settings=settings, account=account)).as_dict())


@bp.post("/identity/agents", stream=True)
@openapi.summary("Ask to act as an enterprise agent (经办人) with an authorisation letter")
@openapi.description(
    "multipart/form-data: uscc, enterprise_name, scopes (comma separated: records:read, "
    "objection, repair, pledge, progress) and the letter file (PDF/JPEG/PNG, at most 5 MB), "
    "received through the same streamed, checked upload path as evidence. "
    "Requires a verified personal identity."
)
@openapi.secured("bearer")
@openapi.body(
    {
        "multipart/form-data": {
            "uscc": str,
            "enterprise_name": str,
            "scopes": str,
            "letter": {"type": "string", "format": "binary"},
        }
    },
    required=True,
)
@openapi.response(201, {"application/json": AGENT_AUTHORISATION})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified"))
@openapi.response(413, *error("evidence_too_large, evidence_quota_exceeded"))
@openapi.response(415, *error("evidence_type_not_allowed, evidence_content_invalid"))
@openapi.response(
    422, *error("verification_failed, agent_bad_letter, validation_failed, bad_multipart")
)
@account_required
async def request_agency(request: Request) -> JSONResponse:
    account = await _account(request)
    agents.check_requester(account)
    received = await receive(
        request,
        owner=Actor("account", str(account.id)),
        file_field="letter",
        text_fields=LETTER_FORM,
    )
    form = received.fields
    auth = await agents.request(
        account=account,
        uscc=form.get("uscc", ""),
        enterprise_name=form.get("enterprise_name", ""),
        scopes=[s.strip() for s in form.get("scopes", "").split(",") if s.strip()],
        letter=received.row,
    )
    return json(agents.view(auth), status=201)


@bp.get("/identity/agents")
@openapi.summary("The caller's own agent authorisations")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": {"items": [AGENT_AUTHORISATION]}})
@openapi.response(401, *error("unauthorized, invalid_token"))
@account_required
async def list_agency(request: Request) -> JSONResponse:
    rows = await agents.list_for_account(account=await _account(request))
    return json({"items": [agents.view(r) for r in rows]})


@bp.get("/identity/agents/<authorisation_id:int>")
@openapi.summary("One of the caller's agent authorisations (others' are 404)")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": AGENT_AUTHORISATION})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(404, *error("not_found"))
@account_required
async def get_agency(request: Request, authorisation_id: int) -> JSONResponse:
    auth = await agents.get_for_account(
        account=await _account(request), authorisation_id=authorisation_id
    )
    return json(agents.view(auth))


@bp.post("/auth/agent")
@openapi.summary("Tokens for acting as the enterprise under an approved, unexpired authorisation")
@openapi.secured("bearer")
@openapi.body({"application/json": ActAsIn}, required=True)
@openapi.response(200, {"application/json": TOKEN_PAIR})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(404, *error("not_found (unknown, not yours, not approved or expired)"))
@account_required
async def act_as_agent(request: Request) -> JSONResponse:
    body = ActAsIn.model_validate(request.json or {})
    account = await _account(request)
    auth = await agents.active_for_account(account=account, authorisation_id=body.authorisation_id)
    pair = await sessions.start(
        settings=request.app.ctx.settings, account=account, authorisation=auth
    )
    return json(pair.as_dict())


@bp.get("/me/access-log")
@openapi.summary("Who used my data: role, department, purpose and time (never staff names)")
@openapi.secured("bearer")
@openapi.response(
    200,
    {
        "application/json": {
            "items": [
                {
                    "at": str,
                    "actor_kind": str,
                    "role": str,
                    "department": str,
                    "action": str,
                    "purpose": str,
                }
            ]
        }
    },
)
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden (agent without records:read)"))
@scope_required("records:read")
async def access_log(request: Request) -> JSONResponse:
    items = await audit.access_log(subject_id=request.ctx.principal.subject_id)
    return json({"items": items})
