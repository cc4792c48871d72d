"""Pledges in the domain: every type signed, 容缺 fulfilment, the breach sweep and its record."""

from __future__ import annotations

from datetime import date

import pytest
from pledge_factories import NEEDS_DEPARTMENT, SIGNED, VALUES, make_world

from selfservice.cases import service as cases
from selfservice.cases import sweeps
from selfservice.cases.actors import actor_of
from selfservice.cases.flows import MoveIn
from selfservice.cases.models import Case, CaseTransition
from selfservice.cases.service import CaseNotFound
from selfservice.cases.workflow import BadCaseTransition
from selfservice.enums import Nature, RecordStatus
from selfservice.errors import Forbidden, ValidationFailed
from selfservice.notifications.models import OutboxMessage
from selfservice.pledges import service
from selfservice.pledges.models import Pledge, ProcedureBar
from selfservice.pledges.types import catalogue
from selfservice.pledges.views import for_summary
from selfservice.policy import load_policy
from selfservice.records import status as record_status
from selfservice.records.models import CreditRecord, RecordEvent

POLICY = load_policy("kunming")


async def sign(
    w, kind, *, actor=None, publish=False, key=None, today=SIGNED, values=None, agent=None
):
    department = w.market.id if kind in NEEDS_DEPARTMENT else None
    return await service.sign(
        actor=actor or w.actor(),
        authorisation_id=agent,
        signing=service.Signing(kind, values or VALUES[kind], department, publish),
        policy=POLICY,
        today=today,
        idempotency_key=key,
    )


async def staff_move(w, case, action, reason="", user=None, fields=None, today=SIGNED):
    return await cases.act(
        actor=actor_of(w.staff(user or w.handler)),
        receipt=case.receipt,
        ask=MoveIn(action, reason=reason, fields=fields or {}),
        policy=POLICY,
        today=today,
    )


@pytest.mark.parametrize("kind", list(VALUES))
async def test_every_type_signs_with_frozen_text_hash_and_signer(database, kind):
    w = await make_world()
    case, created = await sign(w, kind, publish=True)
    assert created and case.receipt.startswith("CN20260929-") and case.status == "active"
    pledge = await Pledge.get(case_id=case.id)
    t = catalogue()[kind]
    assert pledge.text.startswith(w.enterprise.name)
    assert t.consent in pledge.text and t.liability in pledge.text
    assert pledge.text_sha256 == service.digest(pledge.text) and len(pledge.text_sha256) == 64
    assert pledge.signer["role"] == "legal_representative" and pledge.signer["name"] == "李明"
    assert pledge.public and pledge.public_text
    expected = w.market.id if kind in NEEDS_DEPARTMENT else w.credit_office.id
    assert case.department_id == expected
    # staff of the accepting department confirm it was kept; the case closes as decided
    kept = await staff_move(
        w, case, "fulfil", user=w.handler if kind in NEEDS_DEPARTMENT else w.credit
    )
    assert kept.status == "fulfilled" and kept.closed_on == SIGNED


async def test_a_private_pledge_carries_the_private_clause_and_stays_off_the_wall(database):
    w = await make_world()
    case, _ = await sign(w, "notify", publish=False)
    pledge = await Pledge.get(case_id=case.id)
    t = catalogue()["notify"]
    assert t.private in pledge.text and t.consent not in pledge.text
    assert not pledge.public and pledge.public_text == ""


async def test_industry_and_public_pledges_are_always_published(database):
    w = await make_world()
    for kind in ("industry", "public"):
        case, _ = await sign(w, kind, publish=False)
        assert (await Pledge.get(case_id=case.id)).public


async def test_type_fields_are_validated(database):
    w = await make_world()
    with pytest.raises(ValidationFailed):  # the accepting department is required
        await service.sign(
            actor=w.actor(),
            signing=service.Signing("notify", VALUES["notify"], None),
            policy=POLICY,
            today=SIGNED,
        )
    with pytest.raises(ValidationFailed):  # another jurisdiction's department
        await service.sign(
            actor=w.actor(),
            signing=service.Signing("notify", VALUES["notify"], w.elsewhere.id),
            policy=POLICY,
            today=SIGNED,
        )
    for bad in (
        {**VALUES["missing_materials"], "due_days": 21},  # over the policy maximum (20)
        {**VALUES["missing_materials"], "due_days": 0},
        {**VALUES["missing_materials"], "missing_materials": []},
        {**VALUES["missing_materials"], "surprise": "x"},
    ):
        with pytest.raises(ValidationFailed):
            await sign(w, "missing_materials", values=bad)
    with pytest.raises(ValidationFailed) as caught:
        await sign(w, "public", values={"content": "联系人手机 13912345678"})
    assert caught.value.code == "personal_data_in_public_pledge"
    for content in ("法定代表人李明承诺", "身份证 530102196001010016"):
        with pytest.raises(ValidationFailed):
            await sign(w, "public", values={"content": content})
    with pytest.raises(ValidationFailed):
        await sign(w, "public", actor=w.actor(w.citizen), values={"content": "本人张三丰承诺守信"})
    # a private pledge may name the representative: only the signer and staff see it
    await sign(w, "notify", values={**VALUES["notify"], "conditions": "法定代表人李明保证属实"})
    assert await Case.filter(kind="pledge").count() == 1


