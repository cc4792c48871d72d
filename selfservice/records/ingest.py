"""Provider ingestion: validate each row, then apply new / amended / revoked records atomically."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from selfservice.enums import ListKind, Nature, RecordStatus, Severity, SubjectKind
from selfservice.errors import DomainError, NotFound
from selfservice.measures import service as measures
from selfservice.measures.models import Measure, RecordMeasure
from selfservice.policy import Policy
from selfservice.records import catalogue
from selfservice.records import status as record_status
from selfservice.records.models import CreditRecord, ListEntry, RecordEvent
from selfservice.staff.models import Department
from selfservice.subjects import service as subjects
from selfservice.subjects.models import Subject

ACTIONS = {"new": "new", "create": "new", "amend": "amend", "amended": "amend", "correct": "amend"}
ACTIONS |= {"revoke": "revoke", "revoked": "revoke"}
CONTENT_FIELDS = ("title", "content", "legal_basis")
MAX_BATCH = 1000


class RowInvalid(DomainError):
    status, code = 422, "row_invalid"


@dataclass
class Row:
    """One validated input row."""

    action: str
    document_number: str
    identifier: str = ""
    id_kind: str = ""
    subject_name: str = ""
    subject_kind: SubjectKind | None = None
    nature: Nature | None = None
    severity: Severity | None = None
    catalogue_class: str = ""
    title: str = ""
    content: str = ""
    legal_basis: str = ""
    finding_date: date | None = None
    publicity_start: date | None = None
    validity_end: date | None = None
    measures: list[Measure] = field(default_factory=list)
    list_kind: ListKind | None = None
    reason: str = ""
    fingerprint: str = ""


@dataclass
class Outcome:
    row: int
    document_number: str
    result: str  # created | amended | revoked | unchanged | error
    record_id: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {"row": self.row, "document_number": self.document_number, "result": self.result}
        if self.record_id is not None:
            out["record_id"] = self.record_id
        if self.errors:
            out["errors"] = self.errors
        return out


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, fld: str, code: str, message: str) -> None:
        self.items.append({"field": fld, "code": code, "message": message})


def _text(raw: dict[str, Any], name: str, limit: int) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()[:limit]


def _date(raw: dict[str, Any], name: str, problems: _Problems) -> date | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.add(name, "bad_date", f"日期格式应为YYYY-MM-DD：{value}")
        return None


def _measure_codes(raw: dict[str, Any]) -> list[str]:
    value = raw.get("measures") or []
    if isinstance(value, str):
        value = value.replace("；", ";").replace(",", ";").split(";")
    return [str(v).strip() for v in value if str(v).strip()]


def _fingerprint(raw: dict[str, Any]) -> str:
    body = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


async def parse_row(
    raw: dict[str, Any], *, today: date, known: dict[str, Measure] | None = None
) -> Row:
    """Validate one row (identifier check char, catalogue class, dates, measures) or raise."""
    problems = _Problems()
    action = ACTIONS.get(_text(raw, "action", 20).lower() or "new")
    if action is None:
        problems.add("action", "bad_action", "action 应为 new / amend / revoke")
    row = Row(
        action=action or "",
        document_number=_text(raw, "document_number", 100),
        reason=_text(raw, "reason", 500),
        fingerprint=_fingerprint(raw),
    )
    if not row.document_number:
        problems.add("document_number", "required", "缺少决定文书号")
    if action == "revoke":
        if not row.reason:
            problems.add("reason", "required", "撤销须说明理由")
        return _finish(row, problems)
    identifier = _text(raw, "identifier", 30) or _text(raw, "uscc", 30)
    identifier = identifier or _text(raw, "id_number", 30)
    if identifier or action == "new":
        try:
            row.id_kind, row.identifier = subjects.parse_identifier(identifier)
        except DomainError:
            problems.add(
                "identifier", "invalid_identifier", "统一社会信用代码或身份证号码校验不通过"
            )
    row.subject_name = _text(raw, "subject_name", 200)
    kind = _text(raw, "subject_kind", 24)
    if kind:
        try:
            row.subject_kind = SubjectKind(kind)
        except ValueError:
            problems.add("subject_kind", "bad_value", f"主体类型无效：{kind}")
    if action == "new" and not row.subject_name:
        problems.add("subject_name", "required", "缺少主体名称")
    try:
        row.nature = Nature(_text(raw, "nature", 8))
    except ValueError:
        problems.add("nature", "bad_value", "nature 应为 good 或 bad")
    severity = _text(raw, "severity", 8)
    if row.nature is Nature.BAD:
        try:
            row.severity = Severity(severity)
        except ValueError:
            problems.add("severity", "bad_value", "不良信息须注明严重程度 minor / general / severe")
    row.catalogue_class = _text(raw, "class", 40) or _text(raw, "catalogue_class", 40)
    try:
        klass = catalogue.get_class(row.catalogue_class)
        if row.nature and not klass.allows(row.nature):
            problems.add("class", "nature_mismatch", f"“{klass.label}”不是{row.nature.value}类信息")
    except DomainError as exc:
        problems.add("class", exc.code, exc.message_zh)
    row.title = _text(raw, "title", 200)
    row.content = _text(raw, "content", 5000)
    row.legal_basis = _text(raw, "legal_basis", 300)
    if not row.title:
        problems.add("title", "required", "缺少信息标题")
    row.finding_date = _date(raw, "finding_date", problems)
    row.publicity_start = _date(raw, "publicity_start", problems) or row.finding_date
    row.validity_end = _date(raw, "validity_end", problems) or _date(raw, "publicity_end", problems)
    if row.finding_date is None:
        problems.add("finding_date", "required", "缺少认定日期")
    elif row.finding_date > today:
        problems.add("finding_date", "in_future", "认定日期不能晚于今天")
    if row.finding_date and row.publicity_start and row.publicity_start < row.finding_date:
        problems.add("publicity_start", "before_finding", "公示开始日期不能早于认定日期")
    if row.validity_end and row.publicity_start and row.validity_end <= row.publicity_start:
        problems.add("validity_end", "before_start", "有效期截止日期须晚于公示开始日期")
    lk = _text(raw, "list_kind", 24)
    if lk and lk != "none":
        try:
            row.list_kind = ListKind(lk)
        except ValueError:
            problems.add("list_kind", "bad_value", f"名单类型无效：{lk}")
    elif not lk and row.severity is Severity.SEVERE:
        row.list_kind = ListKind.SEVERE_DISHONESTY
    if row.list_kind is ListKind.RED and row.nature is not Nature.GOOD:
        problems.add("list_kind", "nature_mismatch", "红名单只适用于良好信息")
    if row.list_kind is ListKind.SEVERE_DISHONESTY and row.severity is not Severity.SEVERE:
        problems.add("list_kind", "nature_mismatch", "严重失信主体名单只适用于严重失信信息")
    if row.nature:
        try:
            row.measures = await measures.resolve(
                codes=_measure_codes(raw), nature=row.nature, known=known
            )
        except DomainError as exc:
            problems.add("measures", exc.code, exc.message_zh)
    return _finish(row, problems)


def _finish(row: Row, problems: _Problems) -> Row:
    if problems.items:
        raise RowInvalid("该行数据有误", "The row is not valid", details=problems.items)
    return row


def period_fields(
    *,
    policy: Policy,
    nature: Nature | str,
    severity: Severity | str | None,
    finding_date: date,
    validity_end: date | None,
    catalogue_class: str | None,
    publicity_start: date | None,
) -> dict[str, Any]:
    """The stored period fields of a record and the rule (with its article) that fixed them."""
    periods = policy.periods_for(
        nature,
        severity,
        finding_date,
        validity_end,
        catalogue_class=catalogue_class,
        publicity_start=publicity_start,
    )
    rule = policy.rule(periods.rule_id, finding_date)
    return {
        "repairable_from": periods.repairable_from,
        "published_through": periods.published_through,
        "period_rule": periods.rule_id,
        "published": periods.published,
        "period": {
            "id": periods.rule_id,
            "title": rule.title,
            "source": periods.source,
            "level": periods.level,
            "review": rule.review or None,
            "effective_from": periods.effective_from.isoformat(),
            "anchor": periods.anchor,
            "transition": periods.transition or None,
            "jurisdiction": policy.jurisdiction,
        },
    }


def refresh_periods(record: CreditRecord, *, policy: Policy) -> None:
    """Fix a changed record's period fields and rule again from its own data."""
    p = period_fields(
        policy=policy,
        nature=record.nature,
        severity=record.severity,
        finding_date=record.finding_date,
        validity_end=record.publicity_end,
        catalogue_class=record.catalogue_class,
        publicity_start=record.publicity_start,
    )
    record.repairable_from = p["repairable_from"]
    record.published_through = p["published_through"]
    record.period_rule = p["period_rule"]
    record.flags = {**record.flags, "published": p["published"], "period": p["period"]}


