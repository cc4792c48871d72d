"""One flow per pledge action with an effect beyond the table (the rest are shared flows)."""

from __future__ import annotations

from typing import Any

from selfservice.calendar import get_calendar
from selfservice.cases.flows import Effect, MoveContext, add_material_flow
from selfservice.cases.models import Case, CaseTransition
from selfservice.enums import Severity
from selfservice.errors import ValidationFailed
from selfservice.notifications import outbox
from selfservice.pledges import bars
from selfservice.pledges.models import Pledge
from selfservice.records import ingest
from selfservice.records.models import CreditRecord
from selfservice.staff.models import Department
from selfservice.subjects import service as subjects
from selfservice.subjects.models import Subject

NOTICES = {
    "file": "信用承诺已签署",
    "fulfil": "信用承诺已确认履行",
    "suspect_breach": "容缺承诺已逾期",
    "breach": "违背信用承诺认定",
    "expire": "信用承诺期满",
    "withdraw": "信用承诺已撤回",
}
BREACH_SEVERITIES = (Severity.MINOR.value, Severity.GENERAL.value)
BREACH_CLASS = "pledge_breach"


async def _pledge(case: Case) -> Pledge:
    return await Pledge.get(case_id=case.id)


async def _tell_department(
    ctx: MoveContext, template: str, title: str, body: str, key: str
) -> None:
    """The accepting department's inbox: the pledge waits there for a check."""
    await outbox.notify_department(
        department_id=ctx.case.department_id,
        template=template,
        title=title,
        body=body,
        receipt=ctx.case.receipt,
        key=f"case:{ctx.case.id}:{key}",
    )


async def fulfil_flow(*, ctx: MoveContext) -> Effect:
    ctx.case.data = {**ctx.case.data, "kept_on": ctx.today.isoformat()}
    return Effect(
        data={"kept_on": ctx.today.isoformat()},
        notice=f"受理部门已确认您履行了承诺 {ctx.case.receipt}。{ctx.ask.reason}".strip(),
    )


async def suspect_breach_flow(*, ctx: MoveContext) -> Effect:
    """容缺 past its due date: the subject is told, the accepting department gets it to verify."""
    pledge = await _pledge(ctx.case)
    late = get_calendar().working_days_between(pledge.due_on, ctx.today) if pledge.due_on else 0
    due = pledge.due_on.isoformat() if pledge.due_on else "—"
    await _tell_department(
        ctx,
        "pledge_breach_suspected",
        f"容缺承诺逾期待核实：{ctx.case.receipt}",
        f"“{ctx.case.title}”应于 {due} 前补齐材料，已逾期 {late} 个工作日，请核实是否违背承诺。",
        "suspect",
    )
    return Effect(
        data={"due_on": due, "late": late},
        notice=f"您的容缺承诺应于 {due} 前补齐材料，现已逾期，已转受理部门核实。"
        "如已提交，请留意核实结果。",
    )


def _severity(ctx: MoveContext) -> str:
    value = str(ctx.ask.fields.get("severity") or Severity.GENERAL.value)
    if value not in BREACH_SEVERITIES:
        raise ValidationFailed(
            details=[{"field": "fields.severity", "problem": f"one of {list(BREACH_SEVERITIES)}"}]
        )
    return value


async def _breach_row(ctx: MoveContext, subject: Subject, pledge: Pledge) -> dict[str, Any]:
    rule = ctx.policy.rule(bars.RULE, ctx.today)
    number = str(ctx.ask.fields.get("document_number") or f"违诺认定〔{ctx.case.receipt}〕")
    return {
        "action": "new",
        "document_number": number[:100],
        "identifier": subject.uscc or subjects.id_number(subject) or "",
        "subject_name": subject.name,
        "subject_kind": str(subject.kind),
        "nature": "bad",
        "severity": _severity(ctx),
        "class": BREACH_CLASS,
        "title": f"违背信用承诺：{ctx.case.title}"[:200],
        "content": f"信用承诺 {ctx.case.receipt}（{pledge.signed_on.isoformat()} 签署）："
        f"{ctx.ask.reason}",
        "legal_basis": rule.source[:300],
        "finding_date": ctx.today.isoformat(),
    }


async def breach_flow(*, ctx: MoveContext) -> Effect:
    """A bad record through the provider path, linked to the pledge, and the procedure bar."""
    pledge = await _pledge(ctx.case)
    subject = await Subject.get(id=pledge.subject_id)
    provider = await Department.get(id=ctx.case.department_id)
    row = await ingest.parse_row(await _breach_row(ctx, subject, pledge), today=ctx.today)
    _, record = await ingest.apply_row(row, provider=provider, policy=ctx.policy, today=ctx.today)
    record = await CreditRecord.get(id=record.id)
    record.flags = {**record.flags, "pledge": {"receipt": ctx.case.receipt}}
    await record.save(update_fields=["flags", "updated_at"])
    pledge.breach_record_id = record.id
    await pledge.save(update_fields=["breach_record_id"])
    bar = await bars.impose(pledge=pledge, record=record, policy=ctx.policy, today=ctx.today)
    ends = bar.ends_on.isoformat() if bar.ends_on else "信用修复后"
    ctx.case.data = {
        **ctx.case.data,
        "breach": {"record_id": record.id, "on": ctx.today.isoformat(), "bar_ends_on": ends},
    }
    return Effect(
        data={"record_id": record.id, "bar_ends_on": ends},
        notice=f"经核实，您违背了信用承诺 {ctx.case.receipt}：{ctx.ask.reason}。"
        f"违诺信息已记入信用记录，在信用修复前（至迟 {ends}）不适用告知承诺、容缺受理等简化程序。",
    )


async def expire_flow(*, ctx: MoveContext) -> Effect:
    return Effect(notice=f"您的信用承诺 {ctx.case.receipt} 已期满，期间未发现违背承诺的情形。")


async def withdraw_flow(*, ctx: MoveContext) -> Effect:
    return Effect(notice=f"您已撤回信用承诺 {ctx.case.receipt}，承诺不再公示。")


async def material_flow(*, ctx: MoveContext) -> Effect:
    """The promised materials against the pledge; the accepting department is told."""
    effect = await add_material_flow(ctx=ctx)
    n = await CaseTransition.filter(case_id=ctx.case.id, action="add_material").count()
    ctx.case.data = {**ctx.case.data, "materials_on": ctx.today.isoformat()}
    await _tell_department(
        ctx,
        "pledge_material",
        f"承诺人已提交材料：{ctx.case.receipt}",
        f"“{ctx.case.title}”的承诺人提交了材料，请核查并确认是否已履行承诺。",
        f"material:{n + 1}",
    )
    return effect


FLOWS = {
    "fulfil": fulfil_flow,
    "suspect_breach": suspect_breach_flow,
    "breach": breach_flow,
    "expire": expire_flow,
    "withdraw": withdraw_flow,
    "add_material": material_flow,
}