async def test_agents_need_the_pledge_scope_and_are_recorded_as_signer(database):
    w = await make_world()
    with pytest.raises(Forbidden):
        await sign(w, "public", actor=actor_of(w.agent(scopes=("records:read", "progress"))))
    case, _ = await sign(w, "public", actor=actor_of(w.agent()), agent=w.authorisation.id)
    pledge = await Pledge.get(case_id=case.id)
    assert pledge.signer["role"] == "agent" and pledge.signer["name"] == "赵经办"
    # the agent's later moves need the scope too (generic case machinery, scope "pledge")
    with pytest.raises(Forbidden):
        await cases.act(
            actor=actor_of(w.agent(scopes=("progress",))),
            receipt=case.receipt,
            ask=MoveIn("withdraw"),
            policy=POLICY,
            today=SIGNED,
        )


async def test_a_citizen_signs_as_themselves_and_the_wall_text_masks_the_name(database):
    w = await make_world()
    case, _ = await sign(w, "public", actor=w.actor(w.citizen))
    pledge = await Pledge.get(case_id=case.id)
    assert pledge.signer["role"] == "citizen" and pledge.text.startswith("张三丰")
    assert pledge.public_text.startswith("张**") and "张三丰" not in pledge.public_text


async def test_idempotent_retries_return_the_same_pledge(database):
    w = await make_world()
    first, created = await sign(w, "public", key="k-1")
    again, replayed = await sign(w, "public", key="k-1")
    assert created and not replayed and again.id == first.id
    with pytest.raises(Exception) as reused:
        await sign(w, "other", key="k-1")
    assert getattr(reused.value, "code", "") == "idempotency_key_reused"
    assert await Pledge.all().count() == 1


async def test_missing_materials_due_date_counts_working_days_across_the_holiday(database):
    w = await make_world()
    case, _ = await sign(w, "missing_materials")
    pledge = await Pledge.get(case_id=case.id)
    # received Tue 09-29: day 1 is 09-30, then 10-01…10-07 are holidays, day 2 is Thu 10-08
    assert pledge.due_on == date(2026, 10, 8)
    assert "2026-10-08" in pledge.text and "从业人员健康证明、消毒设施照片" in pledge.text
    # signed on a Saturday it counts as received the next working day (Mon 10-12 → 10-14)
    later, _ = await sign(w, "missing_materials", today=date(2026, 10, 11), key="sat")
    assert (await Pledge.get(case_id=later.id)).due_on == date(2026, 10, 14)


async def test_missing_materials_uploaded_and_fulfilment_confirmed(database):
    w = await make_world()
    case, _ = await sign(w, "missing_materials")
    await cases.act(
        actor=w.actor(),
        receipt=case.receipt,
        ask=MoveIn("add_material", reason="补交健康证明和照片"),
        policy=POLICY,
        today=date(2026, 9, 30),
    )
    assert (await Case.get(id=case.id)).data["materials_on"] == "2026-09-30"
    assert await OutboxMessage.filter(
        template="pledge_material", department_id=w.market.id
    ).exists()
    # materials in time: the sweep leaves it for the department even after the due date
    counts = await sweeps.sweep(today=date(2026, 10, 9), policy=POLICY)
    assert counts["pledges_breach_suspected"] == 0
    with pytest.raises(CaseNotFound):  # another department's staff cannot see it
        await staff_move(w, case, "fulfil", user=w.outsider)
    done = await staff_move(w, case, "fulfil", today=date(2026, 10, 9))
    assert done.status == "fulfilled" and done.data["kept_on"] == "2026-10-09"


