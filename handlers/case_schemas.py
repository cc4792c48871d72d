"""OpenAPI shapes of cases, shared by the case blueprints, and the ``Idempotency-Key`` header."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Request

IDEMPOTENCY_HEADER = "idempotency-key"


def idempotency_key(request: Request) -> str | None:
    """The retry-safe submission key of a POST that creates something (DESIGN §4)."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    return key[:128] or None


class MaterialIn(BaseModel):
    statement: str = Field("", max_length=2000)
    evidence: list[str] = Field(default_factory=list, max_length=50, description="evidence ids")


class WithdrawIn(BaseModel):
    reason: str = Field("", max_length=500)


DEADLINE = {
    "step": str,
    "step_due": str,
    "due": str,
    "working_days_left": int,
    "overdue": bool,
    "due_soon": bool,
    "estimated": bool,
    "extended_days": int,
}
CASE_BRIEF = {
    "receipt": str,
    "kind": str,
    "kind_label": str,
    "title": str,
    "status": str,
    "status_label": str,
    "filed_on": str,
    "closed_on": str,
    "handling_department": str,
    "deadline": DEADLINE,
}
TIMELINE_ENTRY = {
    "at": str,
    "on": str,
    "action": str,
    "label": str,
    "status": str,
    "reason": str,
    "attachments": [str],
    "by": str,
    "department": str,
}
NEXT_STEP = {"step": str, "label": str, "text": str, "by": str}
EVIDENCE_ITEM = {"id": str, "name": str, "kind": str, "media_type": str, "size": int, "url": str}
CASE_VIEW = CASE_BRIEF | {
    "record_id": int,
    "data": {"type": str, "type_label": str, "decision": dict},
    "next_step": NEXT_STEP,
    "timeline": [TIMELINE_ENTRY],
    "evidence": [EVIDENCE_ITEM],
}
STAFF_CASE_VIEW = CASE_BRIEF | {
    "data": dict,
    "assignee_id": int,
    "subject_id": int,
    "record": dict,
    "next_step": NEXT_STEP,
    "timeline": [TIMELINE_ENTRY | {"actor_kind": str, "actor_id": str, "data": dict}],
    "evidence": [EVIDENCE_ITEM],
    "allowed": [{"action": str, "label": str, "target": str, "reason_required": bool}],
}
