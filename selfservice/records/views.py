"""Records as plain dicts: the list row, the detail, its periods, history and open actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.enums import NATURE_ZH, SEVERITY_ZH, Nature, RecordStatus, Severity
from selfservice.errors import NotFound
from selfservice.policy import Policy
from selfservice.records import catalogue
from selfservice.records import status as record_status
from selfservice.records.models import CreditRecord, RecordEvent
from selfservice.repairs.eligibility import as_action

EVENT_ZH = {
    "created": "记录归集",
    "published": "记录公示",
    "amended": "记录更正",
    "corrected": "记录更正",
    "revoked": "记录撤销",
    "repaired": "信用修复",
    "expired": "公示期满",
    "objection_filed": "提出异议",
    "objection_closed": "异议办结",
    "department_notified": "通知相关部门",
    "measures_recomputed": "措施状态更新",
    "repair_filed": "申请信用修复",
    "repair_closed": "信用修复申请办结",
    "list_exit": "移出名单",
}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def period_of(record: CreditRecord) -> dict[str, Any]:
    return {
        "finding_date": _iso(record.finding_date),
        "publicity_start": _iso(record.publicity_start),
        "publicity_end": _iso(record.publicity_end),
        "repairable_from": _iso(record.repairable_from),
        "published_through": _iso(record.published_through),
    }


def brief(record: CreditRecord, today: date | None = None) -> dict[str, Any]:
    """A list row (``provider`` must be fetched); ``published`` as of ``today`` when given."""
    nature = Nature(record.nature)
    severity = Severity(record.severity) if record.severity else None
    return {
        "id": record.id,
        "nature": nature.value,
        "nature_label": NATURE_ZH[nature],
        "severity": severity.value if severity else None,
        "severity_label": SEVERITY_ZH[severity] if severity else None,
        "class": record.catalogue_class,
        "class_label": catalogue.label(record.catalogue_class),
        "title": record.title,
        "provider": record.provider.name,
        "provider_code": record.provider.code,
        "document_number": record.document_number,
        "status": RecordStatus(record.status).value,
        "labels": record_status.labels(record),
        "under_objection": record.under_objection,
        "published": record_status.is_published(record, today),
        **period_of(record),
    }


def rule_applied(record: CreditRecord, policy: Policy) -> dict[str, Any] | None:
    """The rule (and its article) that fixed the record's periods, as stored at ingestion."""
    stored = record.flags.get("period")
    if stored:
        return dict(stored)
    if not record.period_rule:
        return None
    try:
        rule = policy.rule(record.period_rule, record.finding_date)
    except NotFound:
        return {"id": record.period_rule}
    return {
        "id": rule.id,
        "title": rule.title,
        "source": rule.source,
        "level": rule.level,
        "effective_from": rule.effective_from.isoformat(),
        "jurisdiction": policy.jurisdiction,
    }


def event_view(event: RecordEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "by": event.actor,
        "action": event.action,
        "action_label": EVENT_ZH.get(event.action, event.action),
        "reason": event.reason,
        "changes": event_changes(event.data),
    }


def event_changes(data: dict[str, Any]) -> dict[str, Any] | None:
    """``{field: {"from", "to"}}`` whichever way the event recorded it (ingest or a decision)."""
    if data.get("changes"):
        return data["changes"]
    before, after = data.get("before") or {}, data.get("after")
    if isinstance(after, dict) and after:
        return {k: {"from": before.get(k), "to": v} for k, v in after.items()}
    return None


def _closed(reason: str, **extra: Any) -> dict[str, Any]:
    return {"available": False, "reason": reason, **extra}


def actions_for(record: CreditRecord, today: date) -> dict[str, dict[str, Any]]:
    """What the subject may do now (objection, repair), with the reason when it is closed."""
    status = RecordStatus(record.status)
    case = record.flags.get("open_case") or (
        {"kind": "objection"} if record.under_objection else None
    )
    if case:
        busy = f"已有{'异议' if case.get('kind') == 'objection' else '修复'}案件正在办理，办结前不能再次申请"
        if case.get("receipt"):
            busy += f"（受理编号 {case['receipt']}）"
        return {"objection": _closed(busy, case=case), "repair": _closed(busy, case=case)}
    if status is RecordStatus.REVOKED:
        objection = _closed("记录已撤销，无需提出异议")
    else:
        objection = {"available": True, "reason": "认为记录内容、期限或修复结果有误时可提出异议"}
    if Nature(record.nature) is Nature.GOOD:
        repair = _closed("良好信息无需修复")
    elif status is RecordStatus.REPAIRED:
        repair = _closed("该记录已完成信用修复")
    elif status is RecordStatus.REVOKED:
        repair = _closed("记录已撤销，无需修复")
    elif status is RecordStatus.EXPIRED or record_status.past_period(record, today):
        repair = _closed("记录已过公示期限，不再公示，无需修复")
    elif record.repairable_from and record.repairable_from > today:
        repair = _closed(
            f"最短公示期未满，可于{record.repairable_from.isoformat()}起申请信用修复",
            available_from=record.repairable_from.isoformat(),
        )
    else:
        repair = {"available": True, "reason": "已纠正失信行为、履行义务的，可申请信用修复"}
    return {"objection": objection, "repair": repair}


def detail_view(
    record: CreditRecord,
    *,
    events: list[RecordEvent],
    measures: list[dict[str, Any]],
    policy: Policy,
    today: date,
) -> dict[str, Any]:
    return {
        **brief(record, today),
        "content": record.content,
        "legal_basis": record.legal_basis,
        "period_rule": rule_applied(record, policy),
        "history": [event_view(e) for e in events],
        "measures": measures,
        "actions": {**actions_for(record, today), "repair": as_action(record, policy, today)},
    }
