"""Factories for tip tests: the objection world plus a custodian, an auditor and a county office."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from objection_factories import World, make_world

from selfservice.enums import DepartmentLevel, StaffRole
from selfservice.otp import service as otp
from selfservice.policy import load_policy
from selfservice.reports import service
from selfservice.staff.models import Department, StaffUser
from selfservice.store import MemoryStore

SECRET = "x-tip-secret"
FILED = date(2026, 12, 2)  # a Wednesday
FACTS = "该餐馆长期销售过期变质的熟食，后厨卫生极差，多名顾客食用后腹泻，店家拒不承认。"
REPORTER_NAME, REPORTER_PHONE = "柏知远", "13907310815"


@dataclass
class TipWorld:
    w: World
    county: Department
    custodian: StaffUser
    auditor: StaffUser
    admin: StaffUser


async def make_tip_world() -> TipWorld:
    w = await make_world()
    county = await Department.create(
        code="KM-WH-SCJG",
        name="五华区市场监督管理局",
        level=DepartmentLevel.COUNTY,
        jurisdiction="kunming",
        region_code="530102",
        parent=w.provider,
    )
    custodian, auditor, admin = [
        await StaffUser.create(
            username=f"km_{role.value}",
            display_name=role.value,
            password_hash="x" * 20,
            role=role,
            department=w.credit_office,
        )
        for role in (StaffRole.REPORT_CUSTODIAN, StaffRole.AUDITOR, StaffRole.ADMIN)
    ]
    return TipWorld(w, county, custodian, auditor, admin)


def tip_in(**overrides) -> service.TipIn:
    values = {
        "category": "food_drugs",
        "party": service.Party("某某餐饮管理有限公司", "91530100MA6K0R1X6T", "五华区某路1号"),
        "facts": FACTS,
        "declared": True,
        "place": "五华区某路1号",
        "region_code": "",
        "happened": "2026年11月",
    }
    return service.TipIn(**(values | overrides))


class Sms:
    """SMS gateway double: keeps what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    async def send(self, *, phone, template, params):
        self.sent.append((phone, template, dict(params)))


async def file(settings, store=None, *, today=FILED, caller=None, **overrides):
    """File a tip at the service level (a named one gets its code through the SMS double)."""
    store = store or MemoryStore()
    if overrides.get("named"):
        sms = Sms()
        await otp.issue(
            store=store,
            settings=settings,
            sms=sms,
            purpose=service.OTP_PURPOSE,
            phone=overrides.get("phone", REPORTER_PHONE),
        )
        overrides = {
            "reporter_name": REPORTER_NAME,
            "phone": REPORTER_PHONE,
            "otp_code": sms.sent[-1][2]["code"],
        } | overrides
    return await service.file_tip(
        tip_in=tip_in(**overrides),
        settings=settings,
        store=store,
        policy=load_policy("kunming"),
        today=today,
        caller=caller or service.Caller(),
    )


def payload(**over) -> dict:
    return {
        "category": "food_drugs",
        "party": {"name": "某某餐饮管理有限公司", "identifier": "91530100MA6K0R1X6T"},
        "place": "五华区某路1号",
        "region_code": "530102",
        "happened": "2026年11月",
        "facts": FACTS,
        "declaration": True,
    } | over


async def otp_code(client, caplog, phone=REPORTER_PHONE) -> str:
    caplog.set_level(logging.INFO, logger="selfservice.sms")
    _, res = await client.post("/api/v1/tips/otp", json={"phone": phone})
    assert res.status == 200, res.text
    line = [r.getMessage() for r in caplog.records if r.name == "selfservice.sms"][-1]
    return re.search(r"验证码(?:为)?(\d{6})", line).group(1)
