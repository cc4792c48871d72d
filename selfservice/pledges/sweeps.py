"""The pledge sweep: 容缺 pledges past their due date go to staff, expired pledges close."""

from __future__ import annotations

import logging
from datetime import date

from selfservice.cases import service as cases
from selfservice.cases.actors import SYSTEM
from selfservice.cases.flows import MoveIn
from selfservice.cases.workflow import BadCaseTransition
from selfservice.pledges.models import Pledge
from selfservice.pledges.workflow import PledgeStatus
from selfservice.policy import Policy

log = logging.getLogger("selfservice.pledges")
MISSING_MATERIALS = "missing_materials"


def _delivered_in_time(pledge: Pledge) -> bool:
    delivered = pledge.case.data.get("materials_on")
    return bool(delivered and pledge.due_on and delivered <= pledge.due_on.isoformat())


async def _move(pledge: Pledge, action: str, reason: str, *, today: date, policy: Policy) -> bool:
    try:
        await cases.act(
            actor=SYSTEM,
            case_id=pledge.case_id,
            ask=MoveIn(action, reason=reason),
            policy=policy,
            today=today,
        )
    except BadCaseTransition:  # moved meanwhile by staff, the subject or another sweeper
        return False
    return True


async def mark_overdue(*, today: date, policy: Policy) -> int:
    """Mark each 容缺 pledge past its due date ``breach_suspected`` once (idempotent)."""
    overdue = await Pledge.filter(
        pledge_type=MISSING_MATERIALS,
        due_on__lt=today,
        case__status=PledgeStatus.ACTIVE.value,
    ).prefetch_related("case")
    done = 0
    for pledge in overdue:
        if _delivered_in_time(pledge):
            continue
        reason = f"承诺于 {pledge.due_on.isoformat()} 前补齐材料，逾期未补齐"
        done += await _move(pledge, "suspect_breach", reason, today=today, policy=policy)
    return done


async def expire(*, today: date, policy: Policy) -> int:
    """Close active pledges whose validity has ended without a breach."""
    ended = await Pledge.filter(
        valid_until__lt=today, case__status=PledgeStatus.ACTIVE.value
    ).prefetch_related("case")
    done = 0
    for pledge in ended:
        reason = f"承诺有效期至 {pledge.valid_until.isoformat()}"
        done += await _move(pledge, "expire", reason, today=today, policy=policy)
    return done


async def sweep(*, today: date, policy: Policy) -> dict[str, int]:
    return {
        "pledges_breach_suspected": await mark_overdue(today=today, policy=policy),
        "pledges_expired": await expire(today=today, policy=policy),
    }
