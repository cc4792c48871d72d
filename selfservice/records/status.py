"""Record status: the one transition table, Chinese labels and the history entry of each change."""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.enums import STATUS_ZH, RecordStatus
from selfservice.errors import Conflict
from selfservice.records.models import CreditRecord, RecordEvent
from selfservice.transitions import StateTable

S = RecordStatus
UNDER_OBJECTION_ZH = "异议处理中"
NOT_PUBLISHED_ZH = "不予公示"
# statuses that still drive measures and appear in public reports
LIVE = frozenset({S.PUBLISHED, S.CORRECTED})


class BadTransition(Conflict):
    code = "bad_record_transition"


TABLE = StateTable(
    RecordStatus,
    {
        S.PUBLISHED: {S.CORRECTED, S.REPAIRED, S.EXPIRED, S.REVOKED},
        S.CORRECTED: {S.CORRECTED, S.REPAIRED, S.EXPIRED, S.REVOKED},
        S.REPAIRED: {S.EXPIRED, S.REVOKED},
        S.EXPIRED: {S.REVOKED},
        S.REVOKED: set(),
    },
    labels=STATUS_ZH,
    error=BadTransition,
)


def can_move(current: RecordStatus, target: RecordStatus) -> bool:
    return TABLE.can(current, target)


def past_period(record: CreditRecord, today: date | None) -> bool:
    """True from the day after the record's last day of publication (sweep or not)."""
    last = record.published_through
    return today is not None and last is not None and today > last


def is_published(record: CreditRecord, today: date | None = None) -> bool:
    """Whether a record is shown to the public on ``today`` (own view always shows it)."""
    shown = record.status in LIVE | {S.REPAIRED} and record.flags.get("published", True)
    return shown and not past_period(record, today)


def labels(record: CreditRecord) -> list[dict[str, str]]:
    """Status labels in display order, e.g. 公示中 + 异议处理中."""
    status = RecordStatus(record.status)
    out = [{"code": status.value, "label": STATUS_ZH[status]}]
    if status in LIVE:
        shown = record.flags.get("published", True)
        head = {"code": "not_published", "label": NOT_PUBLISHED_ZH} if not shown else None
        head = head or {"code": S.PUBLISHED.value, "label": STATUS_ZH[S.PUBLISHED]}
        out = [head] if status is S.PUBLISHED else [head, *out]
    if record.under_objection:
        out.append({"code": "under_objection", "label": UNDER_OBJECTION_ZH})
    return out


async def move(
    record: CreditRecord,
    target: RecordStatus,
    *,
    actor: str,
    reason: str,
    data: dict[str, Any] | None = None,
    using_db: Any = None,
) -> RecordEvent:
    """Change a record's status through the table and append the history entry."""
    current = RecordStatus(record.status)
    record.status = TABLE.check(current, target)
    await record.save(update_fields=["status", "flags", "updated_at"], using_db=using_db)
    return await RecordEvent.create(
        record=record,
        actor=actor,
        action=target.value,
        reason=reason,
        data={"from": current.value, "to": target.value, **(data or {})},
        using_db=using_db,
    )
