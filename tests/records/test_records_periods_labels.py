"""Periods under Yuxi (3 years) and the national 2026 regime; every status, label and transition."""

from __future__ import annotations

from datetime import date

import pytest
from records_helpers import TODAY

from selfservice.enums import Nature, RecordStatus
from selfservice.records import status as record_status
from selfservice.records.ingest import ingest
from selfservice.records.models import CreditRecord
from selfservice.records.views import actions_for


async def _one(world, make_row, policy, **over) -> CreditRecord:
    report = await ingest(
        rows=[make_row(1, **over)], provider=world.market, policy=policy, today=TODAY
    )
    assert report["counts"] == {"created": 1}, report
    return await CreditRecord.get(id=report["rows"][0]["record_id"])


async def test_yuxi_record_found_2025_under_order_58_and_the_transition(world, make_row):
    # Yuxi art. 12(三): 令第58号 governs a 2025 finding (3 months to 3 years); still published on
    # 2026-04-01, so the 2026 one-year maximum for 一般 applies: last day 2026-06-10
    # (民法典 art. 202), repair from the day after the 3-month minimum's last day (2025-09-10)
    record = await _one(world, make_row, world.yuxi, finding_date="2025-06-10")
    assert record.published_through == date(2026, 6, 10)
    assert record.repairable_from == date(2025, 9, 11)
    assert record.flags["published"] is True
    period = record.flags["period"]
    assert period["jurisdiction"] == "yuxi" and period["level"] == "city"
    assert "第十二条" in period["source"] and "record.period.transition" in period["transition"]


async def test_yuxi_minor_conduct_is_not_bad_information(world, make_row):
    # Yuxi art. 10(四): a penalty for 轻微 conduct is not bad information: never published,
    # its (empty) period is over before it starts, so it drives no measure
    record = await _one(
        world, make_row, world.yuxi, finding_date="2025-06-10", severity="minor", measures=[]
    )
    assert record.flags["published"] is False
    assert record.published_through == date(2025, 6, 9)
    assert record_status.past_period(record, date(2025, 6, 10))


@pytest.mark.parametrize(
    ("severity", "published", "eligible", "unpublish"),
    [
        # 令第36号 第二章 from the finding date 2026-04-15; 民法典 art. 201–202
        ("minor", False, date(2026, 4, 15), date(2026, 7, 15)),  # repair at once; ≤ 3 months
        ("general", True, date(2026, 7, 16), date(2027, 4, 15)),  # 3-month minimum ends 07-15
        ("severe", True, date(2027, 4, 16), date(2029, 4, 15)),  # 1-year minimum ends 2027-04-15
    ],
)
async def test_national_2026_windows(world, make_row, severity, published, eligible, unpublish):
    for policy in (world.kunming, world.yuxi):  # Yuxi's own rule ended on 2026-03-31
        await CreditRecord.all().delete()
        record = await _one(
            world, make_row, policy, finding_date="2026-04-15", severity=severity, measures=[]
        )
        assert record.flags["published"] is published
        assert record.repairable_from == eligible
        assert record.published_through == unpublish
        assert record.flags["period"]["level"] == "national"
        assert "信用修复管理办法" in record.flags["period"]["source"]


async def test_good_information_lasts_for_its_validity(world, make_row):
    record = await _one(
        world,
        make_row,
        world.kunming,
        nature="good",
        severity=None,
        measures=["green_channel"],
        validity_end="2027-12-31",
        **{"class": "tax_credit_a"},
    )
    assert record.published_through == date(2027, 12, 31) and record.repairable_from is None
    assert actions_for(record, TODAY)["repair"] == {
        "available": False,
        "reason": "良好信息无需修复",
    }


def _record(status: RecordStatus, *, objection: bool = False, published: bool = True):
    return CreditRecord(
        id=1,
        nature=Nature.BAD,
        status=status,
        under_objection=objection,
        flags={"published": published},
        repairable_from=date(2026, 1, 1),
    )


@pytest.mark.parametrize(
    ("status", "objection", "published", "labels"),
    [
        (RecordStatus.PUBLISHED, False, True, ["公示中"]),
        (RecordStatus.PUBLISHED, True, True, ["公示中", "异议处理中"]),
        (RecordStatus.PUBLISHED, False, False, ["不予公示"]),
        (RecordStatus.CORRECTED, False, True, ["公示中", "已更正"]),
        (RecordStatus.CORRECTED, True, True, ["公示中", "已更正", "异议处理中"]),
        (RecordStatus.REPAIRED, False, True, ["已修复"]),
        (RecordStatus.EXPIRED, False, True, ["已过期"]),
        (RecordStatus.REVOKED, False, True, ["已撤销"]),
    ],
)
def test_every_status_has_its_labels(status, objection, published, labels):
    record = _record(status, objection=objection, published=published)
    assert [x["label"] for x in record_status.labels(record)] == labels


@pytest.mark.parametrize(
    ("status", "objection", "objection_open", "repair_open"),
    [
        (RecordStatus.PUBLISHED, False, True, True),
        (RecordStatus.PUBLISHED, True, False, False),
        (RecordStatus.CORRECTED, False, True, True),
        (RecordStatus.REPAIRED, False, True, False),
        (RecordStatus.EXPIRED, False, True, False),
        (RecordStatus.REVOKED, False, False, False),
    ],
)
def test_open_actions_follow_the_status(status, objection, objection_open, repair_open):
    actions = actions_for(_record(status, objection=objection), TODAY)
    assert actions["objection"]["available"] is objection_open
    assert actions["repair"]["available"] is repair_open
    for action in actions.values():
        assert action["reason"]
    if objection:
        assert "办结前不能再次申请" in actions["repair"]["reason"]


def test_repair_closed_until_minimum_period_names_the_date():
    record = _record(RecordStatus.PUBLISHED)
    record.repairable_from = date(2026, 9, 1)
    repair = actions_for(record, TODAY)["repair"]
    assert repair["available"] is False and repair["available_from"] == "2026-09-01"
    assert "2026-09-01" in repair["reason"]


@pytest.mark.parametrize("current", list(RecordStatus))
@pytest.mark.parametrize("target", list(RecordStatus))
async def test_transition_table(database, world, make_row, current, target):
    record = await _one(world, make_row, world.kunming)
    record.status = current
    await record.save()
    allowed = record_status.TABLE.can(current, target)
    if allowed:
        event = await record_status.move(record, target, actor="测试", reason="表")
        assert event.data == {"from": current.value, "to": target.value}
    else:
        with pytest.raises(record_status.BadTransition):
            await record_status.move(record, target, actor="测试", reason="表")
    assert (await CreditRecord.get(id=record.id)).status is (target if allowed else current)
