"""The departments that acted on a record, and telling them (with a history entry) of a change."""

from __future__ import annotations

from selfservice.cases.models import Case
from selfservice.measures.models import RecordMeasure
from selfservice.notifications import outbox
from selfservice.records.models import CreditRecord, RecordEvent


async def departments_that_acted(record: CreditRecord) -> list[int]:
    """The provider and every department that applied a measure on the record."""
    ids = await RecordMeasure.filter(record_id=record.id, department_id__isnull=False).values_list(
        "department_id", flat=True
    )
    return sorted({record.provider_id, *ids})


async def notify_departments(
    *,
    record: CreditRecord,
    case: Case,
    departments: list[int],
    template: str,
    title: str,
    body: str,
    key: str,
    reason: str,
    actor: str,
) -> list[int]:
    """One outbox notice per department, and the record's history says who was told."""
    for department_id in departments:
        await outbox.notify_department(
            department_id=department_id,
            template=template,
            title=title[:100],
            body=body,
            receipt=case.receipt,
            key=f"case:{case.id}:{key}",
        )
    await RecordEvent.create(
        record=record,
        actor=actor,
        action="department_notified",
        reason=reason,
        data={"departments": departments, "receipt": case.receipt},
    )
    return departments