async def test_breach_sweep_is_idempotent_and_counts_the_holiday(database):
    w = await make_world()
    case, _ = await sign(w, "missing_materials")
    for day in (date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 7), date(2026, 10, 8)):
        counts = await sweeps.sweep(today=day, policy=POLICY)
        assert counts["pledges_breach_suspected"] == 0, day  # weekdays alone would say 10-01
    assert (await sweeps.sweep(today=date(2026, 10, 9), policy=POLICY))[
        "pledges_breach_suspected"
    ] == 1
    assert (await sweeps.sweep(today=date(2026, 10, 9), policy=POLICY))[
        "pledges_breach_suspected"
    ] == 0
    assert (await sweeps.sweep(today=date(2026, 10, 12), policy=POLICY))[
        "pledges_breach_suspected"
    ] == 0
    fresh = await Case.get(id=case.id)
    assert fresh.status == "breach_suspected" and fresh.closed_on is None
    moves = await CaseTransition.filter(case_id=case.id, action="suspect_breach").count()
    assert moves == 1
    queued = await OutboxMessage.filter(template="pledge_breach_suspected")
    assert [m.department_id for m in queued] == [w.market.id]
    assert await OutboxMessage.filter(
        template="pledge_suspect_breach", subject_id=w.enterprise.id
    ).exists()


async def test_confirmed_breach_creates_a_record_and_bars_simplified_procedures(database):
    w = await make_world()
    case, _ = await sign(w, "missing_materials")
    await sweeps.sweep(today=date(2026, 10, 9), policy=POLICY)
    on = date(2026, 10, 12)
    with pytest.raises(ValidationFailed):
        await staff_move(w, case, "breach", reason="", today=on)
    await staff_move(w, case, "breach", reason="逾期未补齐健康证明", today=on)
    pledge = await Pledge.get(case_id=case.id)
    record = await CreditRecord.get(id=pledge.breach_record_id)
    assert record.subject_id == w.enterprise.id and record.nature == Nature.BAD
    assert record.catalogue_class == "pledge_breach" and record.provider_id == w.market.id
    assert record.flags["pledge"]["receipt"] == case.receipt
    assert record.document_number == f"违诺认定〔{case.receipt}〕"
    assert await RecordEvent.filter(record_id=record.id, action="created").exists()
    bar = await ProcedureBar.get(pledge_id=pledge.id)
    assert bar.rule_id == "pledge.simplified_procedure_bar" and "国办发〔2020〕42号" in bar.source
    assert bar.ends_on == record.published_through and bar.ends_on is not None
    summary = await for_summary(subject_id=w.enterprise.id, today=on)
    flag = summary["no_simplified_procedure"]
    assert flag["active"] and flag["ends_on"] == record.published_through.isoformat()
    assert summary["by_status"]["breached"] == 1
    # the bar refuses 告知承诺, 容缺 and 证明事项 pledges, not a public one
    for kind in ("notify", "missing_materials", "certificate"):
        with pytest.raises(Exception) as barred:
            await sign(w, kind, today=on, key=f"after-{kind}")
        assert getattr(barred.value, "code", "") == "simplified_procedure_barred"
    await sign(w, "public", today=on)
    # repaired credit ends the bar
    await record_status.move(record, RecordStatus.REPAIRED, actor="信用办", reason="修复")
    summary = await for_summary(subject_id=w.enterprise.id, today=on)
    assert summary["no_simplified_procedure"] is None
    assert summary["bars"][0]["ended_by"] == "repaired"
    await sign(w, "notify", today=on, key="after-repair")


async def test_breach_severity_is_checked_and_a_citizen_breach_uses_the_id_number(database):
    w = await make_world()
    case, _ = await sign(w, "notify", actor=w.actor(w.citizen))
    with pytest.raises(ValidationFailed):
        await staff_move(w, case, "breach", reason="承诺不实", fields={"severity": "severe"})
    await staff_move(w, case, "breach", reason="承诺不实", fields={"severity": "minor"})
    record = await CreditRecord.get(subject_id=w.citizen.id)
    assert record.severity == "minor"


async def test_withdrawal_and_the_table(database):
    w = await make_world()
    case, _ = await sign(w, "public")
    done = await cases.act(
        actor=w.actor(), receipt=case.receipt, ask=MoveIn("withdraw"), policy=POLICY, today=SIGNED
    )
    assert done.status == "withdrawn"
    with pytest.raises(BadCaseTransition):
        await cases.act(
            actor=w.actor(),
            receipt=case.receipt,
            ask=MoveIn("withdraw"),
            policy=POLICY,
            today=SIGNED,
        )
    with pytest.raises(BadCaseTransition):
        await staff_move(w, case, "fulfil", user=w.credit)


async def test_pledges_expire_at_the_end_of_their_validity(database):
    w = await make_world()
    case, _ = await sign(w, "public")
    pledge = await Pledge.get(case_id=case.id)
    assert pledge.valid_until == date(2027, 9, 29)
    assert (await sweeps.sweep(today=date(2027, 9, 29), policy=POLICY))["pledges_expired"] == 0
    assert (await sweeps.sweep(today=date(2027, 9, 30), policy=POLICY))["pledges_expired"] == 1
    assert (await Case.get(id=case.id)).status == "expired"
