"""The domain models round-trip on SQLite and PostgreSQL; the audit log refuses edits."""

from datetime import UTC, date, datetime

import pytest
from tortoise.exceptions import IntegrityError

from selfservice.audit.models import AuditLog
from selfservice.enums import (
    ActorKind,
    DepartmentLevel,
    ListKind,
    MeasureKind,
    Nature,
    Obligation,
    RecordStatus,
    Severity,
    SubjectKind,
)
from selfservice.measures.models import Measure, RecordMeasure
from selfservice.records.models import CreditRecord, ListEntry, RecordEvent
from selfservice.staff.models import Department
from selfservice.subjects.models import Subject


async def _record(**overrides) -> CreditRecord:
    city = await Department.create(
        code="KM-SCJG",
        name="昆明市市场监督管理局",
        level=DepartmentLevel.CITY,
        jurisdiction="kunming",
    )
    await Department.create(
        code="KM-WH",
        name="五华区市场监督管理局",
        level=DepartmentLevel.COUNTY,
        jurisdiction="kunming",
        parent=city,
    )
    subject = await Subject.create(
        kind=SubjectKind.LEGAL_PERSON, name="昆明某某有限公司", uscc="91530100MA6K0R1X6T"
    )
    fields = {
        "subject": subject,
        "nature": Nature.BAD,
        "severity": Severity.GENERAL,
        "catalogue_class": "administrative_penalty",
        "title": "销售不合格食品",
        "provider": city,
        "document_number": "昆市监罚〔2026〕12号",
        "finding_date": date(2026, 5, 6),
        "publicity_start": date(2026, 5, 8),
        "published_through": date(2027, 5, 6),
        "flags": {"joint_punishment": True},
    } | overrides
    return await CreditRecord.create(**fields)


async def test_record_round_trip(database):
    record = await _record()
    loaded = await CreditRecord.get(id=record.id).prefetch_related("subject", "provider")
    assert loaded.status is RecordStatus.PUBLISHED
    assert loaded.severity is Severity.GENERAL
    assert loaded.flags == {"joint_punishment": True}
    assert loaded.provider.code == "KM-SCJG"
    assert loaded.subject.uscc == "91530100MA6K0R1X6T"
    county = await Department.get(code="KM-WH").prefetch_related("parent")
    assert county.parent.code == "KM-SCJG"


async def test_document_number_unique_per_provider(database):
    record = await _record()
    with pytest.raises(IntegrityError):
        await CreditRecord.create(
            subject_id=record.subject_id,
            nature=Nature.BAD,
            severity=Severity.MINOR,
            catalogue_class="administrative_penalty",
            title="dup",
            provider_id=record.provider_id,
            document_number=record.document_number,
            finding_date=date(2026, 1, 1),
            publicity_start=date(2026, 1, 1),
        )


async def test_measures_events_and_lists(database):
    record = await _record()
    measure = await Measure.create(
        code="P-N-03",
        kind=MeasureKind.PUNISHMENT,
        obligation=Obligation.RECOMMENDED,
        title="列为重点监管对象",
        legal_basis="国发〔2016〕33号",
        scope="national",
        applies_to="bad",
    )
    await RecordMeasure.create(record=record, measure=measure, department_id=record.provider_id)
    await RecordEvent.create(record=record, actor="KM-SCJG", action="published", reason="报送")
    await ListEntry.create(
        subject_id=record.subject_id,
        kind=ListKind.SEVERE_DISHONESTY,
        record=record,
        department_id=record.provider_id,
        entered_on=date(2026, 5, 20),
        listed_through=date(2029, 5, 19),
    )
    assert await RecordMeasure.filter(record=record, in_force=True).count() == 1
    assert [e.action for e in await record.events.all()] == ["published"]
    entry = await ListEntry.get(subject_id=record.subject_id)
    assert entry.kind is ListKind.SEVERE_DISHONESTY and entry.exited_on is None


async def test_audit_log_is_append_only(database):
    entry = await AuditLog.create(
        at=datetime.now(UTC),
        actor_kind=ActorKind.STAFF,
        actor_id="7",
        action="read_records",
        subject_id=1,
        purpose="核查",
        prev_hash="0" * 64,
        hash="a" * 64,
    )
    entry.purpose = "changed"
    with pytest.raises(PermissionError):
        await entry.save()
    with pytest.raises(PermissionError):
        await entry.delete()
    assert (await AuditLog.get(id=entry.id)).purpose == "核查"
