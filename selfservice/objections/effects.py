"""What an objection does to its record: the mark, the measures, and each decision's effect.

Written on the models and the records/measures services directly, inside the caller's
transaction, so the record changes together with the case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.cases.models import Case
from selfservice.enums import RecordStatus
from selfservice.errors import NotFound, ValidationFailed
from selfservice.measures import service as measures
from selfservice.objections.enums import OUTCOME_ZH, Outcome
from selfservice.policy import Policy
from selfservice.records import status as record_status
from selfservice.records.departments import departments_that_acted, notify_departments
from selfservice.records.ingest import refresh_periods
from selfservice.records.models import CreditRecord, RecordEvent

CORRECTABLE = frozenset(
    {"title", "content", "legal_basis", "severity", "finding_date", "publicity_end"}
)
SUBJECT_ACTOR = "信用主体（异议申请人）"
MARK_RULE = "objection.mark_record"
REFUSAL_RULE = "objection.refusal_needs_reason"


def refusal_text(reason: str, *, policy: Policy, today: date) -> str:
    """The refusal notice: its reason, and the rule that demands one where a policy has it."""
    text = f"不予受理理由：{reason}"
    try:
        rule = policy.rule(REFUSAL_RULE, today)
    except NotFound:
        return text
    return f"{text}（{rule.title}：{rule.source}）" if rule.value else text


async def mark(*, record: CreditRecord, case: Case, policy: Policy, today: date) -> None:
    """Label the record 异议处理中 at once (when the policy marks) and suspend measures if the
    policy says so."""
    record.under_objection = bool(policy.value(MARK_RULE, today))
    record.flags = {
        **record.flags,
        "open_case": {
            "kind": "objection",
            "receipt": case.receipt,
            "next_deadline": case.due.isoformat() if case.due else None,
        },
    }
    await record.save(update_fields=["under_objection", "flags", "updated_at"])
    await RecordEvent.create(
        record=record,
        actor=SUBJECT_ACTOR,
        action="objection_filed",
        reason=f"异议申请 {case.receipt}",
        data={
            "receipt": case.receipt,
            "mark_rule": policy.rule(MARK_RULE, today).source,
            "suspend_rule": _suspends(policy, today),
        },
    )
    await measures.recompute(policy=policy, today=today, record_ids=[record.id])


def _suspends(policy: Policy, today: date) -> bool:
    return bool(policy.value(measures.SUSPEND_RULE, today))


async def unmark(*, record: CreditRecord) -> None:
    record.under_objection = False
    record.flags = {k: v for k, v in record.flags.items() if k != "open_case"}


async def close_without_decision(
    *, record: CreditRecord, case: Case, why: str, actor: str, policy: Policy, today: date
) -> None:
    """Withdrawal or refusal: the mark goes, measures return to what the record says."""
    await unmark(record=record)
    await record.save(update_fields=["under_objection", "flags", "updated_at"])
    await RecordEvent.create(
        record=record,
        actor=actor,
        action="objection_closed",
        reason=why,
        data={"receipt": case.receipt, "status": case.status},
    )
    await measures.recompute(policy=policy, today=today, record_ids=[record.id])


def _changes(record: CreditRecord, raw: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(raw) - CORRECTABLE)
    if unknown or not raw:
        raise ValidationFailed(
            "更正内容须为记录的可更正字段",
            "Corrections must name correctable fields",
            code="bad_correction",
            details={"allowed": sorted(CORRECTABLE), "unknown": unknown},
        )
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ("finding_date", "publicity_end") and value is not None:
            try:
                value = date.fromisoformat(str(value))
            except ValueError:
                raise ValidationFailed(details=[{"field": name}]) from None
        out[name] = value
    return out


async def _correct(
    *,
    record: CreditRecord,
    changes: dict[str, Any],
    actor: str,
    reply: str,
    policy: Policy,
    today: date,
) -> dict[str, Any]:
    changed = _changes(record, changes)
    before = {k: _plain(getattr(record, k)) for k in changed}
    for name, value in changed.items():
        setattr(record, name, value)
    if {"severity", "finding_date", "publicity_end"} & set(changed):
        refresh_periods(record, policy=policy)
    await record.save()
    diff = {"before": before, "after": {k: _plain(v) for k, v in changed.items()}}
    if record_status.can_move(RecordStatus(record.status), RecordStatus.CORRECTED):
        await record_status.move(
            record, RecordStatus.CORRECTED, actor=actor, reason=reply, data=diff
        )
    else:
        await RecordEvent.create(
            record=record, actor=actor, action="amended", reason=reply, data=diff
        )
    return diff


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def decide(
    *,
    record: CreditRecord,
    case: Case,
    outcome: Outcome,
    reply: str,
    changes: dict[str, Any] | None,
    actor: str,
    policy: Policy,
    today: date,
) -> dict[str, Any]:
    """Apply a decision to the record, its history and its measures; notify on corrections."""
    effect: dict[str, Any] = {"outcome": outcome.value}
    await unmark(record=record)
    if outcome is Outcome.CORRECTED:
        effect["changes"] = await _correct(
            record=record,
            changes=changes or {},
            actor=actor,
            reply=reply,
            policy=policy,
            today=today,
        )
    elif outcome is Outcome.REVOKED:
        await record_status.move(
            record, RecordStatus.REVOKED, actor=actor, reason=reply, data={"receipt": case.receipt}
        )
    elif outcome is Outcome.UNRESOLVED:
        record.flags = {
            **record.flags,
            "annotation": {"text": reply, "receipt": case.receipt, "on": today.isoformat()},
        }
    await record.save(update_fields=["under_objection", "flags", "updated_at"])
    await RecordEvent.create(
        record=record,
        actor=actor,
        action="objection_closed",
        reason=reply,
        data={"receipt": case.receipt, "outcome": outcome.value, "label": OUTCOME_ZH[outcome]},
    )
    await measures.recompute(policy=policy, today=today, record_ids=[record.id])
    if outcome in (Outcome.CORRECTED, Outcome.REVOKED):
        effect["departments_notified"] = await _notify_departments(
            record=record, case=case, outcome=outcome, reply=reply, actor=actor
        )
    return effect


async def _notify_departments(
    *, record: CreditRecord, case: Case, outcome: Outcome, reply: str, actor: str
) -> list[int]:
    return await notify_departments(
        record=record,
        case=case,
        departments=await departments_that_acted(record),
        template="record_corrected",
        title=f"信用记录{OUTCOME_ZH[outcome]}：{record.title}",
        body=f"异议 {case.receipt} 处理决定：{OUTCOME_ZH[outcome]}。{reply}"
        "请同步更新本部门据此实施的措施。",
        key="decided",
        reason="异议处理结果已通知相关部门",
        actor=actor,
    )
