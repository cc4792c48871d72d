"""SLA clocks in working days: deadlines from the policy in force, time left, overdue."""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.calendar import WorkCalendar, get_calendar
from selfservice.cases.models import Case
from selfservice.cases.workflow import Workflow
from selfservice.policy import Policy

DUE_SOON_DAYS = 2


def days_of(policy: Policy, rule_id: str, on: date) -> int:
    return int(policy.value(rule_id, on))


def case_days(case: Case, policy: Policy, rule_id: str, on: date) -> int:
    """A case's procedural day count: the rule in force when the case was filed governs it to
    the end (a regime change does not rewrite a running procedure)."""
    return days_of(policy, rule_id, case.filed_on or on)


def start_final(case: Case, workflow: Workflow, *, policy: Policy, on: date) -> None:
    """Fix the case's final deadline from the rule in force on the filing day."""
    if workflow.final_rule_id is None:
        return
    deadline = get_calendar().deadline(on, days_of(policy, workflow.final_rule_id, on))
    case.due, case.due_estimated = deadline.due, deadline.estimated


def start_step(case: Case, workflow: Workflow, *, policy: Policy, on: date) -> None:
    """Start the clock of the step the case's status belongs to (or stop it when final)."""
    step = workflow.steps.get(case.status)
    if step is None:
        case.step, case.step_started, case.step_due = "", None, None
        return
    case.step, case.step_started = step.name, on
    if step.rule_id is None:
        case.step_due = case.due
        return
    deadline = get_calendar().deadline(on, case_days(case, policy, step.rule_id, on))
    # the case's own deadline binds every step: a late step does not move it
    case.step_due = min(deadline.due, case.due) if case.due else deadline.due
    case.due_estimated = case.due_estimated or deadline.estimated


def extend(case: Case, *, days: int) -> None:
    """Push the running step and the final deadline back by ``days`` working days; the
    ``estimated`` flag is judged again over the whole span the case now runs."""
    cal = get_calendar()
    if case.step_due:
        case.step_due = cal.add_working_days(case.step_due, days)
    if case.due:
        case.due = cal.add_working_days(case.due, days)
    case.extended_days += days
    case.due_estimated = _estimated(case, cal)


def _estimated(case: Case, cal: WorkCalendar) -> bool:
    last = max((d for d in (case.step_due, case.due) if d), default=None)
    return last is not None and cal.any_estimated(case.filed_on, last)


def _recount(start: date | None, due: date | None, old: WorkCalendar, new: WorkCalendar):
    """``due`` moved to the same number of working days after ``start`` under ``new``."""
    if start is None or due is None:
        return due
    n = old.working_days_between(old.received_on(start), due)
    return new.add_working_days(new.received_on(start), max(n, 0))


async def recount_estimated(*, old: WorkCalendar, new: WorkCalendar) -> int:
    """Recount the deadlines of every open case still marked estimated under the calendar just
    loaded (same working days, new holidays); returns how many cases changed."""
    changed = 0
    for case in await Case.filter(closed_on=None, due_estimated=True):
        before = (case.step_due, case.due, case.due_estimated)
        case.due = _recount(case.filed_on, case.due, old, new)
        case.step_due = _recount(case.step_started, case.step_due, old, new)
        if case.due and case.step_due:
            case.step_due = min(case.step_due, case.due)
        case.due_estimated = _estimated(case, new)
        if (case.step_due, case.due, case.due_estimated) != before:
            await case.save(update_fields=["step_due", "due", "due_estimated", "updated_at"])
            changed += 1
    return changed


def current_due(case: Case) -> date | None:
    """The nearest deadline that binds now: the step's, else the case's."""
    dues = [d for d in (case.step_due, case.due) if d]
    return min(dues) if dues else None


def view(case: Case, today: date) -> dict[str, Any]:
    """Deadline, working days left (negative when overdue) and flags."""
    due = current_due(case)
    if due is None or case.closed_on:
        return {
            "step": case.step or None,
            "step_due": None,
            "due": case.due.isoformat() if case.due else None,
            "working_days_left": None,
            "overdue": False,
            "due_soon": False,
            "estimated": case.due_estimated,
            "extended_days": case.extended_days,
        }
    left = get_calendar().working_days_between(today, due)
    return {
        "step": case.step or None,
        "step_due": case.step_due.isoformat() if case.step_due else None,
        "due": case.due.isoformat() if case.due else None,
        "working_days_left": left,
        "overdue": today > due,
        "due_soon": today <= due and left <= DUE_SOON_DAYS,
        "estimated": case.due_estimated,
        "extended_days": case.extended_days,
    }
