"""Staff queues, the case page with its allowed moves, making a move, and statistics."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import principal_of, staff_required
from handlers.case_schemas import CASE_BRIEF, STAFF_CASE_VIEW
from handlers.schemas import error
from handlers.validation import DbId, Page, PerPage, QueryModel, QueryText, query_of
from selfservice.cases import queue as queues
from selfservice.cases import service as cases
from selfservice.cases.actors import actor_of
from selfservice.cases.enums import CaseKind
from selfservice.cases.flows import MoveIn
from selfservice.cases.views import staff_view, visible_case

bp = Blueprint("staff_queue", url_prefix="/api/v1/staff")
STAFF_ROLES = ("handler", "supervisor", "credit_office", "auditor", "admin")
ACTING_ROLES = ("handler", "supervisor", "credit_office")


class TransitionIn(BaseModel):
    action: str = Field(description="one of the case page's `allowed` actions")
    reason: str = Field(
        "", max_length=5000, description="mandatory for refuse/opinion/decide/extend"
    )
    outcome: str | None = Field(
        None, description="decide: corrected | revoked | upheld | unresolved"
    )
    changes: dict | None = Field(None, description="decide=corrected: the corrected record fields")
    evidence: list[str] = Field(default_factory=list, max_length=50)
    days: int | None = Field(None, ge=-1000, le=1000, description="extend: working days (1-15)")
    assignee_id: DbId | None = Field(None, description="assign: staff id (default: yourself)")
    fields: dict[str, str | int | bool | None] = Field(
        default_factory=dict, description="kind-specific input of the action (see the case page)"
    )


class QueueQuery(QueryModel):
    queue: QueryText = "open"
    kind: QueryText | None = None
    status: QueryText | None = None
    department_id: DbId | None = None
    receipt: QueryText | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    page: Page = 1
    per_page: PerPage = 20


class StatisticsQuery(QueryModel):
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    kind: CaseKind | None = None


@bp.get("/queue")
@openapi.summary("A work queue of your departments: new, due_soon, overdue, mine, open or all")
@openapi.secured("bearer")
@openapi.parameter("queue", str, description="new | due_soon | overdue | mine | open | all")
@openapi.parameter("kind", str, description="a case kind: objection | repair | pledge | report")
@openapi.parameter("status", str)
@openapi.parameter("department_id", int)
@openapi.parameter("receipt", str, description="receipt number or prefix")
@openapi.parameter("filed_from", str)
@openapi.parameter("filed_to", str)
@openapi.parameter("page", int)
@openapi.parameter("per_page", int)
@openapi.response(
    200,
    {
        "application/json": {
            "queue": str,
            "items": [CASE_BRIEF | {"assignee_id": int}],
            "page": int,
            "per_page": int,
            "total": int,
        }
    },
)
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(422, *error("validation_failed, bad_paging"))
@staff_required(*STAFF_ROLES)
async def work_queue(request: Request) -> JSONResponse:
    args = query_of(request, QueueQuery)
    filters = queues.QueueFilter(**args.model_dump(exclude={"page", "per_page"}))
    page = await queues.queue(
        actor=actor_of(principal_of(request)),
        filters=filters,
        today=request.app.ctx.clock.today(),
        page=args.page,
        per_page=args.per_page,
    )
    return json(page)


@bp.get("/cases/<receipt:str>")
@openapi.summary("The case page: record, evidence, timeline and the moves you may make now")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": STAFF_CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(404, *error("case_not_found (also outside your departments)"))
@staff_required(*STAFF_ROLES)
async def case_page(request: Request, receipt: str) -> JSONResponse:
    actor = actor_of(principal_of(request))
    case = await visible_case(actor=actor, receipt=receipt)
    return json(await staff_view(case=case, actor=actor, today=request.app.ctx.clock.today()))


@bp.post("/cases/<receipt:str>/transitions")
@openapi.summary("Make a move: accept, refuse (reason), forward, opinion, decide, extend, assign")
@openapi.secured("bearer")
@openapi.body({"application/json": TransitionIn}, required=True)
@openapi.response(200, {"application/json": STAFF_CASE_VIEW})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden, transition_forbidden"))
@openapi.response(404, *error("case_not_found, evidence_not_found"))
@openapi.response(409, *error("bad_case_transition, bad_record_transition"))
@openapi.response(422, *error("validation_failed, reason_required, bad_correction"))
@staff_required(*ACTING_ROLES)
async def make_move(request: Request, receipt: str) -> JSONResponse:
    body = TransitionIn.model_validate(request.json or {})
    actor = actor_of(principal_of(request))
    case = await cases.act(
        actor=actor,
        receipt=receipt.upper(),
        ask=MoveIn(
            action=body.action,
            reason=body.reason,
            outcome=body.outcome,
            changes=body.changes,
            evidence_ids=body.evidence,
            days=body.days,
            assignee_id=body.assignee_id,
            fields=body.fields,
        ),
        policy=request.app.ctx.policy,
        today=request.app.ctx.clock.today(),
        max_files=request.app.ctx.settings.upload_max_files,
    )
    return json(await staff_view(case=case, actor=actor, today=request.app.ctx.clock.today()))


@bp.get("/statistics")
@openapi.summary("Per department and period: received, decided, on-time % and median working days")
@openapi.secured("bearer")
@openapi.parameter("from", str, required=True, description="YYYY-MM-DD")
@openapi.parameter("to", str, required=True, description="YYYY-MM-DD")
@openapi.parameter("kind", str)
@openapi.response(
    200,
    {
        "application/json": {
            "from": str,
            "to": str,
            "departments": [
                {
                    "department_id": int,
                    "department": str,
                    "received": int,
                    "decided": int,
                    "on_time_pct": float,
                    "median_days": float,
                }
            ],
        }
    },
)
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden"))
@openapi.response(422, *error("validation_failed"))
@staff_required(*STAFF_ROLES)
async def statistics(request: Request) -> JSONResponse:
    args = query_of(request, StatisticsQuery)
    rows = await queues.statistics(
        actor=actor_of(principal_of(request)),
        date_from=args.date_from,
        date_to=args.date_to,
        kind=args.kind.value if args.kind else None,
    )
    return json(
        {"from": args.date_from.isoformat(), "to": args.date_to.isoformat(), "departments": rows}
    )
