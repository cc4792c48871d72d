"""Provider systems push records, amendments and revocations (``POST /api/v1/provider/records``)."""

from __future__ import annotations

import json as jsonlib

from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import provider_required
from handlers.schemas import ERROR_JSON
from selfservice.errors import ValidationFailed
from selfservice.records.ingest import MAX_BATCH, ingest
from selfservice.staff.models import Department
from selfservice.store import key

bp = Blueprint("provider", url_prefix="/api/v1/provider")

ROW_IN = {
    "action": str,
    "identifier": str,
    "subject_name": str,
    "subject_kind": str,
    "document_number": str,
    "nature": str,
    "severity": str,
    "class": str,
    "title": str,
    "content": str,
    "legal_basis": str,
    "finding_date": str,
    "publicity_start": str,
    "validity_end": str,
    "measures": [str],
    "list_kind": str,
    "reason": str,
}
BATCH_IN = {"rows": [ROW_IN], "all_or_nothing": bool}
ROW_OUT = {
    "row": int,
    "document_number": str,
    "result": str,
    "record_id": int,
    "errors": [{"field": str, "code": str, "message": str}],
}
BATCH_OUT = {"written": bool, "counts": dict, "rows": [ROW_OUT]}
IDEMPOTENCY_TTL = 24 * 3600


@bp.post("/records")
@openapi.summary("Push a batch of new, amended and revoked records (per-row report)")
@openapi.parameter("X-Api-Key", str, "header", required=True)
@openapi.parameter("Idempotency-Key", str, "header")
@openapi.body({"application/json": BATCH_IN})
@openapi.response(200, {"application/json": BATCH_OUT})
@openapi.response(401, ERROR_JSON)
@openapi.response(422, ERROR_JSON)
@provider_required
async def push_records(request: Request) -> JSONResponse:
    body = request.json if isinstance(request.json, dict) else None
    rows = body.get("rows") if body else None
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_BATCH:
        raise ValidationFailed(details=[{"field": "rows", "problem": f"1..{MAX_BATCH} objects"}])
    department_id = request.ctx.principal.department_id
    idem = request.headers.get("idempotency-key", "").strip()[:100]
    store_key = key("idem", "provider", department_id, idem) if idem else None
    if store_key and (cached := await request.app.ctx.store.get(store_key)):
        return json(jsonlib.loads(cached), headers={"Idempotent-Replay": "true"})
    report = await ingest(
        rows=rows,
        provider=await Department.get(id=department_id),
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        all_or_nothing=bool(body.get("all_or_nothing")),
    )
    if not report["written"]:
        raise ValidationFailed(
            "批次中有错误行，整批未写入", "The batch was not written", details=report
        )
    if store_key:
        await request.app.ctx.store.set(
            store_key, jsonlib.dumps(report, ensure_ascii=False), ttl=IDEMPOTENCY_TTL
        )
    return json(report)
