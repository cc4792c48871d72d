"""The subject's credit report (JSON or PDF) and the public verification of its code."""

from __future__ import annotations

import asyncio
from typing import Literal

from pydantic import Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, JSONResponse, json, raw
from sanic_ext import openapi

from handlers.auth import scope_required
from handlers.schemas import ERROR_JSON
from handlers.validation import QueryModel, query_of
from selfservice.creditreport import pdf, service

bp = Blueprint("creditreport", url_prefix="/api/v1")

ITEM = {
    "class_label": str,
    "title": str,
    "provider": str,
    "document_number": str,
    "finding_date": str,
    "severity_label": str,
    "published_through": str,
    "labels": [str],
}
REPORT = {
    "title": str,
    "subject": {
        "name": str,
        "kind": str,
        "uscc": str,
        "id_number": str,
        "legal_representative": str,
    },
    "jurisdiction": str,
    "period": {"from": str, "to": str, "years": int},
    "issued_on": str,
    "good": [ITEM],
    "bad": [ITEM],
    "lists": [
        {"kind": str, "label": str, "entered_on": str, "listed_through": str, "department": str}
    ],
    "statement": str,
    "pledges": [
        {
            "receipt": str,
            "type": str,
            "type_label": str,
            "title": str,
            "status": str,
            "status_label": str,
            "kept": str,
            "signed_on": str,
        }
    ],
    "counts": {"good": int, "bad": int, "repaired": int},
    "verification": {"code": str, "digest": str, "path": str, "url": str},
}
VERIFIED = {
    "valid": bool,
    "code": str,
    "title": str,
    "subject_name": str,
    "issued_at": str,
    "period": {"from": str, "to": str, "years": int},
    "counts": {"good": int, "bad": int, "repaired": int},
    "digest": str,
}


class ReportQuery(QueryModel):
    years: int = Field(3, ge=-1000, le=1000, description="1..5 (bad_years otherwise)")
    format: Literal["json", "pdf"] = "json"


def _wants_pdf(request: Request, args: ReportQuery) -> bool:
    if args.format == "pdf":
        return True
    accept = request.headers.get("accept", "")
    return "application/pdf" in accept and "application/json" not in accept


@bp.get("/me/report")
@openapi.summary("The subject's public credit report for 1–5 years (JSON, or PDF with ?format=pdf)")
@openapi.secured("bearer")
@openapi.parameter("years", int, "query", description="1..5, default 3")
@openapi.parameter("format", str, "query", description="json (default) | pdf")
@openapi.response(200, {"application/json": REPORT, "application/pdf": bytes})
@openapi.response(401, ERROR_JSON)
@openapi.response(403, ERROR_JSON)
@openapi.response(422, ERROR_JSON)
@scope_required("records:read")
async def report(request: Request) -> HTTPResponse:
    args = query_of(request, ReportQuery)
    body = await service.issue(
        subject_id=request.ctx.principal.subject_id,
        years=args.years,
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        base_url=request.app.ctx.settings.public_base_url or f"{request.scheme}://{request.host}",
    )
    if not _wants_pdf(request, args):
        return json(body)
    document = await asyncio.to_thread(pdf.render, body)
    name = f"credit-report-{body['verification']['code']}.pdf"
    return raw(
        document,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.get("/reports/verify/<code:str>")
@openapi.summary("Confirm a credit report's verification code (public)")
@openapi.response(200, {"application/json": VERIFIED})
@openapi.response(404, ERROR_JSON)
async def verify(request: Request, code: str) -> JSONResponse:
    return json(await service.verify(code=code))
