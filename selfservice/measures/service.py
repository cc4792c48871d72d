"""Which measures apply to a record, whether each is in force or suspended, and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from selfservice.enums import MeasureKind, Nature, RecordStatus
from selfservice.errors import NotFound, ValidationFailed
from selfservice.measures.models import Measure, RecordMeasure
from selfservice.policy import Policy
from selfservice.records.models import CreditRecord
from selfservice.records.status import past_period

SUSPEND_RULE = "objection.suspend_measures_while_pending"
REASON_RULE = "punishment.reason_stated"
KIND_ZH = {MeasureKind.INCENTIVE: "激励措施", MeasureKind.PUNISHMENT: "惩戒措施"}
BATCH = 2000
OBLIGATION_ZH = {"mandatory": "必须执行", "recommended": "推荐执行"}


@dataclass(frozen=True, slots=True)
class MeasureState:
    state: str  # in_force | suspended | lifted | ended
    reason: str
    rule: dict[str, str] | None = None

    @property
    def in_force(self) -> bool:
        return self.state == "in_force"


def _rule_ref(policy: Policy, rule_id: str, on: date) -> dict[str, str] | None:
    try:
        rule = policy.rule(rule_id, on)
    except NotFound:
        return None
    return {"id": rule.id, "title": rule.title, "source": rule.source}


def state_of(
    *, record: CreditRecord, measure: Measure, policy: Policy, today: date
) -> MeasureState:
    """The state of one measure on one record today, with the reason shown to the subject."""
    status = RecordStatus(record.status)
    if status is RecordStatus.REVOKED:
        return MeasureState("ended", "信用记录已撤销，相关措施随之终止")
    if status is RecordStatus.EXPIRED or past_period(record, today):
        return MeasureState("ended", "信用记录已过公示期限，不再作为实施措施的依据")
    if status is RecordStatus.REPAIRED and measure.kind is MeasureKind.PUNISHMENT:
        ref = _rule_ref(policy, "repair.lifts_measures", today)
        receipt = (record.flags.get("repair") or {}).get("receipt")
        why = (
            f"信用修复（{receipt}）后解除失信惩戒措施" if receipt else "信用修复后解除失信惩戒措施"
        )
        return MeasureState("lifted", why, ref)
    if record.under_objection and measure.kind is MeasureKind.PUNISHMENT:
        ref = _rule_ref(policy, SUSPEND_RULE, today)
        if ref and policy.value(SUSPEND_RULE, today):
            return MeasureState("suspended", f"异议核实期间暂停执行（{ref['source']}）", ref)
        why = f"异议处理期间不影响失信行为记录的处理（{ref['source']}）" if ref else ""
        return MeasureState("in_force", why or "异议处理期间措施继续执行", ref)
    return MeasureState(
        "in_force",
        f"依据{measure.legal_basis}，因“{record.title}”实施",
        _rule_ref(policy, REASON_RULE, today) if measure.kind is MeasureKind.PUNISHMENT else None,
    )


def view(rm: RecordMeasure, *, record: CreditRecord, policy: Policy, today: date) -> dict[str, Any]:
    """A measure on a record as the subject sees it (prefetched ``measure`` and ``department``)."""
    measure: Measure = rm.measure
    state = state_of(record=record, measure=measure, policy=policy, today=today)
    department = rm.department.name if rm.department_id and rm.department else None
    return {
        "code": measure.code,
        "title": measure.title,
        "kind": measure.kind.value,
        "kind_label": KIND_ZH[measure.kind],
        "obligation": measure.obligation.value,
        "obligation_label": OBLIGATION_ZH[measure.obligation.value],
        "legal_basis": measure.legal_basis,
        "department": department,
        "record_id": record.id,
        "in_force": state.in_force,
        "state": state.state,
        "reason": state.reason,
        "rule": state.rule,
    }


async def for_records(
    *, records: Iterable[CreditRecord], policy: Policy, today: date
) -> dict[int, list[dict[str, Any]]]:
    """Measures of several records, keyed by record id."""
    by_id = {r.id: r for r in records}
    out: dict[int, list[dict[str, Any]]] = {rid: [] for rid in by_id}
    if not by_id:
        return out
    rows = (
        await RecordMeasure.filter(record_id__in=list(by_id))
        .prefetch_related("measure", "department")
        .order_by("id")
    )
    for rm in rows:
        out[rm.record_id].append(view(rm, record=by_id[rm.record_id], policy=policy, today=today))
    return out


async def resolve(
    *, codes: Iterable[str], nature: Nature, known: dict[str, Measure] | None = None
) -> list[Measure]:
    """The listed measures for ``codes``; a code not in the list or of the wrong kind fails."""
    codes = [c for c in dict.fromkeys(codes) if c]
    if not codes:
        return []
    if known is None:
        known = {m.code: m for m in await Measure.filter(code__in=codes)}
    found = {c: known[c] for c in codes if c in known}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(
            f"措施不在措施清单中：{'、'.join(missing)}",
            f"Measures not in the list: {', '.join(missing)}",
            code="unknown_measure",
        )
    want = MeasureKind.INCENTIVE if nature is Nature.GOOD else MeasureKind.PUNISHMENT
    wrong = [c for c in codes if found[c].kind is not want]
    if wrong:
        raise ValidationFailed(
            f"措施类型与信息性质不符：{'、'.join(wrong)}",
            f"Measures of the wrong kind for {nature.value} information: {', '.join(wrong)}",
            code="measure_kind_mismatch",
        )
    return [found[c] for c in codes]


async def recompute(*, policy: Policy, today: date, record_ids: list[int] | None = None) -> int:
    """Store each attached measure's current state; returns how many rows changed."""
    changed, last = 0, 0
    while True:
        query = RecordMeasure.filter(id__gt=last).order_by("id").limit(BATCH)
        if record_ids is not None:
            query = query.filter(record_id__in=record_ids)
        rows = await query.prefetch_related("measure", "record")
        if not rows:
            return changed
        last = rows[-1].id
        for rm in rows:
            state = state_of(record=rm.record, measure=rm.measure, policy=policy, today=today)
            reason = "" if state.in_force else state.reason[:300]
            if rm.in_force != state.in_force or rm.suspended_reason != reason:
                rm.in_force, rm.suspended_reason = state.in_force, reason
                await rm.save(update_fields=["in_force", "suspended_reason"])
                changed += 1
