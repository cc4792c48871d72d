"""Measures in force or suspended (Kunming suspends during an objection, Yuxi does not); sweeps."""

from __future__ import annotations

from datetime import date

from records_helpers import TODAY

from selfservice.enums import RecordStatus
from selfservice.measures import service as measures
from selfservice.measures.models import RecordMeasure
from selfservice.records.ingest import ingest
from selfservice.records.models import CreditRecord, ListEntry, RecordEvent
from selfservice.records.sweeps import sweep


async def _objected(world, make_row) -> CreditRecord:
    row = make_row(1, severity="severe", measures=["bid_restrict", "strict_supervision"])
    await ingest(rows=[row], provider=world.market, policy=world.kunming, today=TODAY)
    record = await CreditRecord.get()
    record.under_objection = True
    await record.save()
    return record


async def test_kunming_suspends_punishment_while_an_objection_is_pending(world, make_row):
    record = await _objected(world, make_row)
    views = (await measures.for_records(records=[record], policy=world.kunming, today=TODAY))[
        record.id
    ]
    assert [m["state"] for m in views] == ["suspended", "suspended"]
    assert all(not m["in_force"] for m in views)
    assert views[0]["rule"]["id"] == "objection.suspend_measures_while_pending"
    assert "任务19" in views[0]["reason"]
    assert views[0]["obligation_label"] == "必须执行" and views[1]["obligation_label"] == "推荐执行"


async def test_yuxi_keeps_measures_in_force_and_says_why(world, make_row):
    record = await _objected(world, make_row)
    views = (await measures.for_records(records=[record], policy=world.yuxi, today=TODAY))[
        record.id
    ]
    assert [m["state"] for m in views] == ["in_force", "in_force"]
    assert "第二十三条" in views[0]["reason"]


async def test_repaired_lifts_and_expired_ends_measures(world, make_row):
    record = await _objected(world, make_row)
    record.under_objection = False
    record.status = RecordStatus.REPAIRED
    await record.save()
    views = (await measures.for_records(records=[record], policy=world.yuxi, today=TODAY))[
        record.id
    ]
    assert {m["state"] for m in views} == {"lifted"}
    assert views[0]["rule"]["source"].startswith("《玉溪市")  # art. 19
    record.status = RecordStatus.EXPIRED
    await record.save()
    views = (await measures.for_records(records=[record], policy=world.yuxi, today=TODAY))[
        record.id
    ]
    assert {m["state"] for m in views} == {"ended"}


async def test_recompute_stores_the_state(world, make_row):
    await _objected(world, make_row)
    assert await measures.recompute(policy=world.kunming, today=TODAY) == 2
    assert await RecordMeasure.filter(in_force=False).count() == 2
    assert await measures.recompute(policy=world.kunming, today=TODAY) == 0
    assert await measures.recompute(policy=world.yuxi, today=TODAY) == 2


async def test_sweep_expires_across_dates_and_is_idempotent(world, make_row):
    rows = [
        make_row(1, finding_date="2026-04-15", severity="general", measures=["bid_restrict"]),
        make_row(2, finding_date="2026-04-15", severity="severe", measures=["bid_restrict"]),
    ]
    await ingest(rows=rows, provider=world.market, policy=world.kunming, today=TODAY)
    general, severe = await CreditRecord.all().order_by("id")
    # 一般 found 2026-04-15: the 1-year maximum's last day is 2027-04-15 (民法典 art. 202), so
    # it is still published and used that day and stops on 2027-04-16 (令第36号 第二章)
    assert await sweep(policy=world.kunming, today=date(2027, 4, 15)) == {
        "expired": 0,
        "memberships_ended": 0,
        "measures_changed": 0,
    }
    first = await sweep(policy=world.kunming, today=date(2027, 4, 16))
    assert first == {"expired": 1, "memberships_ended": 0, "measures_changed": 1}
    await general.refresh_from_db()
    assert general.status is RecordStatus.EXPIRED
    event = await RecordEvent.filter(record=general, action="expired").get()
    assert "2027-04-15" in event.reason and event.actor.startswith("系统")
    assert await sweep(policy=world.kunming, today=date(2027, 4, 16)) == {
        "expired": 0,
        "memberships_ended": 0,
        "measures_changed": 0,
    }
    entry = await ListEntry.get(record=severe)
    assert entry.exited_on is None
    late = await sweep(policy=world.kunming, today=date(2029, 5, 1))
    assert late["expired"] == 1
    await entry.refresh_from_db()
    assert entry.exited_on == date(2029, 4, 16)  # listed through 2029-04-15, off the next day
    assert await RecordMeasure.filter(in_force=True).count() == 0


async def test_sweep_ends_a_list_membership_at_its_exit_date(world, make_row):
    row = make_row(1, nature="good", severity=None, measures=[], list_kind="red")
    row |= {"class": "commendation", "validity_end": "2026-06-30"}
    await ingest(rows=[row], provider=world.market, policy=world.kunming, today=TODAY)
    # a red-list entry valid through 2026-06-30 is still on the list that day
    assert (await sweep(policy=world.kunming, today=date(2026, 6, 30)))["memberships_ended"] == 0
    result = await sweep(policy=world.kunming, today=date(2026, 7, 1))
    assert result["memberships_ended"] == 1 and result["expired"] == 1
    assert (await ListEntry.get()).exited_on == date(2026, 7, 1)
