"""Whole objections through every path, on SQLite and PostgreSQL, for Kunming and Yuxi."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from objection_factories import World, make_world

from selfservice.calendar import WorkCalendar, get_calendar, set_calendar
from selfservice.cases import receipts
from selfservice.cases import service as cases
from selfservice.cases.flows import MoveIn
from selfservice.cases.models import Case, CaseTransition, IdempotencyKey, ReceiptCounter
from selfservice.cases.workflow import BadCaseTransition, ReasonRequired
from selfservice.enums import RecordStatus
from selfservice.errors import Forbidden
from selfservice.measures.models import RecordMeasure
from selfservice.notifications.models import OutboxMessage
from selfservice.objections import service
from selfservice.objections.workflow import WORKFLOW
from selfservice.policy import load_policy
from selfservice.records.models import CreditRecord, RecordEvent
from selfservice.records.service import RecordNotFound
from selfservice.records.status import labels

TODAY = date(2026, 11, 20)  # a Friday

# (status, action) -> target: the whole objection table, written out
EXPECTED_TABLE = {
    ("submitted", "accept"): "accepted",
    ("submitted", "refuse"): "refused",
    ("accepted", "forward"): "forwarded",
    ("forwarded", "opinion"): "opinion_received",
    ("opinion_received", "decide"): "decided",
    **{
        (s, a): (target or s)
        for s in ("submitted", "accepted", "forwarded", "opinion_received")
        for a, target in (
            ("withdraw", "withdrawn"),
            ("add_material", None),
            ("extend", None),
            ("assign", None),
            ("escalate", None),
        )
    },
}
ALL_ACTIONS = {a for _, a in EXPECTED_TABLE}
ALL_STATUSES = set(WORKFLOW.labels)


def test_objection_transition_table_is_exactly_this():
    assert {k: m.target for k, m in WORKFLOW.table.items()} == EXPECTED_TABLE
    assert WORKFLOW.final == {"decided", "refused", "withdrawn"}
    assert {m.action for m in WORKFLOW.moves if m.reason_required} == {
        "refuse",
        "opinion",
        "decide",
        "extend",
    }


@pytest.mark.parametrize("status", sorted(ALL_STATUSES))
@pytest.mark.parametrize("action", sorted(ALL_ACTIONS))
def test_every_pair_outside_the_table_is_refused(status, action):
    from selfservice.cases.actors import SYSTEM, Actor

    everyone = Actor(
        "staff", "1", roles=("handler", "supervisor", "credit_office", "subject", "provider")
    )
    actor = SYSTEM if action == "escalate" else everyone
    if (status, action) in EXPECTED_TABLE:
        assert (
            WORKFLOW.move(status, action, actor, "理由").target == EXPECTED_TABLE[(status, action)]
        )
    else:
        with pytest.raises(BadCaseTransition):
            WORKFLOW.move(status, action, actor, "理由")


def policy_of(jurisdiction: str):
    return load_policy(jurisdiction)


async def file(w: World, policy, *, today: date = TODAY, key: str | None = None, **kw) -> Case:
    filing = service.Filing(
        kw.pop("record_id", w.record.id),
        kw.pop("type", "content_wrong"),
        "处罚金额记载错误，应为五百元",
    )
    case, _ = await service.file(
        actor=w.subject_actor(), filing=filing, policy=policy, today=today, idempotency_key=key
    )
    return case


async def staff_move(w: World, case: Case, action: str, policy, *, who=None, today=TODAY, **kw):
    return await cases.act(
        actor=w.staff(who or w.handler),
        receipt=case.receipt,
        ask=MoveIn(action, **kw),
        policy=policy,
        today=today,
    )


async def subject_move(actor, case: Case, action: str, policy, **kw):
    return await cases.act(
        actor=actor, receipt=case.receipt, ask=MoveIn(action, **kw), policy=policy, today=TODAY
    )


async def measure_in_force(w: World) -> bool:
    return (await RecordMeasure.get(record_id=w.record.id)).in_force


@pytest.mark.parametrize(
    ("jurisdiction", "suspends"), [("kunming", True), ("yuxi", False)], ids=["kunming", "yuxi"]
)
async def test_filing_marks_record_and_applies_measure_policy(database, jurisdiction, suspends):
    w = await make_world(jurisdiction)
    policy = policy_of(jurisdiction)
    case = await file(w, policy)
    assert case.receipt == "YY20261120-0001" and case.status == "submitted"
    record = await CreditRecord.get(id=w.record.id)
    assert record.under_objection is True
    assert {"code": "under_objection", "label": "异议处理中"} in labels(record)
    assert record.flags["open_case"] == {
        "kind": "objection",
        "receipt": case.receipt,
        "next_deadline": "2026-12-11",
    }
    assert await measure_in_force(w) is (not suspends)
    events = await RecordEvent.filter(record_id=record.id).values_list("action", flat=True)
    assert events == ["objection_filed"]
    # the subject hears at once, through the outbox row written with the case
    assert await OutboxMessage.filter(subject_id=w.subject.id, receipt=case.receipt).count() == 1


async def test_filing_is_one_transaction(database, monkeypatch):
    w = await make_world()
    policy = policy_of("kunming")

    async def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cases, "remember", broken)
    with pytest.raises(RuntimeError):
        await file(w, policy, key="k")
    record = await CreditRecord.get(id=w.record.id)
    assert record.under_objection is False and "open_case" not in record.flags
    assert await measure_in_force(w) is True
    assert await Case.all().count() == 0 and await OutboxMessage.all().count() == 0
    assert await RecordEvent.all().count() == 0
    assert await ReceiptCounter.all().count() == 0  # the receipt number is not burnt either


async def test_duplicate_open_objection_refused_and_other_subjects_record_not_found(database):
    w = await make_world()
    policy = policy_of("kunming")
    await file(w, policy)
    with pytest.raises(service.DuplicateObjection) as err:
        await file(w, policy)
    assert err.value.status == 409 and "正在处理" in err.value.message_zh
    with pytest.raises(RecordNotFound):
        await service.file(
            actor=w.other_actor(),
            filing=service.Filing(w.record.id, "other", "不是我们公司的记录"),
            policy=policy,
            today=TODAY,
        )


async def test_retried_submission_with_same_key_creates_one_case(database):
    w = await make_world()
    policy = policy_of("kunming")
    first = await file(w, policy, key="retry-1")
    again = await file(w, policy, key="retry-1")
    assert again.id == first.id
    concurrent = await asyncio.gather(*(file(w, policy, key="retry-1") for _ in range(5)))
    assert {c.id for c in concurrent} == {first.id}
    assert await Case.all().count() == 1 and await IdempotencyKey.all().count() == 1
    with pytest.raises(cases.IdempotencyKeyReused):
        await service.file(
            actor=w.subject_actor(),
            filing=service.Filing(w.record.id, "other", "完全不同的一份申请内容"),
            policy=policy,
            today=TODAY,
            idempotency_key="retry-1",
        )


async def test_concurrent_first_submissions_with_same_key_create_one_case(database):
    w = await make_world()
    policy = policy_of("kunming")
    results = await asyncio.gather(*(file(w, policy, key="race") for _ in range(6)))
    assert len({c.id for c in results}) == 1
    assert await Case.all().count() == 1


async def test_refusal_needs_a_reason_and_unmarks_the_record(database):
    w = await make_world()
    policy = policy_of("kunming")
    case = await file(w, policy)
    for blank in ("", "   "):
        with pytest.raises(ReasonRequired):
            await staff_move(w, case, "refuse", policy, reason=blank)
    assert (await Case.get(id=case.id)).status == "submitted"
    case = await staff_move(
        w, case, "refuse", policy, reason="申请事项不属于本部门职责，请向税务部门提出"
    )
    assert case.status == "refused" and case.closed_on == TODAY
    record = await CreditRecord.get(id=w.record.id)
    assert record.under_objection is False and await measure_in_force(w) is True
    refusal = await CaseTransition.get(case_id=case.id, action="refuse")
    assert refusal.reason.startswith("申请事项不属于") and refusal.actor_role == "handler"
    titles = await OutboxMessage.filter(subject_id=w.subject.id).values_list("title", flat=True)
    assert "异议申请不予受理" in titles


async def _to_decision(w: World, policy) -> Case:
    case = await file(w, policy)
    case = await staff_move(w, case, "accept", policy)
    case = await staff_move(w, case, "forward", policy)
    case = await staff_move(w, case, "opinion", policy, reason="经核实，处罚金额记载有误")
    assert case.status == "opinion_received"
    return case


@pytest.mark.parametrize("jurisdiction", ["kunming", "yuxi"])
@pytest.mark.parametrize("outcome", ["corrected", "revoked", "upheld", "unresolved"])
async def test_each_decision_outcome(database, jurisdiction, outcome):
    w = await make_world(jurisdiction)
    policy = policy_of(jurisdiction)
    case = await _to_decision(w, policy)
    assert await measure_in_force(w) is (jurisdiction == "yuxi")
    with pytest.raises(ReasonRequired):
        await staff_move(w, case, "decide", policy, outcome=outcome)
    changes = {"content": "罚款五百元", "severity": "minor"} if outcome == "corrected" else None
    case = await staff_move(
        w, case, "decide", policy, outcome=outcome, reason="书面答复：见处理决定", changes=changes
    )
    assert case.status == "decided" and case.data["decision"]["outcome"] == outcome
    record = await CreditRecord.get(id=w.record.id)
    assert record.under_objection is False and "open_case" not in record.flags
    events = await RecordEvent.filter(record_id=record.id).values_list("action", flat=True)
    notified = await OutboxMessage.filter(department_id__isnull=False).values_list(
        "department_id", flat=True
    )
    if outcome == "corrected":
        assert record.status == RecordStatus.CORRECTED and record.content == "罚款五百元"
        assert record.severity == "minor"
        periods = policy.periods_for("bad", "minor", record.finding_date)
        assert (record.published_through, record.repairable_from) == (
            periods.published_through,
            periods.repairable_from,
        )
        assert events == ["objection_filed", "corrected", "objection_closed", "department_notified"]
        assert sorted(notified) == sorted([w.provider.id, w.acting_dept.id])
        # found 2026-03-02, now 轻微. Kunming: still published on 2026-04-01, so the 2026 maximum
        # of 3 months applies (令第36号 第二章, transition rule): last day 2026-06-02. Yuxi: art.
        # 10(四) makes it no bad information at all (empty period). Either way measures end.
        last = date(2026, 3, 1) if jurisdiction == "yuxi" else date(2026, 6, 2)
        assert record.published_through == last
        assert await measure_in_force(w) is False
    elif outcome == "revoked":
        assert record.status == RecordStatus.REVOKED
        assert events == ["objection_filed", "revoked", "objection_closed", "department_notified"]
        assert sorted(notified) == sorted([w.provider.id, w.acting_dept.id])
        assert await measure_in_force(w) is False  # ended with the record
    elif outcome == "upheld":
        assert record.status == RecordStatus.PUBLISHED and "annotation" not in record.flags
        assert events == ["objection_filed", "objection_closed"] and not notified
        assert await measure_in_force(w) is True
    else:
        assert record.status == RecordStatus.PUBLISHED
        assert record.flags["annotation"]["receipt"] == case.receipt
        assert events == ["objection_filed", "objection_closed"] and not notified
        assert await measure_in_force(w) is True
    titles = await OutboxMessage.filter(subject_id=w.subject.id).values_list("title", flat=True)
    assert "异议处理结果" in titles


async def test_outsiders_and_subjects_cannot_move_cases(database):
    w = await make_world()
    policy = policy_of("kunming")
    case = await file(w, policy)
    with pytest.raises(cases.CaseNotFound):
        await staff_move(w, case, "accept", policy, who=w.outsider)
    with pytest.raises(Forbidden):
        await staff_move(
            w, case, "extend", policy, days=5, reason="材料较多"
        )  # handler, not supervisor
    case = await staff_move(w, case, "accept", policy, who=w.credit)  # jurisdiction-wide role
    assert case.status == "accepted"


async def test_withdrawal_before_decision_only(database):
    w = await make_world()
    policy = policy_of("kunming")
    case = await file(w, policy)
    case = await staff_move(w, case, "accept", policy)
    with pytest.raises(cases.CaseNotFound):
        await subject_move(w.other_actor(), case, "withdraw", policy)
    case = await subject_move(w.subject_actor(), case, "withdraw", policy, reason="已与部门沟通")
    assert case.status == "withdrawn" and case.closed_on == TODAY
    record = await CreditRecord.get(id=w.record.id)
    assert record.under_objection is False and await measure_in_force(w) is True
    with pytest.raises(BadCaseTransition):
        await subject_move(w.subject_actor(), case, "withdraw", policy)
    # a new objection may be filed once the earlier one is closed
    again = await file(w, policy)
    assert again.receipt == "YY20261120-0002"


async def test_decided_case_cannot_be_withdrawn_or_added_to(database):
    w = await make_world()
    policy = policy_of("kunming")
    case = await _to_decision(w, policy)
    case = await staff_move(w, case, "decide", policy, outcome="upheld", reason="记录无误")
    with pytest.raises(BadCaseTransition):
        await subject_move(w.subject_actor(), case, "withdraw", policy)
    with pytest.raises(BadCaseTransition):
        await subject_move(w.subject_actor(), case, "add_material", policy, reason="补充")


@pytest.fixture
def calendar_2027():
    """An official holiday table for 2027 (New Year's Day on a Friday), restored afterwards."""
    before = get_calendar()
    set_calendar(WorkCalendar(extra_days={date(2027, 1, 1): False}, years={2027: False}))
    yield get_calendar()
    set_calendar(before)


async def test_deadlines_skip_the_national_day_holidays(database):
    w = await make_world()
    policy = policy_of("kunming")
    case = await file(w, policy, today=date(2026, 9, 24))
    assert case.due == date(2026, 10, 22) and case.due_estimated is False
    case = await staff_move(w, case, "accept", policy, today=date(2026, 9, 24))
    case = await staff_move(w, case, "forward", policy, today=date(2026, 9, 24))
    # 10 working days: 9/25 and 10/1-7 are holidays, Saturday 10/10 is a make-up working day
    assert case.step == "provider_opinion" and case.step_due == date(2026, 10, 15)


async def test_deadlines_across_the_2026_2027_boundary(database, calendar_2027):
    w = await make_world("yuxi", "YX")
    policy = policy_of("yuxi")
    case = await file(w, policy, today=date(2026, 12, 18))
    assert case.due == date(2027, 1, 11) and case.due_estimated is False
    # without next year's table: weekdays less the fixed statutory holidays, flagged estimated
    w.record = await CreditRecord.create(
        **{
            k: getattr(w.record, k)
            for k in (
                "subject_id",
                "nature",
                "severity",
                "catalogue_class",
                "title",
                "content",
                "provider_id",
                "finding_date",
                "publicity_start",
            )
        },
        document_number="YX-2",
    )
    set_calendar(WorkCalendar())
    # 元旦 (1 Jan) is excluded by the fallback too, so the same 15th working day is 11 Jan
    estimated = await file(w, policy, today=date(2026, 12, 18), record_id=w.record.id)
    assert estimated.due == date(2027, 1, 11) and estimated.due_estimated is True


async def test_loading_a_holiday_table_recounts_open_estimated_cases(database, tmp_path):
    from selfservice.calendar import service as holidays
    from selfservice.calendar.holiday_file import read_holiday_file
    from selfservice.cases import clock

    before = get_calendar()
    plain = WorkCalendar()
    set_calendar(plain)
    try:
        w = await make_world("yuxi", "YX")
        policy = policy_of("yuxi")
        # Fri 2027-01-29 + 15 working days (Yuxi art. 21) with no table: the fallback closes only
        # 除夕..初三 (02-05..08): 02-01..04 (4), 02-09..12 (8), 02-15..19 (13), 02-22, 23 (15)
        case = await file(w, policy, today=date(2027, 1, 29))
        assert (case.due, case.due_estimated) == (date(2027, 2, 23), True)
        rows = read_holiday_file(Path(holidays.__file__).parent / "data" / "holidays_2027.csv")
        await holidays.save_holidays(entries=rows, source="provisional", provisional=True)
        provisional = await holidays.load_calendar()
        # provisional table: Sun 01-31 调休 (1), 02-01..04 (5), 02-05..13 off, 02-15..19 (10),
        # Sat 02-20 调休 (11), 02-22..25 (15): the date moves, the flag stays
        assert await clock.recount_estimated(old=plain, new=provisional) == 1
        await case.refresh_from_db()
        assert (case.due, case.due_estimated) == (date(2027, 2, 25), True)
        await holidays.save_holidays(entries=rows, source="国办发明电", provisional=False)
        official = await holidays.load_calendar()
        assert await clock.recount_estimated(old=provisional, new=official) == 1
        await case.refresh_from_db()
        assert (case.due, case.due_estimated) == (date(2027, 2, 25), False)
        assert await clock.recount_estimated(old=official, new=official) == 0
    finally:
        set_calendar(before)


async def test_worker_daily_pass_reloads_the_table_and_warns(database, caplog):
    import logging

    from selfservice.calendar import service as holidays

    before = get_calendar()
    try:
        with caplog.at_level(logging.WARNING, logger="selfservice.calendar.service"):
            # 2027 has the shipped provisional table; 2028 has nothing: that is what is missing
            calendar = await holidays.refresh_calendar(today=date(2027, 12, 2))
        assert get_calendar() is calendar and "2028" in caplog.text
    finally:
        set_calendar(before)


async def test_reminder_then_escalation_fire_once_each(database):
    from selfservice.cases import sweeps
    from selfservice.cases.queue import QueueFilter, queue

    w = await make_world()
    policy = policy_of("kunming")
    case = await file(w, policy)
    case = await staff_move(w, case, "accept", policy)
    case = await staff_move(w, case, "forward", policy)
    case = await staff_move(w, case, "assign", policy)
    assert case.step_due == date(2026, 12, 4) and case.assignee_id == w.handler.id

    assert await sweeps.remind_due_soon(today=date(2026, 12, 1)) == 0  # 3 working days left
    assert await sweeps.remind_due_soon(today=date(2026, 12, 2)) == 1
    assert await sweeps.remind_due_soon(today=date(2026, 12, 3)) == 0  # once per step and date
    reminders = await OutboxMessage.filter(template="deadline_reminder")
    assert [m.staff_id for m in reminders] == [w.handler.id]
    mine = await queue(
        actor=w.staff(w.handler), filters=QueueFilter("due_soon"), today=date(2026, 12, 2)
    )
    assert [i["receipt"] for i in mine["items"]] == [case.receipt]

    assert await sweeps.escalate_overdue(today=date(2026, 12, 4), policy=policy) == 0
    assert await sweeps.escalate_overdue(today=date(2026, 12, 7), policy=policy) == 1
    assert await sweeps.escalate_overdue(today=date(2026, 12, 8), policy=policy) == 0
    escalations = await OutboxMessage.filter(template="deadline_escalation")
    assert [m.staff_id for m in escalations] == [w.supervisor.id]
    entry = await CaseTransition.get(case_id=case.id, action="escalate")
    assert entry.actor_kind == "system" and entry.data["late"] == 1
    overdue = await queue(
        actor=w.staff(w.supervisor), filters=QueueFilter("overdue"), today=date(2026, 12, 7)
    )
    assert overdue["total"] == 1
    assert (
        await queue(
            actor=w.staff(w.outsider), filters=QueueFilter("overdue"), today=date(2026, 12, 7)
        )
    )["total"] == 0

    # a supervisor extends with a reason; the clock moves and a new reminder can fire later
    with pytest.raises(ReasonRequired):
        await staff_move(w, case, "extend", policy, who=w.supervisor, days=5)
    case = await staff_move(
        w, case, "extend", policy, who=w.supervisor, days=5, reason="需调取外地执法档案"
    )
    assert case.step_due == date(2026, 12, 11) and case.due == date(2026, 12, 18)
    assert case.extended_days == 5


async def test_statistics_per_department(database):
    from selfservice.cases.queue import statistics

    w = await make_world()
    policy = policy_of("kunming")
    case = await _to_decision(w, policy)
    await staff_move(
        w, case, "decide", policy, outcome="upheld", reason="记录无误", today=date(2026, 12, 1)
    )
    rows = await statistics(
        actor=w.staff(w.supervisor), date_from=date(2026, 11, 1), date_to=date(2026, 12, 31)
    )
    assert rows == [
        {
            "department_id": w.provider.id,
            "department": w.provider.name,
            "received": 1,
            "decided": 1,
            "on_time_pct": 100.0,
            "median_days": 7,
        }
    ]


async def test_receipt_numbers_are_unique_under_concurrency(database):
    from tortoise.transactions import in_transaction

    async def one() -> str:
        async with in_transaction():
            return await receipts.next_receipt(prefix="YY", on=TODAY)

    numbers = await asyncio.gather(*(one() for _ in range(25)))
    assert sorted(numbers) == [f"YY20261120-{i:04d}" for i in range(1, 26)]
    assert await receipts.next_receipt(prefix="XF", on=TODAY) == "XF20261120-0001"
    assert receipts.is_receipt("JB20261120-0042") and not receipts.is_receipt("YY2026-1")
