"""One flow per objection action with an effect beyond the table (the rest are shared flows)."""

from __future__ import annotations

from selfservice.cases.flows import Effect, MoveContext, extend_flow, iso
from selfservice.errors import ValidationFailed
from selfservice.objections import effects
from selfservice.objections.enums import OUTCOME_ZH, Outcome
from selfservice.records.models import CreditRecord
from selfservice.records.service import locked_record
from selfservice.staff.models import Department

NOTICES = {
    "file": "异议申请已提交",
    "accept": "异议申请已受理",
    "refuse": "异议申请不予受理",
    "forward": "异议已转信息提供单位核实",
    "decide": "异议处理结果",
    "withdraw": "异议申请已撤回",
    "extend": "异议办理期限延长",
}


async def _acting_as(ctx: MoveContext) -> str:
    dept = await Department.get_or_none(id=ctx.actor.department_id or 0)
    return dept.name if dept else "信息提供单位"


async def refuse_flow(*, ctx: MoveContext) -> Effect:
    record = await locked_record(ctx.case.record_id)
    await effects.close_without_decision(
        record=record,
        case=ctx.case,
        why=f"不予受理：{ctx.ask.reason}",
        actor=await _acting_as(ctx),
        policy=ctx.policy,
        today=ctx.today,
    )
    return Effect(notice=effects.refusal_text(ctx.ask.reason, policy=ctx.policy, today=ctx.today))


async def decide_flow(*, ctx: MoveContext) -> Effect:
    ask = ctx.ask
    if ask.outcome not in {o.value for o in Outcome}:
        raise ValidationFailed(
            "请选择处理结果",
            "Choose an outcome",
            details=[{"field": "outcome", "problem": f"one of {[o.value for o in Outcome]}"}],
        )
    outcome = Outcome(ask.outcome)
    if outcome is Outcome.CORRECTED and not ask.changes:
        raise ValidationFailed(
            "更正须写明更正内容", "A correction must list the changes", code="bad_correction"
        )
    record = await locked_record(ctx.case.record_id)
    effect = await effects.decide(
        record=record,
        case=ctx.case,
        outcome=outcome,
        reply=ask.reason,
        changes=ask.changes,
        actor=await _acting_as(ctx),
        policy=ctx.policy,
        today=ctx.today,
    )
    ctx.case.data = {
        **ctx.case.data,
        "decision": {**effect, "reply": ask.reason, "on": ctx.today.isoformat()},
    }
    return Effect(
        data={"outcome": outcome.value, "outcome_label": OUTCOME_ZH[outcome]},
        notice=f"{OUTCOME_ZH[outcome]}。{ask.reason}",
    )


async def withdraw_flow(*, ctx: MoveContext) -> Effect:
    record = await locked_record(ctx.case.record_id)
    await effects.close_without_decision(
        record=record,
        case=ctx.case,
        why=f"申请人撤回异议 {ctx.case.receipt}",
        actor=effects.SUBJECT_ACTOR,
        policy=ctx.policy,
        today=ctx.today,
    )
    return Effect(notice=f"您已撤回异议申请 {ctx.case.receipt}，记录的异议标注已取消。")


async def extend_objection_flow(*, ctx: MoveContext) -> Effect:
    """The shared extension, and the record's mark shows the new deadline."""
    effect = await extend_flow(ctx=ctx)
    record = await CreditRecord.get(id=ctx.case.record_id)
    if "open_case" in record.flags:
        record.flags = {
            **record.flags,
            "open_case": {**record.flags["open_case"], "next_deadline": iso(ctx.case.due)},
        }
        await record.save(update_fields=["flags", "updated_at"])
    return effect


FLOWS = {
    "refuse": refuse_flow,
    "decide": decide_flow,
    "withdraw": withdraw_flow,
    "extend": extend_objection_flow,
}
