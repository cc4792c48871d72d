"""What a move asks for, what its flow sees and returns, and the flows every case kind shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from selfservice.cases import clock
from selfservice.cases.actors import Actor
from selfservice.cases.models import Case
from selfservice.cases.workflow import Move
from selfservice.errors import NotFound, ValidationFailed
from selfservice.policy import Policy
from selfservice.staff.models import StaffUser

DEFAULT_MAX_EXTENSION_DAYS = 15
EXTENSION_RULES = {"objection": "objection.max_extension_days"}


@dataclass(frozen=True)
class MoveIn:
    """One requested move, as a staff member, provider, subject or the system asks for it."""

    action: str
    reason: str = ""
    outcome: str | None = None
    changes: dict[str, Any] | None = None
    evidence_ids: Sequence[str] = ()
    days: int | None = None
    assignee_id: int | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class MoveContext:
    """What a flow sees: the case (status and clocks already moved), the table row and the ask."""

    case: Case
    move: Move
    ask: MoveIn
    actor: Actor
    policy: Policy
    today: date
    source: str


@dataclass
class Effect:
    """What a flow hands back: data for the transition and, optionally, the subject's notice."""

    data: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None
    title: str | None = None


Flow = Callable[..., Awaitable[Effect | None]]


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def max_extension_days(policy: Policy, kind: str, on: date) -> int:
    """The policy's extension limit for ``kind`` (0 means none allowed), else the platform's."""
    try:
        return int(policy.value(EXTENSION_RULES.get(kind, f"{kind}.max_extension_days"), on))
    except NotFound:
        return DEFAULT_MAX_EXTENSION_DAYS


async def extend_flow(*, ctx: MoveContext) -> Effect:
    """Push the deadlines back within the policy's limit."""
    limit = max_extension_days(ctx.policy, ctx.case.kind, ctx.today)
    days = ctx.ask.days
    if limit <= 0:
        raise ValidationFailed(
            "依本地规定，该类办件不得延长办理期限",
            "The policy in force allows no extension for this kind of case",
            code="extension_not_allowed",
        )
    if days is None or not 1 <= days <= limit - ctx.case.extended_days:
        raise ValidationFailed(
            f"延长天数须为 1–{limit - ctx.case.extended_days} 个工作日（合计不超过 {limit} 个）",
            f"Extension must be 1-{limit - ctx.case.extended_days} working days ({limit} in all)",
            details=[{"field": "days"}],
        )
    clock.extend(ctx.case, days=days)
    return Effect(
        data={"days": days, "step_due": iso(ctx.case.step_due), "due": iso(ctx.case.due)},
        notice=f"新的办理期限 {iso(ctx.case.due)}。理由：{ctx.ask.reason}",
    )


async def assign_flow(*, ctx: MoveContext) -> Effect:
    """Handlers take cases themselves; supervisors hand them to staff of the department."""
    actor = ctx.actor
    target = ctx.ask.assignee_id or actor.staff_id
    if target != actor.staff_id and not {"supervisor", "credit_office"} & set(actor.roles):
        raise ValidationFailed(
            "只能将办件分派给自己", "Handlers may only assign cases to themselves"
        )
    staff = await StaffUser.get_or_none(id=target, active=True)
    if staff is None or staff.department_id != ctx.case.department_id:
        raise ValidationFailed(
            "经办人须属于办理部门", "The assignee must belong to the handling department"
        )
    ctx.case.assignee_id = target
    return Effect(data={"assignee_id": target})


async def add_material_flow(*, ctx: MoveContext) -> Effect:
    if not ctx.ask.reason.strip() and not ctx.ask.evidence_ids:
        raise ValidationFailed("请填写补充说明或上传材料", "Add a statement or files")
    return Effect()


async def escalate_flow(*, ctx: MoveContext) -> Effect:
    return Effect(data=dict(ctx.ask.fields))


COMMON_FLOWS: dict[str, Flow] = {
    "extend": extend_flow,
    "assign": assign_flow,
    "add_material": add_material_flow,
    "escalate": escalate_flow,
}
