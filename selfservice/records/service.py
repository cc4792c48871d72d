"""A subject's own records: list with filters, detail with periods, measures and open actions."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise import Tortoise

from selfservice.enums import LIST_ZH, ListKind, Nature, RecordStatus, Severity
from selfservice.errors import NotFound, ValidationFailed
from selfservice.measures import service as measures
from selfservice.pledges.views import for_summary as pledges_summary
from selfservice.policy import Policy
from selfservice.records import status as record_status
from selfservice.records.models import CreditRecord, ListEntry, RecordEvent
from selfservice.records.views import brief, detail_view, period_of
from selfservice.repairs.eligibility import assess
from selfservice.staff.models import Department

MAX_PER_PAGE = 100
STATUS_FILTERS = {s.value for s in RecordStatus} | {"under_objection"}


@dataclass(frozen=True, slots=True)
class RecordFilter:
    nature: str | None = None
    severity: str | None = None
    catalogue_class: str | None = None
    status: str | None = None
    provider: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def check(self) -> RecordFilter:
        problems = []
        if self.nature and self.nature not in {n.value for n in Nature}:
            problems.append("nature")
        if self.severity and self.severity not in {s.value for s in Severity}:
            problems.append("severity")
        if self.status and self.status not in STATUS_FILTERS:
            problems.append("status")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            problems.append("date_from")
        if problems:
            raise ValidationFailed(
                "筛选条件有误", "Bad filter", details=[{"field": f} for f in problems]
            )
        return self


class RecordNotFound(NotFound):
    code = "record_not_found"
    message_zh, message_en = "未找到该信用记录", "Credit record not found"


def _filtered(subject_id: int, f: RecordFilter):
    query = CreditRecord.filter(subject_id=subject_id)
    if f.nature:
        query = query.filter(nature=f.nature)
    if f.severity:
        query = query.filter(severity=f.severity)
    if f.catalogue_class:
        query = query.filter(catalogue_class=f.catalogue_class)
    if f.status == "under_objection":
        query = query.filter(under_objection=True)
    elif f.status:
        query = query.filter(status=f.status)
    if f.provider:
        key = "provider_id" if f.provider.isdigit() else "provider__code"
        query = query.filter(**{key: int(f.provider) if f.provider.isdigit() else f.provider})
    if f.date_from:
        query = query.filter(finding_date__gte=f.date_from)
    if f.date_to:
        query = query.filter(finding_date__lte=f.date_to)
    return query


async def list_own(
    *,
    subject_id: int,
    filters: RecordFilter,
    page: int = 1,
    per_page: int = 20,
    names: DepartmentNames | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """One page of the subject's records, newest finding first."""
    filters.check()
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed("分页参数有误", "Bad paging", code="bad_paging")
    query = _filtered(subject_id, filters)
    offset = (page - 1) * per_page
    rows = await query.order_by("-finding_date", "-id").offset(offset).limit(per_page)
    # most subjects have fewer records than a page: the count query is then not needed
    short = len(rows) < per_page and (rows or page == 1)
    total = offset + len(rows) if short else await query.count()
    by_id = await (names or DepartmentNames(ttl=0)).get()
    for r in rows:
        r.provider = by_id.get(r.provider_id) or await r.provider
    return {
        "items": [brief(r, today) for r in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


class DepartmentNames:
    """Departments by id, re-read at most every ``ttl`` seconds (few rows, rarely changed)."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl, self.at, self.by_id = ttl, -1.0, {}

    async def get(self) -> dict[int, Department]:
        now = time.monotonic()
        if not self.by_id or now - self.at > self.ttl:
            self.by_id = {d.id: d for d in await Department.all()}
            self.at = now
        return self.by_id


async def locked_record(record_id: int | None, subject_id: int | None = None) -> CreditRecord:
    """The record row, locked for update until the surrounding transaction ends (PostgreSQL)."""
    query = CreditRecord.filter(id=record_id or 0)
    if subject_id is not None:
        query = query.filter(subject_id=subject_id)
    if Tortoise.get_connection("default").capabilities.dialect == "postgres":
        query = query.select_for_update()
    record = await query.first()
    if record is None:
        raise RecordNotFound()
    return record


async def get_own(*, subject_id: int, record_id: int) -> CreditRecord:
    """The record if it belongs to the subject; another subject's id is simply not found."""
    record = (
        await CreditRecord.filter(id=record_id, subject_id=subject_id)
        .select_related("provider")
        .first()
    )
    if record is None:
        raise RecordNotFound()
    return record


async def detail(*, subject_id: int, record_id: int, policy: Policy, today: date) -> dict[str, Any]:
    """Everything about one own record: periods and rule, labels, history, measures, actions."""
    record = await get_own(subject_id=subject_id, record_id=record_id)
    events = await RecordEvent.filter(record_id=record.id).order_by("at", "id")
    attached = (await measures.for_records(records=[record], policy=policy, today=today))[record.id]
    return detail_view(record, events=events, measures=attached, policy=policy, today=today)


def _list_view(entry: ListEntry, today: date) -> dict[str, Any]:
    last = entry.listed_through
    active = entry.exited_on is None and (last is None or today <= last)
    return {
        "kind": entry.kind.value,
        "label": LIST_ZH[ListKind(entry.kind)],
        "entered_on": entry.entered_on.isoformat(),
        "listed_through": entry.listed_through.isoformat() if entry.listed_through else None,
        "exited_on": entry.exited_on.isoformat() if entry.exited_on else None,
        "active": active,
        "department": entry.department.name,
        "record_id": entry.record_id,
        "reason": entry.reason,
    }


async def memberships(*, subject_id: int, today: date) -> list[dict[str, Any]]:
    """Red list and 严重失信主体名单 entries, current first."""
    entries = (
        await ListEntry.filter(subject_id=subject_id)
        .select_related("department")
        .order_by("-entered_on", "-id")
    )
    views = [_list_view(e, today) for e in entries]
    return sorted(views, key=lambda v: not v["active"])


def open_case(record: CreditRecord) -> dict[str, Any] | None:
    """The pending case on a record (objection or repair), as written by those workflows."""
    case = record.flags.get("open_case")
    if case:
        return dict(case)
    if record.under_objection:
        return {"kind": "objection", "receipt": None, "next_deadline": None}
    return None


async def summary(*, subject_id: int, policy: Policy, today: date) -> dict[str, Any]:
    """Counts by kind and status, list memberships, measures in force and open cases."""
    records = await CreditRecord.filter(subject_id=subject_id).order_by("-finding_date", "-id")
    by_nature = {n.value: 0 for n in Nature}
    by_status = {s.value: 0 for s in RecordStatus} | {"under_objection": 0}
    cases = []
    for r in records:
        by_nature[Nature(r.nature).value] += 1
        by_status[RecordStatus(r.status).value] += 1
        by_status["under_objection"] += int(r.under_objection)
        case = open_case(r)
        if case:
            cases.append({**case, "record_id": r.id, "record_title": r.title})
    live = [r for r in records if r.status in record_status.LIVE | {RecordStatus.REPAIRED}]
    attached = await measures.for_records(records=live, policy=policy, today=today)
    in_force = [m for ms in attached.values() for m in ms if m["in_force"]]
    suspended = [m for ms in attached.values() for m in ms if m["state"] == "suspended"]
    cases.sort(key=lambda c: c.get("next_deadline") or "9999")
    return {
        "pledges": await pledges_summary(subject_id=subject_id, today=today),
        "total": len(records),
        "by_nature": by_nature,
        "by_status": by_status,
        "lists": await memberships(subject_id=subject_id, today=today),
        "measures_in_force": in_force,
        "measures_suspended": suspended,
        "open_cases": cases,
        "repairable_now": [r.id for r in records if assess(r, policy, today).eligible],
        "next_published_through": min(
            (
                period_of(r)["published_through"]
                for r in records
                if r.status in record_status.LIVE
                and r.published_through
                and not record_status.past_period(r, today)
            ),
            default=None,
        ),
    }
