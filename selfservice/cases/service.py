"""The case engine: open a case, apply a table move, attach evidence, remember idempotency keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from tortoise import Tortoise

from selfservice.cases import clock, receipts
from selfservice.cases.actors import Actor
from selfservice.cases.models import Case, CaseEvidence, CaseTransition, IdempotencyKey
from selfservice.cases.workflow import Move, Workflow
from selfservice.errors import Conflict, NotFound, ValidationFailed
from selfservice.evidence.models import Evidence
from selfservice.policy import Policy


class CaseNotFound(NotFound):
    code = "case_not_found"
    message_zh, message_en = "未找到该办件", "Case not found"


class TooManyFiles(ValidationFailed):
    code = "evidence_limit"
    message_zh, message_en = "材料数量超过上限", "Too many files for one case"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message_zh, message_en = (
        "该幂等键已用于另一项不同的提交",
        "This Idempotency-Key was used for a different submission",
    )


def fingerprint(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


async def replay(*, scope: str, key: str | None, fingerprint_: str) -> Case | None:
    """The case an earlier submission with this key created, if any."""
    if not key:
        return None
    row = await IdempotencyKey.get_or_none(scope=scope, key=key).prefetch_related("case")
    if row is None:
        return None
    if row.fingerprint != fingerprint_:
        raise IdempotencyKeyReused()
    return row.case


async def remember(*, scope: str, key: str | None, fingerprint_: str, case: Case) -> None:
    if key:
        await IdempotencyKey.create(scope=scope, key=key, fingerprint=fingerprint_, case=case)


async def locked(*, receipt: str | None = None, case_id: int | None = None) -> Case:
    """The case row, locked for update until the surrounding transaction ends (PostgreSQL)."""
    query = Case.filter(receipt=receipt) if receipt else Case.filter(id=case_id)
    if Tortoise.get_connection("default").capabilities.dialect == "postgres":
        query = query.select_for_update()
    case = await query.first()
    if case is None:
        raise CaseNotFound()
    return case


async def attach(
    *, case: Case, evidence: Sequence[Evidence], actor: Actor, max_files: int
) -> list[str]:
    """Link evidence to the case (once each) within the per-case limit; returns the ids."""
    if not evidence:
        return []
    have = set(await CaseEvidence.filter(case_id=case.id).values_list("evidence_id", flat=True))
    new = [e for e in evidence if e.id not in have]
    if len(have) + len(new) > max_files:
        raise TooManyFiles(
            f"每件最多提交 {max_files} 份材料", f"At most {max_files} files per case"
        )
    for e in new:
        await CaseEvidence.create(case=case, evidence=e, added_by=actor.owner)
    return [str(e.id) for e in evidence]


async def _record(
    *,
    case: Case,
    action: str,
    source: str,
    actor: Actor,
    reason: str,
    data: dict[str, Any] | None,
    attachments: list[str],
    today: date,
) -> CaseTransition:
    return await CaseTransition.create(
        case=case,
        on=today,
        actor_kind=actor.kind,
        actor_id=actor.id[:40],
        actor_role=(actor.roles[0] if actor.roles else actor.kind)[:24],
        actor_department_id=actor.department_id,
        action=action,
        from_status=source,
        to_status=case.status,
        reason=reason,
        data=data or {},
        attachments=attachments,
    )


async def open_case(
    *,
    workflow: Workflow,
    actor: Actor,
    department_id: int,
    policy: Policy,
    today: date,
    subject_id: int | None = None,
    account_id: int | None = None,
    record_id: int | None = None,
    title: str = "",
    data: dict[str, Any] | None = None,
    statement: str = "",
    evidence: Sequence[Evidence] = (),
    max_files: int = 9,
) -> tuple[Case, CaseTransition]:
    """Create a case with its receipt and clocks; call inside the submission's transaction."""
    receipt = await receipts.next_receipt(kind=workflow.kind, on=today)
    case = Case(
        kind=workflow.kind,
        receipt=receipt,
        status=workflow.initial,
        subject_id=subject_id,
        account_id=account_id,
        record_id=record_id,
        department_id=department_id,
        title=title[:200],
        data=data or {},
        filed_on=today,
    )
    clock.start_final(case, workflow, policy=policy, on=today)
    clock.start_step(case, workflow, policy=policy, on=today)
    await case.save()
    ids = await attach(case=case, evidence=evidence, actor=actor, max_files=max_files)
    transition = await _record(
        case=case,
        action="file",
        source="",
        actor=actor,
        reason=statement,
        data=data,
        attachments=ids,
        today=today,
    )
    return case, transition


async def apply(
    *,
    workflow: Workflow,
    case: Case,
    action: str,
    actor: Actor,
    policy: Policy,
    today: date,
    reason: str = "",
    data: dict[str, Any] | None = None,
    evidence: Sequence[Evidence] = (),
    max_files: int = 9,
) -> tuple[Move, CaseTransition]:
    """Make one move from the table: check it, change status and clocks, record it."""
    move = workflow.move(case.status, action, actor, reason)
    source = case.status
    case.status = move.target
    if move.target != source:
        clock.start_step(case, workflow, policy=policy, on=today)
        if not workflow.is_open(move.target):
            case.closed_on = today
    await case.save()
    ids = await attach(case=case, evidence=evidence, actor=actor, max_files=max_files)
    transition = await _record(
        case=case,
        action=action,
        source=source,
        actor=actor,
        reason=reason.strip(),
        data=data,
        attachments=ids,
        today=today,
    )
    return move, transition
