"""Eligibility under the Yuxi 2018 rules and the national 2026 regime, on the eve and the day."""

from __future__ import annotations

from datetime import date

import pytest

from selfservice.enums import Nature, RecordStatus, Severity
from selfservice.policy import load_policy
from selfservice.records.models import CreditRecord
from selfservice.repairs.eligibility import assess

YUXI, KUNMING = load_policy("yuxi"), load_policy("kunming")


def _record(found: date, severity: str | None = "general", **over) -> CreditRecord:
    fields = {
        "id": 7,
        "nature": Nature.BAD,
        "severity": Severity(severity) if severity else None,
        "finding_date": found,
        "status": RecordStatus.PUBLISHED,
        "under_objection": False,
        "flags": {},
    }
    return CreditRecord(**(fields | over))


def _codes(answer) -> list[str]:
    return [r.code for r in answer.reasons]


# (policy, finding date, severity, available_from, route); each expectation from the rule text:
CASES = [
    # Yuxi art. 12(三) (2023-05-01..2026-03-31): the periods of 令第58号 prevail, 一般 minimum
    # 3 months from the finding date: 2025-06-10 + 3 months = last day 2025-09-10 (民法典
    # art. 201–202), first day 2025-09-11 (the 2026 transition rule's new 一般 minimum is also
    # 3 months, so the earlier of the two is the same day); filed 2025-09-11 (a Thursday, a
    # working day), before 2026-04-01: the local route (Yuxi art. 17–18)
    (YUXI, date(2025, 6, 10), "general", date(2025, 9, 11), "local_decide"),
    # national 2026 (一般: minimum 3 months): 2026-04-01 + 3 months = last day 2026-07-01
    # (民法典 art. 201–202), so the first day is 2026-07-02; route via 信用中国
    (YUXI, date(2026, 4, 1), "general", date(2026, 7, 2), "national_forward"),
    # 严重: minimum 1 year: last day 2027-04-15, first day 2027-04-16
    (KUNMING, date(2026, 4, 15), "severe", date(2027, 4, 16), "national_forward"),
    # month-end clamp: 2026-11-30 + 3 months = 2027-02-28 (last day), first day 2027-03-01
    (KUNMING, date(2026, 11, 30), "general", date(2027, 3, 1), "national_forward"),
    # 轻微: no minimum, at once when the obligation is fulfilled
    (KUNMING, date(2026, 5, 10), "minor", date(2026, 5, 10), "national_forward"),
]


@pytest.mark.parametrize(("policy", "found", "severity", "first", "route"), CASES)
def test_the_eve_and_the_day_of_available_from(policy, found, severity, first, route):
    record = _record(found, severity)
    eve = assess(record, policy, first.fromordinal(first.toordinal() - 1))
    day = assess(record, policy, first)
    assert day.eligible and day.available_from == first and day.route.value == route
    assert day.reasons == []
    assert not eve.eligible and _codes(eve) == ["before_available_from"]
    assert first.isoformat() in eve.reasons[0].message
    assert eve.reasons[0].rule["source"]  # the rule that fixed the period is cited


@pytest.mark.parametrize(
    ("today", "route"),
    [
        (date(2026, 3, 29), "local_decide"),  # a Sunday: received Monday 2026-03-30
        (date(2026, 3, 31), "local_decide"),  # the last day of the Yuxi art. 17–18 path
        (date(2026, 4, 1), "national_forward"),  # 令第36号 in force: whatever the finding date
    ],
)
def test_the_route_is_that_of_the_day_the_application_is_received(today, route):
    assert assess(_record(date(2025, 6, 10)), YUXI, today).route.value == route


def test_checklist_is_the_national_minimum_with_local_items_optional():
    yuxi = assess(_record(date(2025, 6, 10)), YUXI, date(2026, 3, 20))
    assert [(i.code, i.required) for i in yuxi.checklist] == [
        ("fulfilment_proof", True),
        ("commitment_letter", True),
        ("rectification_report", False),
    ]
    kunming = assess(_record(date(2025, 6, 10)), KUNMING, date(2026, 11, 20))
    assert [(i.code, i.required) for i in kunming.checklist][2:] == [
        ("public_service_proof", False)  # Kunming task 18: citizens may repair by public service
    ]
    assert yuxi.free_of_charge and yuxi.as_dict()["route"] == "local_decide"


@pytest.mark.parametrize(
    ("over", "code", "cited"),
    [
        ({"nature": Nature.GOOD, "severity": None}, "good_record", "第三条"),
        ({"status": RecordStatus.REVOKED}, "revoked", None),
        ({"status": RecordStatus.EXPIRED}, "expired", "第十二条"),
        (
            {"status": RecordStatus.REPAIRED, "flags": {"repair": {"receipt": "XF1", "on": "x"}}},
            "already_repaired",
            None,
        ),
        ({"under_objection": True}, "under_objection", "本平台规则"),
        (
            {"flags": {"open_case": {"kind": "repair", "receipt": "XF20261120-0001"}}},
            "repair_open",
            None,
        ),
        (
            {"flags": {"repair_barred": {"basis": "《食品安全法》第一百三十五条（终身禁业）"}}},
            "barred",
            "第二条",
        ),
    ],
)
def test_every_reason_is_given_with_its_rule(over, code, cited):
    answer = assess(_record(date(2025, 6, 10), **over), YUXI, date(2026, 11, 20))
    assert not answer.eligible and code in _codes(answer)
    reason = next(r for r in answer.reasons if r.code == code)
    if cited:
        assert cited in reason.rule["source"]
    if code == "barred":
        assert "食品安全法" in reason.message


def test_under_objection_and_too_early_are_both_listed():
    record = _record(date(2026, 4, 1), under_objection=True)
    answer = assess(record, YUXI, date(2026, 5, 1))
    assert _codes(answer) == ["under_objection", "before_available_from"]
