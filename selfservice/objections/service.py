"""Objections: filing (record marked in the same transaction), subject actions, staff moves."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tortoise import Tortoise
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from selfservice.audit import service as audit
from selfservice.cases import clock
from selfservice.cases import service as cases
from selfservice.cases.access import can_see
from selfservice.cases.actors import Actor
from selfservice.cases.enums import CaseKind
from selfservice.cases.models import Case, CaseTransition
from selfservice.cases.workflow import Move
from selfservice.enums import ActorKind
from selfservice.errors import Conflict, ValidationFailed
from selfservice.evidence import service as evidence_service
from selfservice.notifications import outbox
from selfservice.objections import effects
from selfservice.objections.enums import OUTCOME_ZH, TYPE_ZH, ObjectionType, Outcome
from selfservice.objections.workflow import LABELS, OPEN, WORKFLOW
from selfservice.policy import Policy
from selfservice.records.models import CreditRecord
from selfservice.records.service import RecordNotFound
from selfservice.staff.models import Department, StaffUser

log = logging.getLogger("selfservice.objections")
STATEMENT_MIN, STATEMENT_MAX = 5, 2000
MAX_EXTENSION_DAYS = 15
NOTIFY = {
    "file": "异议申请已提交",
    "accept": "异议申请已受理",
    "refuse": "异议申请不予受理",
    "forward": "异议已转信息提供单位核实",
    "decide": "异议处理结果",
    "withdraw": "异议申请已撤回",
    "extend": "异议办理期限延长",
}


class DuplicateObjection(Conflict):
    code = "objection_already_open"
    message_zh, message_en = (
        "该记录已有正在处理的异议申请，请等待处理结果或补充材料",
        "This record already has an objection in progress; add material to it instead",
    )


@dataclass(frozen=True)
class Filing:
    record_id: int
    objection_type: str
    statement: str
    evidence_ids: Sequence[str] = field(default_factory=tuple)

    def check(self) -> Filing:
        problems = []
        if self.objection_type not in {t.value for t in ObjectionType}:
            problems.append(
                {"field": "type", "problem": f"one of {[t.value for t in ObjectionType]}"}
            )
        if not STATEMENT_MIN <= len(self.statement.strip()) <= STATEMENT_MAX:
            problems.append(
                {"field": "statement", "problem": f"{STATEMENT_MIN}-{STATEMENT_MAX} chars"}
            )
        if problems:
            raise ValidationFailed(details=problems)
        return self

    def payload(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "type": self.objection_type,
            "statement": self.statement.strip(),
            "evidence": sorted(self.evidence_ids),
        }


def _is_postgres() -> bool:
    return Tortoise.get_connection("default").capabilities.dialect == "postgres"


async def _locked_record(record_id: int, subject_id: int | None = None) -> CreditRecord:
    query = CreditRecord.filter(id=record_id)
    if subject_id is not None:
        query = query.filter(subject_id=subject_id)
    if _is_postgres():
        query = query.select_for_update()
    record = await query.first()
    if record is None:
        raise RecordNotFound()
    return record


def _push_data(case: Case, status_label: str, note: str) -> dict[str, str]:
    return {
        "thing1": "信用异议申请",
        "character_string2": case.receipt,
        "phrase3": status_label[:5],
        "date4": date.today().isoformat()
        if case.updated_at is None
        else case.updated_at.date().isoformat(),
        "thing5": note[:20],
    }


async def _notify(case: Case, move_action: str, transition: CaseTransition, body: str) -> None:
    title = NOTIFY.get(move_action)
    if title is None or case.subject_id is None:
        return
    await outbox.notify_subject(
        subject_id=case.subject_id,
        template=f"objection_{move_action}",
        title=title,
        body=body,
        receipt=case.receipt,
        key=f"case:{case.id}:t{transition.id}",
        push_data=_push_data(case, LABELS.get(case.status, case.status), title),
    )


async def file(
    *,
    actor: Actor,
    filing: Filing,
    policy: Policy,
    today: date,
    account_id: int | None = None,
    idempotency_key: str | None = None,
    max_files: int = 9,
) -> tuple[Case, bool]:
    """File an objection; returns ``(case, created)`` — a retry with the same key gets the same case."""
    filing.check()
    scope = f"subject:{actor.subject_id}"
    fp = cases.fingerprint(filing.payload())
    earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
    if earlier is not None:
        return earlier, False
    try:
        async with in_transaction():
            record = await _locked_record(filing.record_id, actor.subject_id)
            open_case = await Case.filter(
                kind=CaseKind.OBJECTION, record_id=record.id, status__in=list(OPEN)
            ).exists()
            if record.under_objection or open_case:
                raise DuplicateObjection()
            files = await evidence_service.owned(
                actor=actor, evidence_ids=list(filing.evidence_ids)
            )
            objection_type = ObjectionType(filing.objection_type)
            case, transition = await cases.open_case(
                workflow=WORKFLOW,
                actor=actor,
                department_id=record.provider_id,
                policy=policy,
                today=today,
                subject_id=actor.subject_id,
                account_id=account_id,
                record_id=record.id,
                title=f"{TYPE_ZH[objection_type]}：{record.title}",
                data={"type": objection_type.value, "type_label": TYPE_ZH[objection_type]},
                statement=filing.statement.strip(),
                evidence=files,
                max_files=max_files,
            )
            await effects.mark(record=record, case=case, policy=policy, today=today)
            await cases.remember(scope=scope, key=idempotency_key, fingerprint_=fp, case=case)
            due = case.due.isoformat() if case.due else "—"
            await _notify(
                case,
                "file",
                transition,
                f"受理编号 {case.receipt}。记录已标注“异议处理中”，答复期限 {due}。",
            )
    except (DuplicateObjection, IntegrityError):
        earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
        if earlier is not None:
            return earlier, False
        raise
    return case, True


async def _own_case(actor: Actor, receipt: str) -> Case:
    case = await cases.locked(receipt=receipt)
    if case.kind != CaseKind.OBJECTION or case.subject_id != actor.subject_id:
        raise cases.CaseNotFound()
    return case


async def add_material(
    *,
    actor: Actor,
    receipt: str,
    statement: str,
    evidence_ids: Sequence[str],
    policy: Policy,
    today: date,
    max_files: int = 9,
) -> Case:
    """The subject adds a statement and/or files before the decision."""
    if not statement.strip() and not evidence_ids:
        raise ValidationFailed("请填写补充说明或上传材料", "Add a statement or files")
    async with in_transaction():
        case = await _own_case(actor, receipt)
        files = await evidence_service.owned(actor=actor, evidence_ids=list(evidence_ids))
        await cases.apply(
            workflow=WORKFLOW,
            case=case,
            action="add_material",
            actor=actor,
            policy=policy,
            today=today,
            reason=statement,
            evidence=files,
            max_files=max_files,
        )
    return case


async def withdraw(*, actor: Actor, receipt: str, reason: str, policy: Policy, today: date) -> Case:
    """The subject withdraws before the decision; the record's mark is removed."""
    async with in_transaction():
        case = await _own_case(actor, receipt)
        _, transition = await cases.apply(
            workflow=WORKFLOW,
            case=case,
            action="withdraw",
            actor=actor,
            policy=policy,
            today=today,
            reason=reason,
        )
        record = await _locked_record(case.record_id)
        await effects.close_without_decision(
            record=record,
            case=case,
            why=f"申请人撤回异议 {case.receipt}",
            actor=effects.SUBJECT_ACTOR,
            policy=policy,
            today=today,
        )
        await _notify(
            case, "withdraw", transition, f"您已撤回异议申请 {case.receipt}，记录的异议标注已取消。"
        )
    return case


