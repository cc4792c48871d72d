"""Deadline sweeps: remind staff 2 working days before a step is due, escalate when overdue."""

from __future__ import annotations

import logging
from datetime import date

from tortoise.transactions import in_transaction

from selfservice.calendar import get_calendar
from selfservice.cases import clock
from selfservice.cases import service as cases
from selfservice.cases.actors import SYSTEM
from selfservice.cases.flows import MoveIn
from selfservice.cases.models import Case
from selfservice.cases.registry import label_of
from selfservice.enums import StaffRole
from selfservice.notifications import outbox
from selfservice.pledges.sweeps import sweep as sweep_pledges
from selfservice.policy import Policy
from selfservice.staff.models import Department, StaffUser

log = logging.getLogger("selfservice.sweeps")


def _mark(case: Case) -> str:
    return f"{case.step}:{case.step_due.isoformat() if case.step_due else ''}"


async def _staff(department_id: int, roles: set[StaffRole]) -> list[int]:
    return list(
        await StaffUser.filter(
            department_id=department_id, role__in=list(roles), active=True
        ).values_list("id", flat=True)
    )


async def supervisors_of(case: Case) -> list[int]:
    """Supervisors of the handling department, else of its parent, else its credit office."""
    ids = await _staff(case.department_id, {StaffRole.SUPERVISOR})
    dept = await Department.get(id=case.department_id)
    if not ids and dept.parent_id:
        ids = await _staff(dept.parent_id, {StaffRole.SUPERVISOR})
    if not ids:
        same = await Department.filter(jurisdiction=dept.jurisdiction).values_list("id", flat=True)
        ids = list(
            await StaffUser.filter(
                department_id__in=list(same), role=StaffRole.CREDIT_OFFICE, active=True
            ).values_list("id", flat=True)
        )
    return ids


async def remind_due_soon(*, today: date) -> int:
    """Remind the assignee (else the department's handlers) once per step and due date."""
    soon = get_calendar().add_working_days(today, clock.DUE_SOON_DAYS)
    candidates = await Case.filter(
        closed_on__isnull=True, step_due__gte=today, step_due__lte=soon
    ).order_by("id")
    sent = 0
    for case in candidates:
        mark = _mark(case)
        if case.reminded_for == mark:
            continue
        async with in_transaction():
            won = (
                await Case.filter(id=case.id, step_due=case.step_due)
                .exclude(reminded_for=mark)
                .update(reminded_for=mark)
            )
            if not won:
                continue
            staff = (
                [case.assignee_id]
                if case.assignee_id
                else await _staff(case.department_id, {StaffRole.HANDLER, StaffRole.SUPERVISOR})
            )
            left = get_calendar().working_days_between(today, case.step_due)
            await outbox.notify_staff(
                staff_ids=[s for s in staff if s],
                template="deadline_reminder",
                title=f"办件即将到期：{case.receipt}",
                body=f"{label_of(case.kind)}“{case.title}”当前环节将于 "
                f"{case.step_due.isoformat()} 到期（剩余 {left} 个工作日）。",
                receipt=case.receipt,
                key=f"case:{case.id}:remind:{mark}",
            )
        sent += 1
    return sent


async def escalate_overdue(*, today: date, policy: Policy) -> int:
    """Tell the supervisor about each overdue step once, and record it on the case."""
    candidates = await Case.filter(closed_on__isnull=True, step_due__lt=today).order_by("id")
    done = 0
    for case in candidates:
        mark = _mark(case)
        if case.escalated_for == mark:
            continue
        async with in_transaction():
            won = (
                await Case.filter(id=case.id, step_due=case.step_due)
                .exclude(escalated_for=mark)
                .update(escalated_for=mark)
            )
            if not won:
                continue
            fresh = await cases.locked(case_id=case.id)
            late = get_calendar().working_days_between(fresh.step_due, today)
            await cases.act(
                actor=SYSTEM,
                case_id=fresh.id,
                ask=MoveIn(
                    "escalate",
                    reason=f"{fresh.step} 环节已超期 {late} 个工作日（应于 {fresh.step_due} 前完成）",
                    fields={
                        "step": fresh.step,
                        "step_due": fresh.step_due.isoformat(),
                        "late": late,
                    },
                ),
                policy=policy,
                today=today,
            )
            await outbox.notify_staff(
                staff_ids=await supervisors_of(fresh),
                template="deadline_escalation",
                title=f"办件已超期：{fresh.receipt}",
                body=f"{label_of(fresh.kind)}“{fresh.title}”已超期 {late} 个工作日，请督办。",
                receipt=fresh.receipt,
                key=f"case:{fresh.id}:escalate:{mark}",
            )
        done += 1
    return done


async def sweep(*, today: date, policy: Policy) -> dict[str, int]:
    return {
        **await sweep_pledges(today=today, policy=policy),
        "reminded": await remind_due_soon(today=today),
        "escalated": await escalate_overdue(today=today, policy=policy),
    }
