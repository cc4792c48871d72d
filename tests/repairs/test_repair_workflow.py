"""The repair table, deadlines into 2027, the overdue sweep and the agent scope, in the domain."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest
from repair_support import make_record, make_repair_world

from selfservice.auth.tokens import Principal
from selfservice.cases import service as cases
from selfservice.cases import sweeps
from selfservice.cases.actors import Actor, actor_of
from selfservice.cases.flows import MoveIn
from selfservice.cases.models import Case, CaseTransition
from selfservice.cases.workflow import BadCaseTransition
from selfservice.errors import Forbidden
from selfservice.evidence.models import Evidence
from selfservice.repairs import service
from selfservice.repairs.national import ManualIntake
from selfservice.repairs.workflow import OPEN, WORKFLOW


def test_every_open_status_escalates_and_decisions_are_final():
    for status in OPEN:
        assert WORKFLOW.table[(status, "escalate")].who == {"system"}
    assert WORKFLOW.final == {"repaired", "rejected", "withdrawn"}
    assert {m.action for m in WORKFLOW.moves if m.reason_required} == {"reject"}
    subject = Actor("subject", "1", subject_id=1)
    with pytest.raises(BadCaseTransition):
        WORKFLOW.move("approved", "withdraw", subject)  # decided: no withdrawal any more


async def _evidence(owner: str) -> str:
    row = await Evidence.create(
        owner=owner,
        name="p.jpg",
        kind="jpeg",
        media_type="image/jpeg",
        size=3,
        sha256="a" * 64,
        storage_key=f"k{uuid.uuid4().hex}",
    )
    return str(row.id)


async def _file(rw, record, today, actor=None):
    actor = actor or rw.w.subject_actor()
    case, created = await service.file(
        actor=actor,
        application=service.Application(
            record.id, "已履行全部义务", (await _evidence(actor.owner),), True
        ),
        policy=rw.policy,
        today=today,
        intake=ManualIntake(),
    )
    assert created
    return case


async def test_deadlines_into_2027_are_estimated_and_the_sweep_escalates(database):
    rw = await make_repair_world("yuxi")
    record = await make_record(rw, found=date(2025, 6, 10))
    case = await _file(rw, record, date(2026, 12, 24))
    # filed after 2026-04-01: the national route (令第36号); by hand, the result is due 10 working
    # days after Thursday 2026-12-24 (Dec 25, Dec 28–31; 元旦 2027-01-01 off; Jan 4–8), in 2027,
    # whose holidays the calendar only estimates
    assert case.status == "forwarding" and case.data["route"] == "national_forward"
    assert case.due == date(2027, 1, 8) and case.due_estimated
    counts = await sweeps.sweep(today=date(2027, 2, 1), policy=rw.policy)
    assert counts["escalated"] == 1
    escalation = await CaseTransition.get(case_id=case.id, action="escalate")
    assert escalation.actor_kind == "system"


async def test_a_city_department_approves_directly_in_kunming(database):
    rw = await make_repair_world("kunming")
    record = await make_record(rw, found=date(2025, 6, 10))
    case = await _file(rw, record, date(2026, 3, 27))  # the local path ends 2026-03-31
    handler = rw.w.staff(rw.w.handler)
    case = await cases.act(
        actor=handler,
        ask=MoveIn("approve"),
        policy=rw.policy,
        today=date(2026, 3, 30),
        case_id=case.id,
    )
    # platform commitment (Kunming task 18 sets no days): 5 working days after Monday 2026-03-30
    # (Mar 31–Apr 3; 清明 Apr 4–6 off; Apr 7)
    assert case.status == "approved" and case.step_due == date(2026, 4, 7)


async def test_a_local_case_filed_before_the_switch_keeps_its_clocks_after_it(database):
    rw = await make_repair_world("kunming")
    record = await make_record(rw, found=date(2025, 6, 10))
    case = await _file(rw, record, date(2026, 3, 31))  # last day of the local path
    case = await cases.act(
        actor=rw.w.staff(rw.w.handler),
        ask=MoveIn("approve"),
        policy=rw.policy,
        today=date(2026, 4, 8),
        case_id=case.id,
    )
    # the procedure runs under the rule in force when it was filed: 5 working days after
    # Wednesday 2026-04-08 (Apr 9, 10, 13, 14, 15), although that rule ended on 2026-03-31
    assert case.status == "approved" and case.step_due == date(2026, 4, 15)


async def test_an_agent_without_the_repair_scope_cannot_move_a_repair(database):
    rw = await make_repair_world("yuxi")
    record = await make_record(rw, found=date(2025, 6, 10))
    case = await _file(rw, record, date(2026, 3, 20))
    reader = actor_of(Principal(kind="subject", subject_id=rw.w.subject.id, scopes=("progress",)))
    with pytest.raises(Forbidden):
        await cases.act(
            actor=reader,
            ask=MoveIn("withdraw"),
            policy=rw.policy,
            today=date(2026, 3, 20),
            case_id=case.id,
        )
    agent = actor_of(Principal(kind="subject", subject_id=rw.w.subject.id, scopes=("repair",)))
    done = await service.withdraw(
        actor=agent, receipt=case.receipt, reason="", policy=rw.policy, today=date(2026, 3, 20)
    )
    assert done.status == "withdrawn"


async def test_concurrent_retries_and_rivals_leave_one_open_repair(database):
    rw = await make_repair_world("yuxi")
    record = await make_record(rw, found=date(2025, 6, 10))
    actor = rw.w.subject_actor()
    evidence = await _evidence(actor.owner)

    async def one(key: str | None):
        return await service.file(
            actor=actor,
            application=service.Application(record.id, "已履行全部义务", (evidence,), True),
            policy=rw.policy,
            today=date(2026, 3, 20),
            intake=ManualIntake(),
            idempotency_key=key,
        )

    same = await asyncio.gather(*(one("race") for _ in range(4)))
    assert len({case.id for case, _ in same}) == 1
    assert sorted(created for _, created in same) == [False, False, False, True]
    assert same[0][0].status == "checking"
    with pytest.raises(service.DuplicateRepair):
        await one("another-form")
    assert await Case.filter(kind="repair").count() == 1