@dataclass(frozen=True)
class StaffMove:
    action: str
    reason: str = ""
    outcome: str | None = None
    changes: dict[str, Any] | None = None
    evidence_ids: Sequence[str] = ()
    days: int | None = None
    assignee_id: int | None = None


async def _department_name(department_id: int | None) -> str:
    if department_id is None:
        return ""
    dept = await Department.get_or_none(id=department_id)
    return dept.name if dept else ""


async def _prepare(case: Case, actor: Actor, move: StaffMove) -> dict[str, Any]:
    """Check action-specific input; returns the data recorded on the transition."""
    if move.action == "decide":
        if move.outcome not in {o.value for o in Outcome}:
            raise ValidationFailed(
                "请选择处理结果",
                "Choose an outcome",
                details=[{"field": "outcome", "problem": f"one of {[o.value for o in Outcome]}"}],
            )
        if move.outcome == Outcome.CORRECTED and not move.changes:
            raise ValidationFailed(
                "更正须写明更正内容", "A correction must list the changes", code="bad_correction"
            )
        return {"outcome": move.outcome, "outcome_label": OUTCOME_ZH[Outcome(move.outcome)]}
    if move.action == "extend":
        if move.days is None or not 1 <= move.days <= MAX_EXTENSION_DAYS:
            raise ValidationFailed(
                f"延长天数须为 1–{MAX_EXTENSION_DAYS} 个工作日",
                "Extension must be 1-15 working days",
                details=[{"field": "days"}],
            )
        return {"days": move.days}
    if move.action == "assign":
        target = move.assignee_id or actor.staff_id
        if (
            target != actor.staff_id
            and "supervisor" not in actor.roles
            and "credit_office" not in actor.roles
        ):
            raise ValidationFailed(
                "只能将办件分派给自己", "Handlers may only assign cases to themselves"
            )
        staff = await StaffUser.get_or_none(id=target, active=True)
        if staff is None or staff.department_id != case.department_id:
            raise ValidationFailed(
                "经办人须属于办理部门", "The assignee must belong to the handling department"
            )
        return {"assignee_id": target}
    return {}