def _periods(row: Row, policy: Policy, today: date) -> dict[str, Any]:
    assert row.finding_date and row.nature
    return period_fields(
        policy=policy,
        nature=row.nature,
        severity=row.severity,
        finding_date=row.finding_date,
        validity_end=row.validity_end,
        catalogue_class=row.catalogue_class,
        publicity_start=row.publicity_start,
    )


async def _subject(row: Row):
    try:
        return await subjects.find_by_identifier(identifier=row.identifier)
    except NotFound:
        kind = row.subject_kind or (
            SubjectKind.LEGAL_PERSON if row.id_kind == "uscc" else SubjectKind.NATURAL_PERSON
        )
        return await subjects.upsert(
            kind=kind, name=row.subject_name, **{row.id_kind: row.identifier}
        )


async def _attach(record: CreditRecord, row: Row, provider: Department) -> None:
    for measure in row.measures:
        await RecordMeasure.get_or_create(
            record=record, measure=measure, defaults={"department": provider}
        )


async def _list_entry(record: CreditRecord, row: Row, provider: Department) -> None:
    if row.list_kind is None:
        return
    listed_through = (
        record.published_through
        if row.list_kind is ListKind.SEVERE_DISHONESTY
        else row.validity_end
    )
    await ListEntry.create(
        subject_id=record.subject_id,
        kind=row.list_kind,
        reason=record.title,
        record=record,
        department=provider,
        entered_on=record.publicity_start,
        listed_through=listed_through,
    )


