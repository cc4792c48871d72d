"""Factories for objection tests: departments, staff, a subject with a bad record and measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from selfservice.auth.tokens import Principal
from selfservice.cases.actors import Actor, actor_of
from selfservice.enums import (
    DepartmentLevel,
    MeasureKind,
    Nature,
    Obligation,
    Severity,
    StaffRole,
    SubjectKind,
)
from selfservice.measures.models import Measure, RecordMeasure
from selfservice.records.models import CreditRecord
from selfservice.staff.models import Department, StaffUser
from selfservice.subjects.models import Subject


@dataclass
class World:
    provider: Department
    other_dept: Department
    acting_dept: Department
    credit_office: Department
    subject: Subject
    other_subject: Subject
    record: CreditRecord
    handler: StaffUser
    supervisor: StaffUser
    outsider: StaffUser
    credit: StaffUser

    def subject_actor(self) -> Actor:
        return actor_of(Principal(kind="subject", subject_id=self.subject.id, scopes=("all",)))

    def other_actor(self) -> Actor:
        return actor_of(
            Principal(kind="subject", subject_id=self.other_subject.id, scopes=("all",))
        )

    def staff(self, user: StaffUser) -> Actor:
        return actor_of(
            Principal(
                kind="staff",
                staff_id=user.id,
                roles=(str(user.role),),
                department_id=user.department_id,
            )
        )

    def principal(self, user: StaffUser) -> Principal:
        return Principal(
            kind="staff",
            staff_id=user.id,
            roles=(str(user.role),),
            department_id=user.department_id,
        )


async def make_world(jurisdiction: str = "kunming", prefix: str = "KM") -> World:
    region = "530100" if jurisdiction == "kunming" else "530400"
    credit_office = await Department.create(
        code=f"{prefix}-FGW",
        name="市发展和改革委员会（市信用办）",
        level=DepartmentLevel.CITY,
        jurisdiction=jurisdiction,
        region_code=region,
    )
    provider = await Department.create(
        code=f"{prefix}-SCJG",
        name="市场监督管理局",
        level=DepartmentLevel.CITY,
        jurisdiction=jurisdiction,
        region_code=region,
    )
    acting = await Department.create(
        code=f"{prefix}-SW",
        name="税务局",
        level=DepartmentLevel.CITY,
        jurisdiction=jurisdiction,
        region_code=region,
    )
    other = await Department.create(
        code="ZZ-OTHER",
        name="外市某局",
        level=DepartmentLevel.CITY,
        jurisdiction="elsewhere",
        region_code="999999",
    )
    subject = await Subject.create(
        kind=SubjectKind.LEGAL_PERSON,
        name="某某餐饮管理有限公司",
        uscc="91530100MA6K0R1X6T",
        region_code=region,
    )
    other_subject = await Subject.create(
        kind=SubjectKind.LEGAL_PERSON,
        name="另一家公司",
        uscc="91530100MA6K0R2X6T",
        region_code=region,
    )
    record = await CreditRecord.create(
        subject=subject,
        nature=Nature.BAD,
        severity=Severity.GENERAL,
        catalogue_class="administrative_penalty",
        title="食品经营许可证过期仍经营",
        content="罚款五千元",
        provider=provider,
        document_number=f"{prefix}罚〔2026〕17号",
        finding_date=date(2026, 3, 2),
        publicity_start=date(2026, 3, 9),
        published_through=date(2027, 3, 2),
        repairable_from=date(2026, 6, 2),
    )
    punish = await Measure.create(
        code=f"{prefix}-P1",
        kind=MeasureKind.PUNISHMENT,
        obligation=Obligation.MANDATORY,
        title="限制参与政府采购",
        legal_basis="政府采购法第二十二条",
        scope="national",
        applies_to="bad",
    )
    await RecordMeasure.create(record=record, measure=punish, department=acting)
    pw = "x" * 20
    handler = await StaffUser.create(
        username=f"{prefix}_h",
        display_name="经办",
        password_hash=pw,
        role=StaffRole.HANDLER,
        department=provider,
    )
    supervisor = await StaffUser.create(
        username=f"{prefix}_s",
        display_name="科长",
        password_hash=pw,
        role=StaffRole.SUPERVISOR,
        department=provider,
    )
    outsider = await StaffUser.create(
        username=f"{prefix}_o",
        display_name="外人",
        password_hash=pw,
        role=StaffRole.HANDLER,
        department=other,
    )
    credit = await StaffUser.create(
        username=f"{prefix}_c",
        display_name="信用办",
        password_hash=pw,
        role=StaffRole.CREDIT_OFFICE,
        department=credit_office,
    )
    return World(
        provider,
        other,
        acting,
        credit_office,
        subject,
        other_subject,
        record,
        handler,
        supervisor,
        outsider,
        credit,
    )
