"""What a repair does to its record: the open-case mark, and an approved repair's effects.

Written inside the caller's transaction, so the record changes together with the case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.cases.models import Case, CaseTransition
from selfservice.enums import ListKind, RecordStatus
from selfservice.measures import service as measures
from selfservice.policy import Policy
from selfservice.records import status as record_status
from selfservice.records.departments import departments_that_acted, notify_departments
from selfservice.records.models import CreditRecord, ListEntry, RecordEvent
from selfservice.repairs.eligibility import rule_ref, value_or

SUBJECT_ACTOR = "信用主体（修复申请人）"
UNPUBLISH_RULE = "repair.unpublish_on_repair"


async def mark(*, record: CreditRecord, case: Case) -> None:
    """The record shows the open repair (and no second one can be filed)."""
    record.flags = {
        **record.flags,
        "open_case": {
            "kind": "repair",
            "receipt": case.receipt,
            "next_deadline": case.due.isoformat() if case.due else None,
        },
    }
    await record.save(update_fields=["flags", "updated_at"])
    await RecordEvent.create(
        record=record,
        actor=SUBJECT_ACTOR,
        action="repair_filed",
        reason=f"信用修复申请 {case.receipt}",
        data={"receipt": case.receipt, "route": case.data.get("route")},
    )


def _unmark(record: CreditRecord) -> None:
    record.flags = {k: v for k, v in record.flags.items() if k != "open_case"}


async def close_without_repair(*, record: CreditRecord, case: Case, why: str, actor: str) -> None:
    """Rejection or withdrawal: the mark goes; a new application is possible."""
    _unmark(record)
    await record.save(update_fields=["flags", "updated_at"])
    await RecordEvent.create(
        record=record,
        actor=actor,
        action="repair_closed",
        reason=why,
        data={"receipt": case.receipt, "status": case.status},
    )


async def _departments(record: CreditRecord, case: Case) -> list[int]:
    """The provider, every department that applied a measure, and those that acted on the case."""
    acted = await CaseTransition.filter(
        case_id=case.id, actor_department_id__isnull=False
    ).values_list("actor_department_id", flat=True)
    return sorted({*await departments_that_acted(record), case.department_id, *acted})


async def apply_repair(
    *, record: CreditRecord, case: Case, actor: str, policy: Policy, today: date
) -> dict[str, Any]:
    """An approved repair, all at once: status 已修复, visibility, measures, lists, history, notices."""
    _unmark(record)
    unpublish = bool(value_or(policy, UNPUBLISH_RULE, record.finding_date, False))
    visibility = rule_ref(policy, UNPUBLISH_RULE, record.finding_date)
    repair = {"receipt": case.receipt, "on": today.isoformat(), "route": case.data.get("route")}
    if unpublish:
        record.flags = {**record.flags, "published": False, "unpublished_on": today.isoformat()}
        repair["visibility"] = "unpublished"
    else:
        repair["visibility"] = "visible_until_period_ends"
        repair["visible_until"] = (
            record.published_through.isoformat() if record.published_through else None
        )
    record.flags = {**record.flags, "repair": {**repair, "rule": visibility}}
    await record_status.move(
        record,
        RecordStatus.REPAIRED,
        actor=actor,
        reason=f"信用修复 {case.receipt}："
        + ("停止公示" if unpublish else "继续保留至公示期限届满，标注“已修复”"),
        data=repair,
    )
    exited = await ListEntry.filter(
        record_id=record.id, kind=ListKind.SEVERE_DISHONESTY, exited_on=None
    ).values_list("id", flat=True)
    if exited:
        await ListEntry.filter(id__in=list(exited)).update(exited_on=today)
        await RecordEvent.create(
            record=record,
            actor=actor,
            action="list_exit",
            reason=f"信用修复 {case.receipt}，移出严重失信主体名单",
            data={"entries": list(exited), "receipt": case.receipt},
        )
    await measures.recompute(policy=policy, today=today, record_ids=[record.id])
    departments = await notify_departments(
        record=record,
        case=case,
        departments=await _departments(record, case),
        template="record_repaired",
        title=f"信用记录已修复：{record.title}",
        body=f"信用修复 {case.receipt} 已生效（文书号 {record.document_number}）。"
        "请依法依规解除本部门据此实施的失信惩戒措施，并停止共享和使用该失信信息。",
        key="repaired",
        reason="信用修复结果已通知相关部门",
        actor=actor,
    )
    return {**repair, "list_entries_exited": list(exited), "departments_notified": departments}