async def _create(
    row: Row, provider: Department, actor: str, policy: Policy, today: date
) -> CreditRecord:
    subject = await _subject(row)
    p = _periods(row, policy, today)
    record = await CreditRecord.create(
        subject=subject,
        nature=row.nature,
        severity=row.severity,
        catalogue_class=row.catalogue_class,
        title=row.title,
        content=row.content,
        legal_basis=row.legal_basis,
        provider=provider,
        document_number=row.document_number,
        finding_date=row.finding_date,
        publicity_start=row.publicity_start,
        publicity_end=row.validity_end,
        repairable_from=p["repairable_from"],
        published_through=p["published_through"],
        period_rule=p["period_rule"],
        flags={"published": p["published"], "period": p["period"], "ingested": [row.fingerprint]},
    )
    await RecordEvent.create(
        record=record, actor=actor, action="created", reason="信息提供单位归集", data={}
    )
    await _attach(record, row, provider)
    await _list_entry(record, row, provider)
    return record


async def notify_departments(*, record: CreditRecord, event: str, actor: str, reason: str) -> int:
    """Tell every department that acted on the record (measures, lists) about a correction."""
    ids = set(
        await RecordMeasure.filter(record_id=record.id, department_id__not_isnull=True).values_list(
            "department_id", flat=True
        )
    )
    ids |= set(await ListEntry.filter(record_id=record.id).values_list("department_id", flat=True))
    ids.discard(record.provider_id)
    for dept in await Department.filter(id__in=ids).order_by("id"):
        await RecordEvent.create(
            record=record,
            actor=actor,
            action="department_notified",
            reason=reason,
            data={"department_id": dept.id, "department": dept.name, "event": event},
        )
    return len(ids)


