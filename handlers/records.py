"""A subject's own records, one record's detail and the one-call summary (``/api/v1/me/…``)."""

from __future__ import annotations

from datetime import date

from pydantic import Field
from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import scope_required
from handlers.schemas import ERROR_JSON
from handlers.validation import Page, PerPage, QueryModel, QueryText, query_of
from selfservice.records import service

bp = Blueprint("records", url_prefix="/api/v1/me")

LABEL = {"code": str, "label": str}
PERIODS = {
    "finding_date": str,
    "publicity_start": str,
    "publicity_end": str,
    "repairable_from": str,
    "published_through": str,
}
RECORD = {
    "id": int,
    "nature": str,
    "nature_label": str,
    "severity": str,
    "severity_label": str,
    "class": str,
    "class_label": str,
    "title": str,
    "provider": str,
    "provider_code": str,
    "document_number": str,
    "status": str,
    "labels": [LABEL],
    "under_objection": bool,
    "published": bool,
    **PERIODS,
}
MEASURE = {
    "code": str,
    "title": str,
    "kind": str,
    "kind_label": str,
    "obligation": str,
    "obligation_label": str,
    "legal_basis": str,
    "department": str,
    "record_id": int,
    "in_force": bool,
    "state": str,
    "reason": str,
    "rule": {"id": str, "title": str, "source": str},
}
ACTION = {"available": bool, "reason": str, "available_from": str}
REPAIR_ACTION = ACTION | {"route": str, "reasons": [str]}
DETAIL = {
    **RECORD,
    "content": str,
    "legal_basis": str,
    "period_rule": {
        "id": str,
        "title": str,
        "source": str,
        "level": str,
        "effective_from": str,
        "jurisdiction": str,
    },
    "history": [
        {"at": str, "by": str, "action": str, "action_label": str, "reason": str, "changes": dict}
    ],
    "measures": [MEASURE],
    "actions": {"objection": ACTION, "repair": REPAIR_ACTION},
}
PAGE = {"items": [RECORD], "page": int, "per_page": int, "total": int}
LIST = {
    "kind": str,
    "label": str,
    "entered_on": str,
    "listed_through": str,
    "exited_on": str,
    "active": bool,
    "department": str,
    "record_id": int,
    "reason": str,
}
SUMMARY = {
    "total": int,
    "by_nature": {"good": int, "bad": int},
    "by_status": dict,
    "lists": [LIST],
    "measures_in_force": [MEASURE],
    "measures_suspended": [MEASURE],
    "open_cases": [
        {"kind": str, "receipt": str, "next_deadline": str, "record_id": int, "record_title": str}
    ],
    "repairable_now": [int],
    "next_published_through": str,
    "pledges": {
        "total": int,
        "by_status": dict,
        "open": [dict],
        "no_simplified_procedure": dict,
        "bars": [dict],
    },
}


@bp.before_server_start
async def _department_names(app) -> None:
    app.ctx.department_names = service.DepartmentNames()


class RecordQuery(QueryModel):
    nature: QueryText | None = None
    severity: QueryText | None = None
    catalogue_class: QueryText | None = Field(None, alias="class")
    status: QueryText | None = None
    provider: QueryText | None = None
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    page: Page = 1
    per_page: PerPage = 20


@bp.get("/records")
@openapi.summary("The signed-in subject's own credit records, filtered and paged")
@openapi.secured("bearer")
@openapi.parameter("nature", str, "query", description="good | bad")
@openapi.parameter("severity", str, "query", description="minor | general | severe")
@openapi.parameter("class", str, "query", description="catalogue class code")
@openapi.parameter("status", str, "query", description="a record status or under_objection")
@openapi.parameter("provider", str, "query", description="providing department code or id")
@openapi.parameter("from", str, "query", description="finding date from (YYYY-MM-DD)")
@openapi.parameter("to", str, "query", description="finding date to (YYYY-MM-DD)")
@openapi.parameter("page", int, "query")
@openapi.parameter("per_page", int, "query", description="1..100, default 20")
@openapi.response(200, {"application/json": PAGE})
@openapi.response(401, ERROR_JSON)
@openapi.response(403, ERROR_JSON)
@openapi.response(422, ERROR_JSON)
@scope_required("records:read")
async def list_records(request: Request) -> JSONResponse:
    args = query_of(request, RecordQuery)
    filters = service.RecordFilter(
        **args.model_dump(include=set(service.RecordFilter.__dataclass_fields__))
    )
    page = await service.list_own(
        subject_id=request.ctx.principal.subject_id,
        filters=filters,
        page=args.page,
        per_page=args.per_page,
        names=request.app.ctx.department_names,
        today=request.app.ctx.clock.today(),
    )
    return json(page)


@bp.get("/records/<record_id:int>")
@openapi.summary("One own record: periods and the rule that fixed them, history, measures, actions")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": DETAIL})
@openapi.response(401, ERROR_JSON)
@openapi.response(403, ERROR_JSON)
@openapi.response(404, ERROR_JSON)
@scope_required("records:read")
async def record_detail(request: Request, record_id: int) -> JSONResponse:
    body = await service.detail(
        subject_id=request.ctx.principal.subject_id,
        record_id=record_id,
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
    )
    return json(body)


@bp.get("/summary")
@openapi.summary("Overview: counts, list memberships, measures in force, open cases")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": SUMMARY})
@openapi.response(401, ERROR_JSON)
@openapi.response(403, ERROR_JSON)
@scope_required("records:read")
async def summary(request: Request) -> JSONResponse:
    body = await service.summary(
        subject_id=request.ctx.principal.subject_id,
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
    )
    return json(body)