async def act(
    *,
    actor: Actor,
    receipt: str,
    move: StaffMove,
    policy: Policy,
    today: date,
    max_files: int = 9,
) -> Case:
    """A staff or provider move on an objection, with its effect on the record."""
    if move.action in ("withdraw", "add_material", "escalate"):
        raise ValidationFailed(
            "该操作不由工作人员执行", "Not a staff action", code="bad_case_transition"
        )
    async with in_transaction():
        case = await cases.locked(receipt=receipt)
        if case.kind != CaseKind.OBJECTION or not await can_see(actor, case):
            raise cases.CaseNotFound()
        WORKFLOW.move(case.status, move.action, actor, move.reason)
        data = await _prepare(case, actor, move)
        files = await evidence_service.owned(actor=actor, evidence_ids=list(move.evidence_ids))
        if move.action == "extend":
            clock.extend(case, days=int(move.days or 0))
            data |= {"step_due": _iso(case.step_due), "due": _iso(case.due)}
        if move.action == "assign":
            case.assignee_id = data["assignee_id"]
        table_move, transition = await cases.apply(
            workflow=WORKFLOW,
            case=case,
            action=move.action,
            actor=actor,
            policy=policy,
            today=today,
            reason=move.reason,
            data=data,
            evidence=files,
            max_files=max_files,
        )
        await _effects(case, actor, move, table_move, transition, policy, today)
    if actor.kind != "system":
        await _audit(case, actor, move)
    return case


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


async def _effects(
    case: Case,
    actor: Actor,
    move: StaffMove,
    table_move: Move,
    transition: CaseTransition,
    policy: Policy,
    today: date,
) -> None:
    label = await _department_name(actor.department_id) or "信息提供单位"
    if move.action == "refuse":
        record = await _locked_record(case.record_id)
        await effects.close_without_decision(
            record=record,
            case=case,
            why=f"不予受理：{move.reason}",
            actor=label,
            policy=policy,
            today=today,
        )
        reply = effects.refusal_text(move.reason, policy=policy, today=today)
        await _notify(case, "refuse", transition, reply)
    elif move.action == "decide":
        record = await _locked_record(case.record_id)
        outcome = Outcome(move.outcome)
        effect = await effects.decide(
            record=record,
            case=case,
            outcome=outcome,
            reply=move.reason,
            changes=move.changes,
            actor=label,
            policy=policy,
            today=today,
        )
        case.data = {
            **case.data,
            "decision": {**effect, "reply": move.reason, "on": today.isoformat()},
        }
        await case.save(update_fields=["data", "updated_at"])
        await _notify(case, "decide", transition, f"{OUTCOME_ZH[outcome]}。{move.reason}")
    elif move.action == "extend":
        record = await CreditRecord.get(id=case.record_id)
        if "open_case" in record.flags:
            record.flags = {
                **record.flags,
                "open_case": {**record.flags["open_case"], "next_deadline": _iso(case.due)},
            }
            await record.save(update_fields=["flags", "updated_at"])
        await _notify(
            case, "extend", transition, f"新的答复期限 {_iso(case.due)}。理由：{move.reason}"
        )
    elif table_move.public:
        await _notify(
            case, move.action, transition, f"当前状态：{LABELS.get(case.status, case.status)}"
        )


async def _audit(case: Case, actor: Actor, move: StaffMove) -> None:
    kind = ActorKind.STAFF if actor.kind == "staff" else ActorKind.PROVIDER
    await audit.append(
        actor=audit.Actor(
            kind,
            f"{actor.kind}:{actor.id}",
            actor.roles[0] if actor.roles else actor.kind,
            await _department_name(actor.department_id),
        ),
        action=f"objection.{move.action}",
        target=case.receipt,
        subject_id=case.subject_id,
        purpose=move.reason[:500],
        data={"status": case.status, "outcome": move.outcome},
    )
