"""The no-simplified-procedure flag a breach puts on the subject, until its credit is repaired.

国办发〔2020〕42号 bars 告知承诺 "在信用修复前": the flag ends when the breach record is repaired,
revoked or stops being published (after its ``published_through``, the end date shown).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.enums import RecordStatus
from selfservice.pledges.models import Pledge, ProcedureBar
from selfservice.policy import Policy
from selfservice.records.models import CreditRecord

RULE = "pledge.simplified_procedure_bar"
ENDED_BY = {
    RecordStatus.REPAIRED: "repaired",
    RecordStatus.REVOKED: "revoked",
    RecordStatus.EXPIRED: "expired",
}
ENDED_ZH = {
    "repaired": "违诺记录已修复",
    "revoked": "违诺记录已撤销",
    "expired": "违诺记录已期满",
    "period_end": "违诺记录停止公示",
    "lifted": "已解除",
}


def _ended_by(bar: ProcedureBar, record: CreditRecord | None, today: date) -> str | None:
    if bar.lifted_on is not None:
        return "lifted"
    if record is not None and RecordStatus(record.status) in ENDED_BY:
        return ENDED_BY[RecordStatus(record.status)]
    if bar.ends_on is not None and today > bar.ends_on:
        return "period_end"
    return None


def view(bar: ProcedureBar, today: date, record: CreditRecord | None) -> dict[str, Any]:
    ended = _ended_by(bar, record, today)
    return {
        "kind": "no_simplified_procedure",
        "label": "不适用告知承诺、容缺受理等简化程序",
        "active": ended is None,
        "since": bar.started_on.isoformat(),
        "ends_on": bar.ends_on.isoformat() if bar.ends_on else None,
        "ends_when": "信用修复后（违诺记录修复、撤销或停止公示）",
        "repairable_from": (
            record.repairable_from.isoformat()
            if record is not None and record.repairable_from
            else None
        ),
        "ended_by": ended,
        "ended_label": ENDED_ZH.get(ended or ""),
        "record_id": bar.record_id,
        "rule_id": bar.rule_id,
        "source": bar.source,
    }


async def _with_records(rows: list[ProcedureBar]) -> list[tuple[ProcedureBar, CreditRecord | None]]:
    ids = [b.record_id for b in rows if b.record_id]
    records = {r.id: r for r in await CreditRecord.filter(id__in=ids)}
    return [(b, records.get(b.record_id or 0)) for b in rows]


async def for_subject(*, subject_id: int, today: date) -> list[dict[str, Any]]:
    """Every bar of the subject, active first, each with its end date and the rule behind it."""
    rows = await ProcedureBar.filter(subject_id=subject_id).order_by("-started_on", "-id")
    views = [view(b, today, r) for b, r in await _with_records(rows)]
    return sorted(views, key=lambda v: not v["active"])


async def active_bar(*, subject_id: int, today: date) -> dict[str, Any] | None:
    """The bar in force on the subject today, if any."""
    rows = await ProcedureBar.filter(subject_id=subject_id, lifted_on=None).order_by("-id")
    for bar, record in await _with_records(rows):
        if _ended_by(bar, record, today) is None:
            return view(bar, today, record)
    return None


async def impose(
    *, pledge: Pledge, record: CreditRecord, policy: Policy, today: date
) -> ProcedureBar:
    """Bar the pledge's subject from simplified procedures by the rule in force today."""
    rule = policy.rule(RULE, today)
    bar, _ = await ProcedureBar.get_or_create(
        pledge=pledge,
        defaults={
            "subject_id": pledge.subject_id,
            "record": record,
            "rule_id": rule.id,
            "source": rule.source[:300],
            "started_on": today,
            "ends_on": record.published_through,
        },
    )
    return bar
