"""Idempotent loading of the demo data set: every row is upserted by its natural key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tortoise.transactions import in_transaction

from selfservice.clock import Clock
from selfservice.demo import data
from selfservice.demo import repairs as repairs_demo
from selfservice.demo.pledges import load_pledges
from selfservice.enums import (
    DepartmentLevel,
    ListKind,
    MeasureKind,
    Nature,
    Obligation,
    RecordStatus,
    Severity,
    StaffRole,
    SubjectKind,
)
from selfservice.measures.models import Measure, RecordMeasure
from selfservice.policy import add_months, load_policy
from selfservice.records.models import CreditRecord, ListEntry, RecordEvent
from selfservice.staff.models import Department, StaffUser
from selfservice.staff.passwords import hash_password, verify_password
from selfservice.subjects import service as subjects
from selfservice.subjects.models import Subject

GOOD_VALIDITY_MONTHS = 24


@dataclass(frozen=True)
class DemoSubject:
    """A fictional demo subject and what its identity verification asks for."""

    kind: str
    name: str
    code: str
    phone: str
    rep_name: str = ""
    rep_id: str = ""


@dataclass
class DemoSummary:
    departments: int = 0
    measures: int = 0
    subjects: list[DemoSubject] = field(default_factory=list)
    records: int = 0
    list_entries: int = 0
    staff: list[tuple[str, str, str]] = field(default_factory=list)


def jurisdiction_of(region_code: str) -> str:
    return "yuxi" if region_code.startswith("5304") else "kunming"


async def _departments() -> dict[str, Department]:
    out: dict[str, Department] = {}
    for code, name, level, jurisdiction, region, parent in data.DEPARTMENTS:
        dept, _ = await Department.update_or_create(
            defaults={
                "name": name,
                "level": DepartmentLevel(level),
                "jurisdiction": jurisdiction,
                "region_code": region,
                "parent": out[parent] if parent else None,
            },
            code=code,
        )
        out[code] = dept
    return out


async def _measures() -> dict[str, Measure]:
    out: dict[str, Measure] = {}
    for code, kind, obligation, title, basis, scope, applies_to in data.MEASURES:
        measure, _ = await Measure.update_or_create(
            defaults={
                "kind": MeasureKind(kind),
                "obligation": Obligation(obligation),
                "title": title,
                "legal_basis": basis,
                "scope": scope,
                "applies_to": applies_to,
            },
            code=code,
        )
        out[code] = measure
    return out


async def _subjects(summary: DemoSummary) -> dict[str, Subject]:
    out: dict[str, Subject] = {}
    for key, kind, name, body, rep, rep_body, phone, region in data.ENTERPRISES:
        code, rep_id = data.uscc(body), data.resident_id(rep_body)
        out[key] = await subjects.upsert(
            kind=SubjectKind(kind),
            name=name,
            uscc=code,
            legal_rep_name=rep,
            legal_rep_id=rep_id,
            phone=phone,
            region_code=region,
        )
        summary.subjects.append(DemoSubject(kind, name, code, phone, rep, rep_id))
    for key, name, number, phone, region in data.CITIZENS:
        number = number if len(number) == 18 else data.resident_id(number)
        out[key] = await subjects.upsert(
            kind=SubjectKind.NATURAL_PERSON,
            name=name,
            id_number=number,
            phone=phone,
            region_code=region,
        )
        summary.subjects.append(DemoSubject("natural_person", name, number, phone))
    return out


async def _records(
    subjects_by_key: dict[str, Subject],
    depts: dict[str, Department],
    measures: dict[str, Measure],
    today: date,
) -> dict[tuple[str, str], CreditRecord]:
    out: dict[tuple[str, str], CreditRecord] = {}
    for key, assigned in data.ASSIGNMENTS.items():
        subject = subjects_by_key[key]
        jurisdiction = jurisdiction_of(subject.region_code)
        policy = load_policy(jurisdiction)
        city = "YX" if jurisdiction == "yuxi" else "KM"
        for n, (template, found) in enumerate(assigned, start=1):
            cls, nature, severity, title, basis, provider, measure_codes = data.RECORD_TEMPLATES[
                template
            ]
            provider_dept = depts[provider.format(city=city)]
            validity = add_months(found, GOOD_VALIDITY_MONTHS) if nature == "good" else None
            periods = policy.periods_for(
                nature, severity, found, validity_end=validity, on=today, catalogue_class=cls
            )
            status = RecordStatus.EXPIRED if periods.expired else RecordStatus.PUBLISHED
            doc = f"{provider_dept.code}〔{found.year}〕{subject.id:03d}{n:02d}号"
            record, created = await CreditRecord.update_or_create(
                defaults={
                    "subject": subject,
                    "nature": Nature(nature),
                    "severity": Severity(severity) if severity else None,
                    "catalogue_class": cls,
                    "title": title,
                    "content": f"{subject.name}：{title}。",
                    "legal_basis": basis,
                    "finding_date": found,
                    "publicity_start": found,
                    "publicity_end": validity,
                    "repairable_from": periods.repairable_from,
                    "published_through": periods.published_through,
                    "period_rule": f"{periods.rule_id}@{periods.effective_from.isoformat()}",
                    "status": status,
                    "flags": {} if periods.published else {"not_published": True},
                },
                provider=provider_dept,
                document_number=doc,
            )
            if created:
                await RecordEvent.create(
                    record=record,
                    actor=provider_dept.name,
                    action="published",
                    reason="提供单位报送",
                    data={"source": "demo"},
                )
                if status is RecordStatus.EXPIRED:
                    await RecordEvent.create(
                        record=record,
                        actor="system",
                        action="expired",
                        reason=f"超过公示期限（{periods.source}）",
                    )
            for code in measure_codes:
                await RecordMeasure.get_or_create(
                    record=record,
                    measure=measures[code],
                    defaults={
                        "department": provider_dept,
                        "in_force": status is RecordStatus.PUBLISHED,
                    },
                )
            out[(key, template)] = record
    return out


async def _lists(
    subjects_by_key: dict[str, Subject],
    records: dict[tuple[str, str], CreditRecord],
    depts: dict[str, Department],
) -> int:
    for key, kind, reason, entered, listed_through in data.LIST_ENTRIES:
        subject = subjects_by_key[key]
        city = "YX" if jurisdiction_of(subject.region_code) == "yuxi" else "KM"
        record = records.get((key, "court")) or records.get((key, "tax_evasion"))
        await ListEntry.update_or_create(
            defaults={
                "reason": reason,
                "record": record if kind == "severe_dishonesty" else None,
                "department": depts[f"{city}-FGW"],
                "listed_through": listed_through,
            },
            subject=subject,
            kind=ListKind(kind),
            entered_on=entered,
        )
    return len(data.LIST_ENTRIES)


async def _staff(depts: dict[str, Department], summary: DemoSummary) -> None:
    for username, display, role, dept in data.STAFF:
        user = await StaffUser.get_or_none(username=username)
        if user is None:
            await StaffUser.create(
                username=username,
                display_name=display,
                password_hash=hash_password(data.DEMO_PASSWORD),
                role=StaffRole(role),
                department=depts[dept],
            )
        elif not verify_password(user.password_hash, data.DEMO_PASSWORD):
            user.password_hash = hash_password(data.DEMO_PASSWORD)
            await user.save(update_fields=["password_hash"])
        summary.staff.append((username, role, depts[dept].name))


async def load_demo(*, today: date | None = None) -> DemoSummary:
    """Load (or refresh) the whole demo set in one transaction; running it twice changes nothing."""
    today = today or Clock().today()
    summary = DemoSummary()
    async with in_transaction():
        depts = await _departments()
        measures = await _measures()
        subjects_by_key = await _subjects(summary)
        records = await _records(subjects_by_key, depts, measures, today)
        summary.list_entries = await _lists(subjects_by_key, records, depts)
        summary.records = await repairs_demo.load(
            subjects=subjects_by_key, depts=depts, today=today
        )
        await _staff(depts, summary)
        await load_pledges(subjects_by_key=subjects_by_key, today=today)
    summary.departments, summary.measures = len(depts), len(measures)
    summary.records += len(records)
    return summary
