"""Staff queues (new, due soon, overdue, mine) and statistics per department and period."""

from __future__ import annotations

import statistics as stats
from dataclasses import dataclass
from datetime import date
from typing import Any

from selfservice.calendar import get_calendar
from selfservice.cases import clock
from selfservice.cases.access import departments_for
from selfservice.cases.actors import Actor
from selfservice.cases.models import Case
from selfservice.cases.registry import CASE_TYPES, workflow_of
from selfservice.cases.views import brief_case
from selfservice.errors import ValidationFailed
from selfservice.staff.models import Department

QUEUES = ("new", "due_soon", "overdue", "mine", "open", "all")
MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class QueueFilter:
    queue: str = "open"
    kind: str | None = None
    status: str | None = None
    department_id: int | None = None
    receipt: str | None = None
    filed_from: date | None = None
    filed_to: date | None = None

    def check(self) -> QueueFilter:
        bad = []
        if self.queue not in QUEUES:
            bad.append({"field": "queue", "problem": f"one of {list(QUEUES)}"})
        if self.kind and self.kind not in CASE_TYPES:
            bad.append({"field": "kind"})
        if bad:
            raise ValidationFailed("筛选条件有误", "Bad filter", details=bad)
        return self


def _initial_statuses(kind: str | None) -> list[str]:
    flows = [workflow_of(kind)] if kind else [t.workflow for t in CASE_TYPES.values()]
    return sorted({wf.initial for wf in flows})


async def queue(
    *, actor: Actor, filters: QueueFilter, today: date, page: int = 1, per_page: int = 20
) -> dict[str, Any]:
    """One page of a queue of the actor's departments, most urgent first."""
    filters.check()
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed("分页参数有误", "Bad paging", code="bad_paging")
    scope = await departments_for(actor)
    if filters.department_id is not None:
        scope &= {filters.department_id}
    query = Case.filter(department_id__in=list(scope))
    if filters.queue != "all":
        query = query.filter(closed_on__isnull=True)
    soon = get_calendar().add_working_days(today, clock.DUE_SOON_DAYS)
    if filters.queue == "new":
        query = query.filter(status__in=_initial_statuses(filters.kind))
    elif filters.queue == "due_soon":
        query = query.filter(step_due__gte=today, step_due__lte=soon)
    elif filters.queue == "overdue":
        query = query.filter(step_due__lt=today)
    elif filters.queue == "mine":
        query = query.filter(assignee_id=actor.staff_id)
    if filters.kind:
        query = query.filter(kind=filters.kind)
    if filters.status:
        query = query.filter(status=filters.status)
    if filters.receipt:
        query = query.filter(receipt__startswith=filters.receipt.upper())
    if filters.filed_from:
        query = query.filter(filed_on__gte=filters.filed_from)
    if filters.filed_to:
        query = query.filter(filed_on__lte=filters.filed_to)
    total = await query.count()
    rows = await query.order_by("step_due", "id").offset((page - 1) * per_page).limit(per_page)
    names = dict(await Department.filter(id__in=list(scope)).values_list("id", "name"))
    items = []
    for case in rows:
        item = brief_case(case, names.get(case.department_id, ""), today)
        item["assignee_id"] = case.assignee_id
        items.append(item)
    return {
        "queue": filters.queue,
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
    }


async def statistics(
    *, actor: Actor, date_from: date, date_to: date, kind: str | None = None
) -> list[dict[str, Any]]:
    """Per department: received, decided, on-time % and median working days to decision."""
    if date_from > date_to:
        raise ValidationFailed("起止日期有误", "date_from is after date_to")
    scope = await departments_for(actor)
    base = Case.filter(department_id__in=list(scope))
    if kind:
        base = base.filter(kind=kind)
    received = await base.filter(filed_on__gte=date_from, filed_on__lte=date_to)
    closed = await base.filter(closed_on__gte=date_from, closed_on__lte=date_to)
    cal = get_calendar()
    per: dict[int, dict[str, Any]] = {}

    def row(dept: int) -> dict[str, Any]:
        return per.setdefault(dept, {"received": 0, "decided": 0, "on_time": 0, "days": []})

    for case in received:
        row(case.department_id)["received"] += 1
    for case in closed:
        if case.status not in workflow_of(case.kind).decisions:
            continue
        r = row(case.department_id)
        r["decided"] += 1
        r["on_time"] += int(case.due is None or case.closed_on <= case.due)
        r["days"].append(cal.working_days_between(case.filed_on, case.closed_on))
    names = dict(await Department.filter(id__in=list(per)).values_list("id", "name"))
    return [
        {
            "department_id": dept,
            "department": names.get(dept, ""),
            "received": r["received"],
            "decided": r["decided"],
            "on_time_pct": round(100 * r["on_time"] / r["decided"], 1) if r["decided"] else None,
            "median_days": stats.median(r["days"]) if r["days"] else None,
        }
        for dept, r in sorted(per.items())
    ]
