"""A Yuxi (or Kunming) world for repairs: a county department under the city provider, records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from objection_factories import World, make_world
from upload_samples import noise_jpeg

from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.clock import fixed
from selfservice.enums import DepartmentLevel, ListKind, Nature, Severity, StaffRole
from selfservice.measures.models import RecordMeasure
from selfservice.policy import Policy, load_policy
from selfservice.records.models import CreditRecord, ListEntry
from selfservice.repairs.national import Forwarding, NationalReceipt
from selfservice.staff.models import Department, StaffUser

JPEG = noise_jpeg(13)


@dataclass
class RepairWorld:
    w: World
    county: Department
    county_handler: StaffUser
    policy: Policy


async def make_repair_world(jurisdiction: str = "yuxi") -> RepairWorld:
    w = await make_world(jurisdiction, "YX" if jurisdiction == "yuxi" else "KM")
    county = await Department.create(
        code=f"{w.provider.code}-HT",
        name="红塔区市场监督管理局",
        level=DepartmentLevel.COUNTY,
        jurisdiction=jurisdiction,
        region_code="530402",
        parent=w.provider,
    )
    county_handler = await StaffUser.create(
        username=f"{county.code}_h",
        display_name="区经办",
        password_hash="x" * 20,
        role=StaffRole.HANDLER,
        department=county,
    )
    return RepairWorld(w, county, county_handler, load_policy(jurisdiction))


async def make_record(
    rw: RepairWorld,
    *,
    found: date,
    severity: str | None = "general",
    provider: Department | None = None,
    nature: str = "bad",
    subject_id: int | None = None,
    flags: dict | None = None,
    listed: bool = False,
) -> CreditRecord:
    """A record whose periods come from the policy, with the world's punishment measure."""
    periods = rw.policy.periods_for(nature, severity, found)
    record = await CreditRecord.create(
        subject_id=subject_id or rw.w.subject.id,
        nature=Nature(nature),
        severity=Severity(severity) if severity else None,
        catalogue_class="administrative_penalty",
        title="未按规定公示年度报告",
        provider=provider or rw.w.provider,
        document_number=f"玉市监罚〔{found.year}〕{uuid.uuid4().hex[:6]}号",
        finding_date=found,
        publicity_start=found,
        published_through=periods.published_through,
        repairable_from=periods.repairable_from,
        period_rule=periods.rule_id,
        flags={"published": periods.published, **(flags or {})},
    )
    measure = await RecordMeasure.filter(record_id=rw.w.record.id).first()
    await RecordMeasure.create(
        record=record, measure_id=measure.measure_id, department=rw.w.acting_dept
    )
    if listed:
        await ListEntry.create(
            subject_id=record.subject_id,
            kind=ListKind.SEVERE_DISHONESTY,
            reason="严重失信",
            record=record,
            department=rw.w.credit_office,
            entered_on=found,
        )
    return record


def at(day: date):
    """A clock stopped at 10:00 Beijing time on ``day``."""
    return fixed(datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC))


def headers(app, principal: Principal) -> dict[str, str]:
    token = issue_access_token(settings=app.ctx.settings, principal=principal)
    return {"authorization": f"Bearer {token}"}


def subject_principal(subject_id: int, scopes: tuple[str, ...] = ("all",)) -> Principal:
    return Principal(kind="subject", subject_id=subject_id, scopes=scopes)


async def upload(app, head: dict[str, str], salt: str = "") -> str:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n\r\n'
        ).encode()
        + JPEG
        + salt.encode()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    ctype = {"content-type": f"multipart/form-data; boundary={boundary}"}
    _, res = await app.asgi_client.post("/api/v1/evidence", content=body, headers=head | ctype)
    assert res.status == 201, res.text
    return res.json["id"]


class RecordingIntake:
    """The national intake's test double: records what was forwarded, answers numbers."""

    name = "recording"

    def __init__(self, *, answer: bool = True) -> None:
        self.answer = answer
        self.forwarded: list[Forwarding] = []

    async def forward(self, forwarding: Forwarding) -> NationalReceipt | None:
        self.forwarded.append(forwarding)
        if not self.answer:
            return None
        n = len(self.forwarded)
        return NationalReceipt(case_number=f"XYZG2026{n:06d}", query_code=f"Q{n:05d}")
