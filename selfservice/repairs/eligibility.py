"""Whether a record can be repaired now, from when, by which route, with what proof and why not.

Pure: reads the record (its status, flags and periods) and the policy in force, no database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from selfservice.calendar import get_calendar
from selfservice.enums import Nature, RecordStatus
from selfservice.errors import DomainError, NotFound
from selfservice.policy import Policy
from selfservice.records.models import CreditRecord
from selfservice.repairs.enums import ROUTE_ZH, Route

ONE_DAY = timedelta(days=1)
NATIONAL_MINIMUM = ("fulfilment_proof", "commitment_letter")
MATERIAL_ZH = {
    "fulfilment_proof": "已纠正失信行为、履行法定责任义务的证明材料（如缴款凭证、整改验收文书）",
    "commitment_letter": "信用修复承诺书（按记录生成，在申请中确认签署）",
    "rectification_report": "整改情况说明（可选，便于认定部门核查整改情况）",
    "public_service_proof": "参加社会公益服务的证明（可选，个人适用）",
}
PUBLIC_SERVICE_RULE = "repair.public_service_for_citizens"
PLATFORM_OBJECTION_RULE = {
    "id": "platform.repair_after_objection",
    "title": "异议办结前不受理该记录的信用修复申请",
    "source": "本平台规则：异议办结前记录内容尚未确定（异议可能更正或撤销该记录）",
    "level": "platform",
}


@dataclass(frozen=True)
class Reason:
    """One reason a record cannot be repaired now, with the rule and article behind it."""

    code: str
    message: str
    rule: dict[str, Any] | None = None


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    required: bool


@dataclass(frozen=True)
class Eligibility:
    record_id: int
    eligible: bool
    available_from: date | None
    route: Route | None
    route_label: str | None
    checklist: list[ChecklistItem] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    free_of_charge: bool = True

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["available_from"] = self.available_from.isoformat() if self.available_from else None
        out["route"] = self.route.value if self.route else None
        return out


def rule_ref(policy: Policy, rule_id: str, on: date) -> dict[str, Any] | None:
    """The rule ``rule_id`` in force on ``on`` as a citation, or None when there is none."""
    try:
        rule = policy.rule(rule_id, on)
    except NotFound:
        return None
    return {"id": rule.id, "title": rule.title, "source": rule.source, "level": rule.level}


def value_or(policy: Policy, rule_id: str, on: date, default: Any) -> Any:
    try:
        return policy.value(rule_id, on)
    except NotFound:
        return default


def available_from(record: CreditRecord, policy: Policy) -> date | None:
    """The first day an application is possible: the day after the minimum period's last day.

    The minimum period is counted from the finding date under the rule that fixed the record
    and ends at the end of its last day (民法典 art. 201–202); with no minimum (轻微, or a regime
    without one) an application is possible as soon as the obligation is fulfilled.
    """
    if Nature(record.nature) is not Nature.BAD or record.severity is None:
        return None
    periods = policy.periods_for(record.nature, record.severity, record.finding_date)
    first = periods.repairable_from
    if first is None or first <= record.finding_date:
        return record.finding_date  # no minimum period: at once
    return first


def route_of(record: CreditRecord, policy: Policy, today: date) -> Route:
    """The route is procedural: the rule in force on the day an application filed ``today`` is
    received (the next working day when ``today`` is not one), whatever the record's finding date.
    """
    received = get_calendar().received_on(today)
    return Route(value_or(policy, "repair.route", received, Route.LOCAL_DECIDE.value))


def checklist(policy: Policy, today: date) -> list[ChecklistItem]:
    """The national minimum (required) and any local extra items (optional only)."""
    required = list(value_or(policy, "repair.materials", today, list(NATIONAL_MINIMUM)))
    optional = list(value_or(policy, "repair.optional_materials", today, []))
    if value_or(policy, PUBLIC_SERVICE_RULE, today, False):
        optional.append("public_service_proof")  # Kunming task 18
    optional = [c for c in optional if c not in required]
    return [ChecklistItem(c, MATERIAL_ZH.get(c, c), True) for c in required] + [
        ChecklistItem(c, MATERIAL_ZH.get(c, c), False) for c in optional
    ]


def _period_rule(record: CreditRecord, policy: Policy) -> dict[str, Any] | None:
    stored = record.flags.get("period")
    if stored:
        return dict(stored)
    try:
        periods = policy.periods_for(record.nature, record.severity, record.finding_date)
    except DomainError:
        return None
    return rule_ref(policy, periods.rule_id, record.finding_date)


def _status_reasons(record: CreditRecord, policy: Policy, today: date) -> list[Reason]:
    status = RecordStatus(record.status)
    if Nature(record.nature) is Nature.GOOD:
        return [
            Reason(
                "good_record",
                "良好信息不是失信信息，无需修复",
                rule_ref(policy, "repair.bad_information_only", today),
            )
        ]
    if status is RecordStatus.REPAIRED:
        repair = record.flags.get("repair") or {}
        when = f"（{repair['on']}，受理编号 {repair['receipt']}）" if repair.get("receipt") else ""
        return [Reason("already_repaired", f"该记录已完成信用修复{when}")]
    if status is RecordStatus.REVOKED:
        return [Reason("revoked", "该记录已撤销，不再作为失信信息使用，无需修复")]
    if status is RecordStatus.EXPIRED:
        return [
            Reason(
                "expired",
                "该记录已过最长公示期限，自动停止公示，无需修复",
                _period_rule(record, policy),
            )
        ]
    return []


def _case_reasons(record: CreditRecord) -> list[Reason]:
    reasons = []
    case = record.flags.get("open_case") or {}
    if record.under_objection or case.get("kind") == "objection":
        receipt = f"（受理编号 {case['receipt']}）" if case.get("receipt") else ""
        reasons.append(
            Reason(
                "under_objection",
                f"该记录的异议正在处理{receipt}，异议办结后才能申请修复",
                PLATFORM_OBJECTION_RULE,
            )
        )
    elif case.get("kind") == "repair":
        reasons.append(
            Reason(
                "repair_open",
                f"该记录已有正在办理的修复申请（受理编号 {case.get('receipt')}），请勿重复申请",
            )
        )
    return reasons


def assess(record: CreditRecord, policy: Policy, today: date) -> Eligibility:
    """The eligibility answer for one record on ``today``; every reason is listed, not the first."""
    reasons = _status_reasons(record, policy, today)
    start = route = None
    if not reasons:
        reasons += _case_reasons(record)
        barred = record.flags.get("repair_barred")
        if barred:
            basis = barred.get("basis") if isinstance(barred, dict) else str(barred)
            reasons.append(
                Reason(
                    "barred",
                    f"依法不可修复：{basis}",
                    rule_ref(policy, "repair.barred_by_law", today) or {"source": basis},
                )
            )
        start = available_from(record, policy)
        route = route_of(record, policy, today)
        if start and today < start:
            reasons.append(
                Reason(
                    "before_available_from",
                    f"最短公示期未满，{start.isoformat()}起可申请信用修复",
                    _period_rule(record, policy),
                )
            )
    return Eligibility(
        record_id=record.id,
        eligible=not reasons,
        available_from=start,
        route=route,
        route_label=ROUTE_ZH[route] if route else None,
        checklist=checklist(policy, today) if route else [],
        reasons=reasons,
        free_of_charge=bool(value_or(policy, "repair.free_of_charge", today, True)),
    )


def as_action(record: CreditRecord, policy: Policy, today: date) -> dict[str, Any]:
    """The repair entry of a record's open actions (record detail, summary)."""
    answer = assess(record, policy, today)
    reason = "；".join(r.message for r in answer.reasons) or (
        "已纠正失信行为、履行法定义务的，可免费申请信用修复"
    )
    return {
        "available": answer.eligible,
        "reason": reason,
        "available_from": answer.available_from.isoformat() if answer.available_from else None,
        "route": answer.route.value if answer.route else None,
        "reasons": [r.code for r in answer.reasons],
    }
