"""The demo set has a record in every repair eligibility state (and loading twice changes nothing)."""

from __future__ import annotations

from datetime import date

from selfservice.demo.loader import load_demo
from selfservice.policy import load_policy
from selfservice.records.models import CreditRecord
from selfservice.repairs.eligibility import assess

TODAY = date(2026, 12, 2)
EXPECTED = {
    "now": [],
    "not_yet": ["before_available_from"],
    "barred": ["barred"],
    "objection": ["under_objection"],
    "repaired": ["already_repaired"],
}


async def test_demo_records_meet_each_answer(database):
    first = await load_demo(today=TODAY)
    again = await load_demo(today=TODAY)
    assert first.records == again.records
    policy = load_policy("yuxi")
    demo = [r for r in await CreditRecord.all() if r.flags.get("demo")]
    answers = {r.flags["demo"]: [x.code for x in assess(r, policy, TODAY).reasons] for r in demo}
    assert answers == EXPECTED
    assert len(demo) == len(EXPECTED)
