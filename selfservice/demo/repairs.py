"""Demo records in every repair eligibility state, so a new user meets each answer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from selfservice.enums import Nature, RecordStatus, Severity
from selfservice.measures.models import Measure, RecordMeasure
from selfservice.policy import add_months, load_policy
from selfservice.records.models import CreditRecord, RecordEvent
from selfservice.staff.models import Department
from selfservice.subjects.models import Subject

SUBJECT_KEY = "hongta"  # a Yuxi enterprise: both the Yuxi 2018 and the national 2026 rules apply
PROVIDER, COUNTY = "YX-SCJG", "YX-HT-SCJG"
MEASURE = "P-N-03"


def _states(today: date) -> list[tuple[str, str, date, str, str, dict[str, Any]]]:
    """(key, severity, finding date, provider, title, extra fields) of each demo state."""
    return [
        ("now", "general", date(2025, 9, 15), COUNTY, "未按规定公示年度报告", {}),
        ("not_yet", "general", add_months(today, -1), PROVIDER, "超范围经营", {}),
        (
            "barred",
            "severe",
            add_months(today, -30),
            PROVIDER,
            "生产经营国家明令淘汰的产品",
            {"flags": {"repair_barred": {"basis": "法律明确规定不可修复的情形（演示数据）"}}},
        ),
        (
            "objection",
            "general",
            date(2025, 11, 20),
            PROVIDER,
            "未按规定建立进货查验记录",
            {"under_objection": True, "flags": {"open_case": {"kind": "objection"}}},
        ),
        (
            "repaired",
            "general",
            date(2025, 7, 1),
            COUNTY,
            "未按规定办理变更登记",
            {
                "status": RecordStatus.REPAIRED,
                "flags": {
                    "repair": {"receipt": None, "on": (today - timedelta(days=30)).isoformat()}
                },
            },
        ),
    ]


async def load(*, subjects: dict[str, Subject], depts: dict[str, Department], today: date) -> int:
    """Upsert the demo repair records (by provider and document number); returns how many."""
    subject = subjects[SUBJECT_KEY]
    policy = load_policy("yuxi")
    measure = await Measure.get_or_none(code=MEASURE)
    states = _states(today)
    for n, (key, severity, found, provider, title, extra) in enumerate(states, start=1):
        periods = policy.periods_for(Nature.BAD, severity, found)
        flags = {"published": periods.published, **extra.pop("flags", {}), "demo": key}
        record, created = await CreditRecord.update_or_create(
            defaults={
                "subject": subject,
                "nature": Nature.BAD,
                "severity": Severity(severity),
                "catalogue_class": "administrative_penalty",
                "title": title,
                "content": f"{subject.name}：{title}。",
                "legal_basis": "《中华人民共和国市场主体登记管理条例》",
                "finding_date": found,
                "publicity_start": found,
                "repairable_from": periods.repairable_from,
                "published_through": periods.published_through,
                "period_rule": periods.rule_id,
                "flags": flags,
                **extra,
            },
            provider=depts[provider],
            document_number=f"玉市监罚〔{found.year}〕修{n:02d}号",
        )
        if created:
            await RecordEvent.create(
                record=record, actor=depts[provider].name, action="published", reason="演示数据"
            )
        if measure is not None:
            await RecordMeasure.get_or_create(
                record=record, measure=measure, defaults={"department": depts[provider]}
            )
    return len(states)
