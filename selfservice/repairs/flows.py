"""One flow per repair action with an effect beyond the table (the rest are shared flows)."""

from __future__ import annotations

from selfservice.calendar import get_calendar
from selfservice.cases import clock
from selfservice.cases.flows import Effect, MoveContext, iso
from selfservice.enums import DepartmentLevel
from selfservice.errors import ValidationFailed
from selfservice.records.service import locked_record
from selfservice.repairs import effects
from selfservice.repairs.eligibility import rule_ref, value_or
from selfservice.repairs.enums import RepairStatus as S
from selfservice.staff.models import Department

NOTICES = {
    "file": "信用修复申请已提交",
    "receive": "信用修复申请已由“信用中国”网站受理",
    "approve": "信用修复申请已获同意",
    "consent": "信用修复申请已获市直部门同意",
    "apply": "信用修复已完成",
    "reject": "信用修复申请不予修复",
    "withdraw": "信用修复申请已撤回",
}
CONSENT_RULE = "repair.county_needs_city_consent"


def restart(ctx: MoveContext, rule_id: str) -> None:
    """A new stage with its own statutory clock: it binds the case from now on."""
    days = clock.case_days(ctx.case, ctx.policy, rule_id, ctx.today)
    deadline = get_calendar().deadline(ctx.today, days)
    ctx.case.step_due = ctx.case.due = deadline.due
    ctx.case.due_estimated = deadline.estimated


async def _department(ctx: MoveContext) -> Department:
    return await Department.get(id=ctx.case.department_id)


async def _acting_as(ctx: MoveContext) -> str:
    dept = await Department.get_or_none(id=ctx.actor.department_id or 0)
    return dept.name if dept else "系统"


async def route_local_flow(*, ctx: MoveContext) -> Effect:
    ctx.case.due = ctx.case.step_due
    return Effect(
        data={"route": "local_decide", "due": iso(ctx.case.due)},
        notice=f"已转认定部门核查整改情况，处理期限 {iso(ctx.case.due)}。",
    )


async def forward_flow(*, ctx: MoveContext) -> Effect:
    restart(ctx, "repair.result_days")
    return Effect(data={"route": "national_forward", "due": iso(ctx.case.due)})


async def receive_flow(*, ctx: MoveContext) -> Effect:
    """The national case number and query code, from the intake or typed in by staff."""
    fields = {k: str(ctx.ask.fields.get(k) or "").strip() for k in ("case_number", "query_code")}
    missing = [k for k, v in fields.items() if not v or len(v) > 64]
    if missing:
        raise ValidationFailed(
            "请填写“信用中国”网站的案件编号和查询码",
            "The national case number and query code are required",
            details=[{"field": f"fields.{k}"} for k in missing],
        )
    national = {**fields, "received_on": ctx.today.isoformat()}
    ctx.case.data = {**ctx.case.data, "national": national}
    return Effect(
        data={"national": national, "step_due": iso(ctx.case.step_due)},
        notice=f"“信用中国”案件编号 {fields['case_number']}，查询码 {fields['query_code']}。",
    )


async def _needs_city(ctx: MoveContext) -> Department | None:
    """The city department whose consent a county department's opinion needs (Yuxi art. 18)."""
    dept = await _department(ctx)
    if dept.level != DepartmentLevel.COUNTY or not dept.parent_id:
        return None
    if not value_or(ctx.policy, CONSENT_RULE, ctx.case.filed_on, False):
        return None
    return await Department.get(id=dept.parent_id)


async def approve_flow(*, ctx: MoveContext) -> Effect:
    if ctx.source == S.NATIONAL_REVIEW:
        restart(ctx, "repair.local_sync_days")
        return Effect(data={"decision": "approved", "step_due": iso(ctx.case.step_due)})
    city = await _needs_city(ctx)
    if city is not None:
        raise ValidationFailed(
            f"县区部门受理的修复申请须经{city.name}同意：请出具同意修复意见报市直部门",
            "A county department's positive opinion needs the city department's consent",
            code="city_consent_required",
            details={"rule": rule_ref(ctx.policy, CONSENT_RULE, ctx.case.filed_on)},
        )
    return await _approved(ctx)


async def _approved(ctx: MoveContext) -> Effect:
    restart(ctx, "repair.credit_office_days")
    ctx.case.data = {**ctx.case.data, "opinion": ctx.ask.reason, "approved_on": iso(ctx.today)}
    return Effect(
        data={"decision": "approved", "step_due": iso(ctx.case.step_due)},
        notice=f"认定部门同意修复，市信用办将于 {iso(ctx.case.due)} 前予以修复。",
    )


async def opinion_flow(*, ctx: MoveContext) -> Effect:
    """The county's positive opinion goes to the city department (the case moves there)."""
    city = await _needs_city(ctx)
    if city is None:
        raise ValidationFailed(
            "仅县区部门受理的申请需报市直部门同意，请直接作出决定",
            "Only a county department's opinion goes to the city department",
            code="city_consent_not_needed",
        )
    county = await _department(ctx)
    ctx.case.data = {
        **ctx.case.data,
        "county_opinion": {
            "department_id": county.id,
            "text": ctx.ask.reason,
            "on": iso(ctx.today),
        },
    }
    ctx.case.department_id, ctx.case.assignee_id = city.id, None
    return Effect(
        data={"from_department": county.id, "to_department": city.id},
        notice=f"{county.name}已出具同意修复意见，报{city.name}同意。",
    )


async def consent_flow(*, ctx: MoveContext) -> Effect:
    return await _approved(ctx)


async def apply_flow(*, ctx: MoveContext) -> Effect:
    record = await locked_record(ctx.case.record_id)
    result = await effects.apply_repair(
        record=record,
        case=ctx.case,
        actor=await _acting_as(ctx),
        policy=ctx.policy,
        today=ctx.today,
    )
    ctx.case.data = {**ctx.case.data, "result": result}
    shown = (
        "该记录停止公示"
        if result["visibility"] == "unpublished"
        else f"该记录标注“已修复”，保留至公示期限届满（{result.get('visible_until') or '—'}）"
    )
    return Effect(data=result, notice=f"信用修复已生效：{shown}，相关失信惩戒措施已解除。")


async def reject_flow(*, ctx: MoveContext) -> Effect:
    record = await locked_record(ctx.case.record_id)
    await effects.close_without_repair(
        record=record, case=ctx.case, why=f"不予修复：{ctx.ask.reason}", actor=await _acting_as(ctx)
    )
    ctx.case.data = {**ctx.case.data, "decision": {"outcome": "rejected", "reply": ctx.ask.reason}}
    return Effect(
        data={"decision": "rejected"},
        notice=f"不予修复理由：{ctx.ask.reason}。补正后可重新申请。",
    )


async def withdraw_flow(*, ctx: MoveContext) -> Effect:
    record = await locked_record(ctx.case.record_id)
    await effects.close_without_repair(
        record=record,
        case=ctx.case,
        why=f"申请人撤回信用修复申请 {ctx.case.receipt}",
        actor=effects.SUBJECT_ACTOR,
    )
    return Effect(notice=f"您已撤回信用修复申请 {ctx.case.receipt}。")


FLOWS = {
    "route_local": route_local_flow,
    "forward": forward_flow,
    "receive": receive_flow,
    "approve": approve_flow,
    "opinion": opinion_flow,
    "consent": consent_flow,
    "apply": apply_flow,
    "reject": reject_flow,
    "withdraw": withdraw_flow,
}