async def _amend(record: CreditRecord, row: Row, actor: str, policy: Policy, today: date) -> None:
    p = _periods(row, policy, today)
    new = {
        "nature": row.nature,
        "severity": row.severity,
        "catalogue_class": row.catalogue_class,
        "title": row.title,
        "content": row.content,
        "legal_basis": row.legal_basis,
        "finding_date": row.finding_date,
        "publicity_start": row.publicity_start,
        "publicity_end": row.validity_end,
        "repairable_from": p["repairable_from"],
        "published_through": p["published_through"],
        "period_rule": p["period_rule"],
    }
    changes = {
        k: {"from": _plain(getattr(record, k)), "to": _plain(v)}
        for k, v in new.items()
        if _plain(getattr(record, k)) != _plain(v)
    }
    for k, v in new.items():
        setattr(record, k, v)
    record.flags = {
        **record.flags,
        "published": p["published"],
        "period": p["period"],
        "ingested": [*record.flags.get("ingested", []), row.fingerprint][-20:],
    }
    await record.save()
    await RecordEvent.create(
        record=record,
        actor=actor,
        action="amended",
        reason=row.reason or "信息提供单位更正",
        data={"changes": changes},
    )
    if record.status is not RecordStatus.EXPIRED:
        await record_status.move(
            record,
            RecordStatus.CORRECTED,
            actor=actor,
            reason=row.reason or "更正",
            data={"changes": changes},
        )
    if row.measures:
        await (
            RecordMeasure.filter(record_id=record.id)
            .exclude(measure_id__in=[m.id for m in row.measures])
            .delete()
        )
        await _attach(record, row, record.provider)
    if record.severity is Severity.SEVERE:
        await ListEntry.filter(record_id=record.id, exited_on=None).update(
            listed_through=record.published_through
        )
    await measures.recompute(policy=policy, today=today, record_ids=[record.id])
    await notify_departments(record=record, event="corrected", actor=actor, reason=row.reason)


async def _revoke(record: CreditRecord, row: Row, actor: str, policy: Policy, today: date) -> None:
    record.flags = {
        **record.flags,
        "ingested": [*record.flags.get("ingested", []), row.fingerprint][-20:],
    }
    await record_status.move(record, RecordStatus.REVOKED, actor=actor, reason=row.reason)
    await ListEntry.filter(record_id=record.id, exited_on=None).update(exited_on=today)
    await measures.recompute(policy=policy, today=today, record_ids=[record.id])
    await notify_departments(record=record, event="revoked", actor=actor, reason=row.reason)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


async def apply_row(
    row: Row, *, provider: Department, policy: Policy, today: date
) -> tuple[str, CreditRecord]:
    """Write one validated row in its own transaction; returns (result, record)."""
    actor = f"信息提供单位：{provider.name}"
    async with in_transaction():
        record = await CreditRecord.get_or_none(
            provider=provider, document_number=row.document_number
        )
        if record is not None and row.fingerprint in record.flags.get("ingested", []):
            return "unchanged", record
        if row.action == "new":
            if record is not None:
                raise RowInvalid(
                    "该文书号的记录已存在，请使用 amend 更正",
                    "A record with this document number exists; send an amendment",
                    details=[
                        {"field": "document_number", "code": "exists", "message": "记录已存在"}
                    ],
                )
            return "created", await _create(row, provider, actor, policy, today)
        if record is None:
            raise RowInvalid(
                "未找到该文书号的记录",
                "No record with this document number",
                details=[
                    {"field": "document_number", "code": "not_found", "message": "记录不存在"}
                ],
            )
        if row.action == "revoke":
            if record.status is RecordStatus.REVOKED:
                return "unchanged", record
            await _revoke(record, row, actor, policy, today)
            return "revoked", record
        if row.identifier and row.identifier != await _identifier_of(record):
            raise RowInvalid(
                "更正不能改变信息主体，请撤销后重新归集",
                "An amendment cannot change the subject",
                details=[
                    {"field": "identifier", "code": "subject_changed", "message": "主体不一致"}
                ],
            )
        if record.status is RecordStatus.REVOKED:
            raise RowInvalid(
                "记录已撤销，不能更正",
                "The record was revoked",
                details=[{"field": "action", "code": "revoked", "message": "记录已撤销"}],
            )
        await _amend(record, row, actor, policy, today)
        return "amended", record


