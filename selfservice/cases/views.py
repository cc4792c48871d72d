"""Cases as plain dicts: the subject's progress page and the staff case page."""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.cases import clock
from selfservice.cases.access import can_see
from selfservice.cases.actors import Actor
from selfservice.cases.models import Case, CaseEvidence, CaseTransition
from selfservice.cases.registry import label_of, workflow_of
from selfservice.cases.service import CaseNotFound
from selfservice.evidence import service as evidence_service
from selfservice.records.models import CreditRecord
from selfservice.records.views import brief
from selfservice.staff.models import Department

ROLE_ZH = {
    "subject": "申请人",
    "reporter": "举报人",
    "provider": "信息提供单位",
    "system": "系统",
    "handler": "经办人",
    "supervisor": "科室负责人",
    "credit_office": "信用办",
    "admin": "管理员",
}


# case data the subject sees (the rest, e.g. opinions between departments, is for staff)
SUBJECT_DATA = ("type", "type_label", "decision", "route", "route_label", "national", "commitment")


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def brief_case(case: Case, department: str, today: date) -> dict[str, Any]:
    wf = workflow_of(case.kind)
    return {
        "receipt": case.receipt,
        "kind": str(case.kind),
        "kind_label": label_of(case.kind),
        "title": case.title,
        "status": case.status,
        "status_label": wf.labels.get(case.status, case.status),
        "filed_on": _iso(case.filed_on),
        "closed_on": _iso(case.closed_on),
        "handling_department": department,
        "deadline": clock.view(case, today),
    }


def _entry(t: CaseTransition, departments: dict[int, str], *, staff: bool) -> dict[str, Any]:
    entry = {
        "at": t.at.isoformat() if t.at else None,
        "on": _iso(t.on),
        "action": t.action,
        "status": t.to_status,
        "reason": t.reason,
        "attachments": list(t.attachments),
        "by": ROLE_ZH.get(t.actor_role, t.actor_role),
        "department": departments.get(t.actor_department_id or 0),
    }
    if staff:
        entry |= {"actor_kind": t.actor_kind, "actor_id": t.actor_id, "data": t.data}
    return entry


async def _timeline(case: Case, *, staff: bool) -> list[dict[str, Any]]:
    wf = workflow_of(case.kind)
    rows = await CaseTransition.filter(case_id=case.id).order_by("at", "id")
    dept_ids = {r.actor_department_id for r in rows if r.actor_department_id}
    names = dict(await Department.filter(id__in=list(dept_ids)).values_list("id", "name"))
    out = []
    for t in rows:
        move = wf.table.get((t.from_status, t.action))
        if not staff and move is not None and not move.public:
            continue
        item = _entry(t, names, staff=staff)
        item["label"] = "提交申请" if t.action == "file" else (move.label_zh if move else t.action)
        if not staff and t.action == "opinion":
            item["reason"] = ""  # the provider's opinion reaches the subject through the decision
        out.append(item)
    return out


def _next_step(case: Case, department: str) -> dict[str, Any] | None:
    step = workflow_of(case.kind).steps.get(case.status)
    if step is None:
        return None
    return {"step": step.name, "label": step.label_zh, "text": step.next_zh, "by": department}


async def _evidence(case: Case) -> list[dict[str, Any]]:
    links = await CaseEvidence.filter(case_id=case.id).prefetch_related("evidence").order_by("id")
    return [evidence_service.view(link.evidence) for link in links]


async def subject_view(*, case: Case, today: date) -> dict[str, Any]:
    """Status, timeline, next step, handling department (never a person) and deadline."""
    department = await Department.get(id=case.department_id)
    view = brief_case(case, department.name, today)
    view |= {
        "record_id": case.record_id,
        "data": {k: v for k, v in case.data.items() if k in SUBJECT_DATA},
        "next_step": _next_step(case, department.name),
        "timeline": await _timeline(case, staff=False),
        "evidence": await _evidence(case),
    }
    return view


async def staff_view(*, case: Case, actor: Actor, today: date) -> dict[str, Any]:
    """The case page: record, evidence, full timeline and the moves this actor may make now."""
    department = await Department.get(id=case.department_id)
    wf = workflow_of(case.kind)
    record = None
    if case.record_id:
        row = await CreditRecord.filter(id=case.record_id).select_related("provider").first()
        record = brief(row, today) if row else None
    view = brief_case(case, department.name, today)
    view |= {
        "data": case.data,
        "assignee_id": case.assignee_id,
        "subject_id": case.subject_id,
        "record": record,
        "next_step": _next_step(case, department.name),
        "timeline": await _timeline(case, staff=True),
        "evidence": await _evidence(case),
        "allowed": [
            {
                "action": m.action,
                "label": m.label_zh,
                "target": m.target,
                "reason_required": m.reason_required,
            }
            for m in wf.allowed(case.status, actor)
        ],
    }
    return view


async def own_cases(*, subject_id: int, today: date) -> list[dict[str, Any]]:
    """The subject's cases, newest first."""
    rows = await Case.filter(subject_id=subject_id).order_by("-id").limit(200)
    names = dict(
        await Department.filter(id__in=list({c.department_id for c in rows})).values_list(
            "id", "name"
        )
    )
    return [brief_case(c, names.get(c.department_id, ""), today) for c in rows]


async def own_case(*, subject_id: int, receipt: str) -> Case:
    case = await Case.get_or_none(receipt=receipt.upper(), subject_id=subject_id)
    if case is None:
        raise CaseNotFound()
    return case


async def visible_case(*, actor: Actor, receipt: str) -> Case:
    case = await Case.get_or_none(receipt=receipt.upper())
    if case is None or not await can_see(actor, case):
        raise CaseNotFound()
    return case
