"""Progress of the subject's own cases: status, timeline, next step, department, deadline."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import principal_of, scope_required
from handlers.case_schemas import CASE_BRIEF, CASE_VIEW
from handlers.schemas import error
from selfservice.cases.views import own_case, own_cases, subject_view
from selfservice.records.sweeps import local_today

bp = Blueprint("cases", url_prefix="/api/v1/cases")


@bp.get("/")
@openapi.summary("Your cases (objections and, later, repairs, pledges, reports), newest first")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": {"items": [CASE_BRIEF]}})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, forbidden"))
@scope_required("progress")
async def list_cases(request: Request) -> JSONResponse:
    items = await own_cases(subject_id=principal_of(request).subject_id, today=local_today())
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
    return json(await subject_view(case=case, today=local_today()))