async def _identifier_of(record: CreditRecord) -> str:
    subject = await record.subject
    return subject.uscc or subjects.id_number(subject) or ""


def _error(n: int, doc: str, exc: DomainError) -> Outcome:
    details = exc.details if isinstance(exc.details, list) else None
    errors = details or [{"field": "", "code": exc.code, "message": exc.message_zh}]
    return Outcome(row=n, document_number=doc, result="error", errors=errors)


async def ingest(
    *,
    rows: list[dict[str, Any]],
    provider: Department,
    policy: Policy,
    today: date,
    all_or_nothing: bool = False,
    first_row: int = 1,
) -> dict[str, Any]:
    """Validate every row, then write the good ones (each atomically, or none if all_or_nothing)."""
    outcomes: list[Outcome] = []
    parsed: list[tuple[int, Row]] = []
    known = {m.code: m for m in await Measure.all()}
    for n, raw in enumerate(rows, start=first_row):
        doc = str(raw.get("document_number") or "") if isinstance(raw, dict) else ""
        try:
            if not isinstance(raw, dict):
                raise RowInvalid("每行须为一个对象", "Each row must be an object")
            parsed.append((n, await parse_row(raw, today=today, known=known)))
        except DomainError as exc:
            outcomes.append(_error(n, doc, exc))
    if all_or_nothing and outcomes:
        outcomes += [
            Outcome(row=n, document_number=r.document_number, result="skipped") for n, r in parsed
        ]
        return _report(outcomes, written=False)
    if all_or_nothing:
        try:
            async with in_transaction():
                done = await _apply_all(parsed, provider=provider, policy=policy, today=today)
                if any(o.result == "error" for o in done):
                    raise _Rollback(done)
        except _Rollback as rollback:
            failed = {o.row for o in rollback.outcomes if o.result == "error"}
            outcomes += [o if o.row in failed else _skipped(o) for o in rollback.outcomes]
            return _report(outcomes, written=False)
        return _report(outcomes + done, written=True)
    done = await _apply_all(parsed, provider=provider, policy=policy, today=today)
    return _report(outcomes + done, written=True)


class _Rollback(Exception):
    def __init__(self, outcomes: list[Outcome]) -> None:
        self.outcomes = outcomes


def _skipped(o: Outcome) -> Outcome:
    return Outcome(row=o.row, document_number=o.document_number, result="skipped")


async def _apply_all(
    parsed: list[tuple[int, Row]], *, provider: Department, policy: Policy, today: date
) -> list[Outcome]:
    docs = [r.document_number for _, r in parsed]
    existing = set(
        await CreditRecord.filter(provider=provider, document_number__in=docs).values_list(
            "document_number", flat=True
        )
    )
    fast, slow, seen = [], [], set()
    for n, row in parsed:
        doc = row.document_number
        new = row.action == "new" and row.id_kind == "uscc" and doc not in existing
        (fast if new and doc not in seen else slow).append((n, row))
        seen.add(doc)
    out: list[Outcome] = []
    if fast:
        try:
            async with in_transaction():
                out = await _bulk_create(fast, provider=provider, policy=policy, today=today)
        except IntegrityError:
            out, slow = [], sorted(fast + slow, key=lambda item: item[0])
    for n, row in slow:
        try:
            result, record = await apply_row(row, provider=provider, policy=policy, today=today)
            out.append(Outcome(n, row.document_number, result, record_id=record.id))
        except DomainError as exc:
            out.append(_error(n, row.document_number, exc))
    return out


