"""Confidentiality of reports, a named policy (Kunming task 11: 对举报人信息严格保密).

- A reporter's identity lives only sealed in ``TipReporter`` under ``REPORT_SEAL_KEY``; no case
  field, transition, message, notice, audit entry, log line or error body carries it.
- An anonymous tip keeps no IP address, user agent or openid; these routes' access-log lines omit
  the client's address too.
- Staff of the handling department see the tip and whether it is named, never the reporter; only
  a ``report_custodian`` of the same jurisdiction may unseal it, with a stated reason, which is
  audited and reported to the handling department's supervisors.
- The reported party (a subject) never reaches a tip: tips have no subject, and a credit record
  created from a substantiated tip is linked to the tip, never to the reporter.
- A wrong secret answers exactly like an unknown receipt.
"""

from __future__ import annotations

from typing import Any

from selfservice.cases.access import can_see
from selfservice.cases.actors import Actor
from selfservice.cases.models import Case
from selfservice.cases.registry import workflow_of
from selfservice.enums import StaffRole
from selfservice.reports.enums import OUTCOME_ZH, TipOutcome, TipStatus
from selfservice.reports.models import TipMessage
from selfservice.staff.models import Department

NEVER_STORED_FOR_ANONYMOUS = ("ip", "user_agent", "openid")
CONFIDENTIAL_PATHS = ("/api/v1/tips", "/api/v1/staff/tips")
UNSEAL_REASON_MIN = 5
AUTHOR_ZH = {"reporter": "举报人", "staff": "处理部门", "platform": "平台"}


def is_confidential_path(path: str) -> bool:
    """Routes whose log lines carry no client address or device data."""
    return any(path == p or path.startswith(p + "/") for p in CONFIDENTIAL_PATHS)


async def may_unseal(actor: Actor, case: Case) -> bool:
    """Only a custodian, and only for tips handled in the custodian's own jurisdiction."""
    if actor.kind != "staff" or StaffRole.REPORT_CUSTODIAN not in actor.roles:
        return False
    mine = await Department.get_or_none(id=actor.department_id or 0)
    theirs = await Department.get_or_none(id=case.department_id)
    return bool(mine and theirs and mine.jurisdiction == theirs.jurisdiction)


async def may_handle(actor: Actor, case: Case) -> bool:
    """Staff of the handling department (the case visibility policy) may use the thread."""
    return actor.kind == "staff" and await can_see(actor, case)


def outcome_of(case: Case) -> dict[str, Any] | None:
    outcome = case.data.get("outcome")
    if not outcome:
        return None
    return {
        "outcome": outcome,
        "label": OUTCOME_ZH[TipOutcome(outcome)],
        "summary": case.data.get("summary", ""),
    }


def message_view(m: TipMessage) -> dict[str, Any]:
    """A thread entry as the reporter and the handlers see it: never a staff member's name."""
    return {
        "at": m.created_at.isoformat() if m.created_at else None,
        "from": m.author,
        "from_label": AUTHOR_ZH.get(m.author, m.author),
        "body": m.body,
        "attachments": list(m.attachments),
    }


def reporter_view(
    *, case: Case, primary: Case | None, department: str, messages: list[TipMessage]
) -> dict[str, Any]:
    """What receipt + secret shows: status, outcome summary and the thread; for a tip linked to an
    earlier one, that one's progress without its receipt."""
    wf = workflow_of(case.kind)
    shown = primary if case.status == TipStatus.LINKED and primary is not None else case
    step = wf.steps.get(shown.status)
    return {
        "receipt": case.receipt,
        "status": case.status,
        "status_label": wf.labels.get(case.status, case.status),
        "progress_label": wf.labels.get(shown.status, shown.status),
        "category": case.data.get("category"),
        "category_label": case.data.get("category_label"),
        "filed_on": case.filed_on.isoformat(),
        "closed_on": shown.closed_on.isoformat() if shown.closed_on else None,
        "handling_department": department,
        "next_step": step.next_zh if step else None,
        "feedback_due": case.step_due.isoformat()
        if case.status == TipStatus.RECEIVED and case.step_due
        else None,
        "outcome": outcome_of(shown),
        "messages": [message_view(m) for m in messages],
    }
