"""One flow per tip action with an effect beyond the table; each tells the reporter in the thread."""

from __future__ import annotations

from typing import Any

from selfservice.cases.flows import Effect, MoveContext
from selfservice.errors import DomainError, ValidationFailed
from selfservice.records import ingest
from selfservice.reports.enums import OUTCOME_ZH, TipOutcome
from selfservice.reports.models import Tip
from selfservice.reports.notices import tell_reporter
from selfservice.staff.models import Department

RECORD_FIELDS = ("document_number", "catalogue_class", "severity", "title", "finding_date")


async def _tell(ctx: MoveContext, body: str) -> Effect:
    tip = await Tip.get(case_id=ctx.case.id)
    await tell_reporter(tip=tip, case=ctx.case, body=body, key=ctx.ask.action)
    return Effect(data={"told_reporter": True})


async def accept_flow(*, ctx: MoveContext) -> Effect:
    return await _tell(ctx, "您的举报已受理（立案），处理部门将组织调查核实。")


async def redirect_flow(*, ctx: MoveContext) -> Effect:
    body = f"您反映的问题不属于本平台受理范围，请按以下途径反映：{ctx.ask.reason.strip()}"
    return await _tell(ctx, body)


async def reject_flow(*, ctx: MoveContext) -> Effect:
    return await _tell(ctx, f"您的举报不予受理。理由：{ctx.ask.reason.strip()}")


async def investigate_flow(*, ctx: MoveContext) -> Effect:
    return await _tell(ctx, "您的举报已进入调查核实阶段。")


async def conclude_flow(*, ctx: MoveContext) -> Effect:
    outcomes = [o.value for o in TipOutcome]
    if ctx.ask.outcome not in outcomes:
        raise ValidationFailed(
            "请选择核查结论",
            "Choose an outcome",
            details=[{"field": "outcome", "problem": f"one of {outcomes}"}],
        )
    outcome = TipOutcome(ctx.ask.outcome)
    summary = ctx.ask.reason.strip()
    ctx.case.data = {**ctx.case.data, "outcome": outcome.value, "summary": summary}
    await _tell(ctx, f"核查结论：{OUTCOME_ZH[outcome]}。{summary}")
    return Effect(data={"outcome": outcome.value, "outcome_label": OUTCOME_ZH[outcome]})


def _record_row(ctx: MoveContext, tip: Tip) -> dict[str, Any]:
    fields = dict(ctx.ask.fields)
    missing = [f for f in RECORD_FIELDS if not fields.get(f)]
    identifier = str(fields.get("identifier") or ctx.case.data["party"].get("identifier") or "")
    if not identifier:
        missing.append("identifier")
    if missing:
        raise ValidationFailed(
            "归集失信记录须填写文书号、目录类别、严重程度、标题、认定日期和被举报人证照号码",
            "A record needs its document number, class, severity, title, finding date and the "
            "party's identifier",
            details=[{"field": f"fields.{f}", "problem": "required"} for f in missing],
        )
    return {
        "action": "new",
        "identifier": identifier,
        "subject_name": ctx.case.data["party"]["name"],
        "nature": "bad",
        **{f: fields[f] for f in RECORD_FIELDS},
        "content": str(fields.get("content") or ""),
        "legal_basis": str(fields.get("legal_basis") or ""),
    }


async def create_record_flow(*, ctx: MoveContext) -> Effect:
    """A substantiated tip becomes a record through the provider path, linked to the tip only."""
    tip = await Tip.get(case_id=ctx.case.id)
    if ctx.case.data.get("outcome") != TipOutcome.SUBSTANTIATED or tip.record_id:
        raise ValidationFailed(
            "只有核查属实且尚未归集的举报可以归集失信记录",
            "Only a substantiated tip without a record can create one",
            code="tip_record_not_allowed",
        )
    try:
        row = await ingest.parse_row(_record_row(ctx, tip), today=ctx.today)
    except DomainError as exc:
        raise ValidationFailed(exc.message_zh, exc.message_en, details=exc.details) from None
    provider = await Department.get(id=ctx.case.department_id)
    _, record = await ingest.apply_row(row, provider=provider, policy=ctx.policy, today=ctx.today)
    tip.record_id = record.id
    await tip.save(update_fields=["record_id"])
    ctx.case.data = {**ctx.case.data, "record_id": record.id}
    return Effect(data={"record_id": record.id, "document_number": row.document_number})


FLOWS = {
    "accept": accept_flow,
    "redirect": redirect_flow,
    "reject": reject_flow,
    "investigate": investigate_flow,
    "conclude": conclude_flow,
    "create_record": create_record_flow,
}
NOTICES: dict[str, str] = {}
