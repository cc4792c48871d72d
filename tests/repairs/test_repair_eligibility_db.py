"""Eligibility from stored records on both databases, and its interplay with a real objection."""

from __future__ import annotations

from datetime import date

import pytest
from repair_support import make_record, make_repair_world

from selfservice.cases import service as cases
from selfservice.cases.flows import MoveIn
from selfservice.objections import service as objections
from selfservice.records.service import RecordNotFound
from selfservice.repairs import service


async def test_stored_record_on_the_eve_and_the_day_and_never_for_another(database):
    rw = await make_repair_world("yuxi")
    record = await make_record(rw, found=date(2026, 4, 1))
    ask = {"subject_id": rw.w.subject.id, "record_id": record.id, "policy": rw.policy}
    eve = await service.check(**ask, today=date(2026, 7, 1))
    day = await service.check(**ask, today=date(2026, 7, 2))
    assert (eve["eligible"], day["eligible"]) == (False, True)
    assert eve["available_from"] == day["available_from"] == "2026-07-02"
    assert day["route"] == "national_forward"
    with pytest.raises(RecordNotFound):
        await service.check(**(ask | {"subject_id": rw.w.other_subject.id}), today=date(2026, 7, 2))


async def test_an_objection_closes_repair_until_it_is_decided(database):
    rw = await make_repair_world("yuxi")
    record = await make_record(rw, found=date(2025, 6, 10))
    today = date(2026, 11, 20)
    case, _ = await objections.file(
        actor=rw.w.subject_actor(),
        filing=objections.Filing(record.id, "content_wrong", "处罚金额记载有误"),
        policy=rw.policy,
        today=today,
    )
    ask = {"subject_id": rw.w.subject.id, "record_id": record.id, "policy": rw.policy}
    answer = await service.check(**ask, today=today)
    assert [r["code"] for r in answer["reasons"]] == ["under_objection"]
    assert case.receipt in answer["reasons"][0]["message"]
    await cases.act(
        actor=rw.w.subject_actor(),
        ask=MoveIn("withdraw"),
        policy=rw.policy,
        today=today,
        case_id=case.id,
    )
    assert (await service.check(**ask, today=today))["eligible"] is True