async def _bulk_create(
    rows: list[tuple[int, Row]], *, provider: Department, policy: Policy, today: date
) -> list[Outcome]:
    """Many new records of enterprises in a few statements (the import fast path)."""
    usccs = {row.identifier for _, row in rows}
    subjects_by = {s.uscc: s.id for s in await Subject.filter(uscc__in=usccs).only("id", "uscc")}
    missing = {}
    for _, row in rows:
        if row.identifier not in subjects_by and row.identifier not in missing:
            kind = row.subject_kind or SubjectKind.LEGAL_PERSON
            missing[row.identifier] = Subject(kind=kind, name=row.subject_name, uscc=row.identifier)
    if missing:
        await Subject.bulk_create(list(missing.values()), batch_size=500)
        found = await Subject.filter(uscc__in=list(missing)).only("id", "uscc")
        subjects_by |= {s.uscc: s.id for s in found}
    records, periods = [], {}
    for _, row in rows:
        p = periods[row.document_number] = _periods(row, policy, today)
        records.append(
            CreditRecord(
                subject_id=subjects_by[row.identifier],
                nature=row.nature,
                severity=row.severity,
                catalogue_class=row.catalogue_class,
                title=row.title,
                content=row.content,
                legal_basis=row.legal_basis,
                provider_id=provider.id,
                document_number=row.document_number,
                finding_date=row.finding_date,
                publicity_start=row.publicity_start,
                publicity_end=row.validity_end,
                repairable_from=p["repairable_from"],
                published_through=p["published_through"],
                period_rule=p["period_rule"],
                flags={
                    "published": p["published"],
                    "period": p["period"],
                    "ingested": [row.fingerprint],
                },
            )
        )
    await CreditRecord.bulk_create(records, batch_size=500)
    ids = dict(
        await CreditRecord.filter(
            provider_id=provider.id, document_number__in=list(periods)
        ).values_list("document_number", "id")
    )
    actor = f"信息提供单位：{provider.name}"
    events, attached, entries = [], [], []
    for _, row in rows:
        rid = ids[row.document_number]
        events.append(
            RecordEvent(record_id=rid, actor=actor, action="created", reason="信息提供单位归集")
        )
        attached += [
            RecordMeasure(record_id=rid, measure_id=m.id, department_id=provider.id)
            for m in row.measures
        ]
        if row.list_kind is not None:
            p = periods[row.document_number]
            severe = row.list_kind is ListKind.SEVERE_DISHONESTY
            entries.append(
                ListEntry(
                    subject_id=subjects_by[row.identifier],
                    kind=row.list_kind,
                    reason=row.title,
                    record_id=rid,
                    department_id=provider.id,
                    entered_on=row.publicity_start,
                    listed_through=p["published_through"] if severe else row.validity_end,
                )
            )
    await RecordEvent.bulk_create(events, batch_size=500)
    if attached:
        await RecordMeasure.bulk_create(attached, batch_size=500)
    if entries:
        await ListEntry.bulk_create(entries, batch_size=500)
    return [
        Outcome(n, row.document_number, "created", record_id=ids[row.document_number])
        for n, row in rows
    ]


def _report(outcomes: list[Outcome], *, written: bool) -> dict[str, Any]:
    outcomes.sort(key=lambda o: o.row)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.result] = counts.get(o.result, 0) + 1
    return {
        "written": written,
        "counts": counts,
        "rows": [o.as_dict() for o in outcomes],
    }
