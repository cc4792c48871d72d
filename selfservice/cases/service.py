"""The case engine: open a case, apply a table move, attach evidence, remember idempotency keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from selfservice.audit import service as audit
from selfservice.cases import clock, receipts, registry
from selfservice.cases.access import can_see
from selfservice.cases.actors import Actor
from selfservice.cases.flows import Effect, MoveContext, MoveIn
from selfservice.cases.models import Case, CaseEvidence, CaseTransition, IdempotencyKey
from selfservice.enums import ActorKind
from selfservice.errors import Conflict, NotFound, ValidationFailed
from selfservice.evidence import service as evidence_service
from selfservice.evidence.models import Evidence
from selfservice.notifications import outbox
from selfservice.policy import Policy
from selfservice.staff.models import Department
from selfservice.verification.agents import require_scope


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
    kind: str,
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
    case_type = registry.case_type_of(kind)
    workflow = case_type.workflow
    receipt = await receipts.next_receipt(prefix=case_type.prefix, on=today)
    case = Case(
        kind=case_type.kind,
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


async def act(
    *,
    actor: Actor,
    ask: MoveIn,
    policy: Policy,
    today: date,
    receipt: str | None = None,
    case_id: int | None = None,
    kind: str | None = None,
    max_files: int = 9,
) -> Case:
    """Make one move on any kind of case: table check, the action's flow, history, notice, audit.

    ``kind`` narrows a kind-specific route to its own cases; anything the actor may not see is
    answered as not found.
    """
    async with in_transaction():
        case = await locked(receipt=receipt, case_id=case_id)
        if (kind and case.kind != kind) or not await can_see(actor, case):
            raise CaseNotFound()
        case_type = registry.case_type_of(case.kind)
        if actor.kind == "subject":
            require_scope(actor.scopes, case_type.scope)
        workflow = case_type.workflow
        move = workflow.move(case.status, ask.action, actor, ask.reason)
        files = await evidence_service.owned(actor=actor, evidence_ids=list(ask.evidence_ids))
        source = case.status
        case.status = move.target
        if move.target != source:
            clock.start_step(case, workflow, policy=policy, on=today)
            if not workflow.is_open(move.target):
                case.closed_on = today
        flow = case_type.flow(ask.action)
        context = MoveContext(case, move, ask, actor, policy, today, source)
        effect = (await flow(ctx=context) if flow else None) or Effect()
        await case.save()
        ids = await attach(case=case, evidence=files, actor=actor, max_files=max_files)
        transition = await _record(
            case=case,
            action=ask.action,
            source=source,
            actor=actor,
            reason=ask.reason.strip(),
            data=effect.data,
            attachments=ids,
            today=today,
        )
        await notify(case_type, case, ask.action, transition, effect)
    if actor.kind in ("staff", "provider"):
        await _audit(case, actor, ask)
    return case


def _push_data(case: Case, case_type: registry.CaseType, status_label: str, note: str) -> dict:
    return {
        "thing1": case_type.label_zh,
        "character_string2": case.receipt,
        "phrase3": status_label[:5],
        "date4": case.updated_at.date().isoformat() if case.updated_at else "",
        "thing5": note[:20],
    }


async def notify(
    case_type: registry.CaseType,
    case: Case,
    action: str,
    transition: CaseTransition,
    effect: Effect,
) -> None:
    """Tell the subject about a move their kind announces (in-app and WeChat, via the outbox)."""
    title = effect.title or case_type.notices.get(action)
    if title is None or case.subject_id is None:
        return
    label = case_type.workflow.labels.get(case.status, case.status)
    await outbox.notify_subject(
        subject_id=case.subject_id,
        template=f"{case.kind}_{action}",
        title=title,
        body=effect.notice or f"当前状态：{label}",
        receipt=case.receipt,
        key=f"case:{case.id}:t{transition.id}",
        push_data=_push_data(case, case_type, label, title),
    )


async def _audit(case: Case, actor: Actor, ask: MoveIn) -> None:
    kind = ActorKind.STAFF if actor.kind == "staff" else ActorKind.PROVIDER
    department = await Department.get_or_none(id=actor.department_id or 0)
    await audit.append(
        actor=audit.Actor(
            kind,
            f"{actor.kind}:{actor.id}",
            actor.roles[0] if actor.roles else actor.kind,
            department.name if department else "",
        ),
        action=f"{case.kind}.{ask.action}",
        target=case.receipt,
        subject_id=case.subject_id,
        purpose=ask.reason[:500],
        data={"status": case.status, "outcome": ask.outcome},
    )
