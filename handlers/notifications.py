"""The in-app notification list of a subject or a staff member (and their departments)."""

from __future__ import annotations

from datetime import UTC, datetime

from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import authenticate, check_scope
from handlers.schemas import error
from selfservice.cases.access import departments_for
from selfservice.cases.actors import actor_of
from selfservice.errors import Forbidden, NotFound
from selfservice.notifications import outbox
from selfservice.notifications.models import Notification

bp = Blueprint("notifications", url_prefix="/api/v1/notifications")
NOTIFICATION = {
    "id": int,
    "template": str,
    "title": str,
    "body": str,
    "receipt": str,
    "created_at": str,
    "read": bool,
}


async def _rows(request: Request) -> list[Notification]:
    principal = await authenticate(request)
    actor = actor_of(principal)
    if actor.kind == "subject" and actor.subject_id is not None:
        check_scope(principal, "progress")  # notifications tell how cases progress
        return await outbox.inbox(subject_id=actor.subject_id, limit=200)
    if actor.kind == "staff":
        depts = {actor.department_id} if actor.department_id else set()
        if "supervisor" in actor.roles:
            depts = await departments_for(actor)
        return await outbox.inbox(staff_id=actor.staff_id, department_ids=depts, limit=200)
    raise Forbidden()


@bp.get("/")
@openapi.summary("Your in-app notifications, newest first")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": {"items": [NOTIFICATION]}})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden, agent_scope_denied"))
async def list_notifications(request: Request) -> JSONResponse:
    return json({"items": [outbox.notification_view(r) for r in await _rows(request)]})


@bp.post("/<notification_id:int>/read")
@openapi.summary("Mark one of your notifications as read")
@openapi.secured("bearer")
@openapi.response(200, {"application/json": NOTIFICATION})
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("forbidden, agent_scope_denied"))
@openapi.response(404, *error("not_found"))
async def mark_read(request: Request, notification_id: int) -> JSONResponse:
    row = next((r for r in await _rows(request) if r.id == notification_id), None)
    if row is None:
        raise NotFound()
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
        await row.save(update_fields=["read_at"])
    return json(outbox.notification_view(row))
