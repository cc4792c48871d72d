"""Repairs: eligibility per record, the letter, filing (record marked at once) and routing.

Every later move (staff decisions, the subject's withdrawal or material) is ``cases.service.act``
with the flows in ``repairs/flows.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from selfservice.cases import service as cases
from selfservice.cases.actors import SYSTEM, Actor
from selfservice.cases.enums import CaseKind
from selfservice.cases.flows import Effect, MoveIn
from selfservice.cases.models import Case
from selfservice.cases.registry import case_type_of
from selfservice.cases.service import CaseNotFound
from selfservice.cases.views import visible_case
from selfservice.cases.workflow import BadCaseTransition
from selfservice.errors import Conflict, ValidationFailed
from selfservice.evidence import service as evidence_service
from selfservice.policy import Policy
from selfservice.records.models import CreditRecord
from selfservice.records.service import get_own, locked_record
from selfservice.repairs import effects, eligibility, letter
from selfservice.repairs.enums import ROUTE_ZH, RepairStatus, Route
from selfservice.repairs.national import Forwarding, IntakeUnavailable, NationalIntake
from selfservice.repairs.workflow import OPEN
from selfservice.staff.models import Department
from selfservice.subjects.models import Subject

log = logging.getLogger("selfservice.repairs")
TZ = ZoneInfo("Asia/Shanghai")
STATEMENT_MIN, STATEMENT_MAX = 5, 2000
KIND = CaseKind.REPAIR.value
FREE_NOTICE = "信用修复不收取任何费用，请勿相信任何收费“代办修复”。"


class NotEligible(Conflict):
    code = "repair_not_eligible"
    message_zh, message_en = "该记录当前不能申请信用修复", "This record cannot be repaired now"


class DuplicateRepair(Conflict):
    code = "repair_already_open"
    message_zh, message_en = (
        "该记录已有正在办理的信用修复申请",
        "This record already has a repair application in progress",
    )


@dataclass(frozen=True)
class Application:
    record_id: int
    statement: str
    evidence_ids: Sequence[str] = field(default_factory=tuple)
    commitment_accepted: bool = False

    def check(self) -> Application:
        problems = []
        if not STATEMENT_MIN <= len(self.statement.strip()) <= STATEMENT_MAX:
            problems.append(
                {"field": "statement", "problem": f"{STATEMENT_MIN}-{STATEMENT_MAX} chars"}
            )
        if not self.evidence_ids:
            problems.append({"field": "evidence", "problem": "proof of fulfilment required"})
        if not self.commitment_accepted:
            problems.append({"field": "commitment_accepted", "problem": "must be true"})
        if problems:
            raise ValidationFailed(
                "请说明纠正情况、上传履行义务的证明并确认签署信用修复承诺书",
                "A statement, proof of fulfilment and the accepted commitment letter are required",
                details=problems,
            )
        return self

    def payload(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "statement": self.statement.strip(),
            "evidence": sorted(self.evidence_ids),
            "commitment_accepted": self.commitment_accepted,
        }


async def check(*, subject_id: int, record_id: int, policy: Policy, today: date) -> dict[str, Any]:
    """The eligibility answer for one of the subject's own records (another's is not found)."""
    record = await get_own(subject_id=subject_id, record_id=record_id)
    return eligibility.assess(record, policy, today).as_dict()


async def own_letter(*, subject_id: int, record_id: int, today: date) -> bytes:
    """The commitment letter PDF of one of the subject's own records."""
    record = await get_own(subject_id=subject_id, record_id=record_id)
    text = await letter.text_of(record=record, today=today)
    return await asyncio.to_thread(letter.render, text, footer=f"文书号 {record.document_number}")


async def case_letter(*, actor: Actor, receipt: str) -> bytes:
    """The letter the applicant accepted, as filed, for staff who may see the case."""
    case = await visible_case(actor=actor, receipt=receipt)
    if case.kind != KIND:
        raise CaseNotFound()
    record = await CreditRecord.get(id=case.record_id)
    text = await letter.text_of(record=record, today=case.filed_on)
    accepted = case.data.get("commitment", {})
    footer = f"{case.receipt}  SHA-256 {accepted.get('sha256', letter.sha256(text))[:16]}"
    return await asyncio.to_thread(letter.render, text, footer=footer)


def _refuse(answer: eligibility.Eligibility) -> None:
    if answer.eligible:
        return
    if [r.code for r in answer.reasons] == ["repair_open"]:
        raise DuplicateRepair()
    raise NotEligible(
        "该记录当前不能申请信用修复：" + "；".join(r.message for r in answer.reasons),
        "This record cannot be repaired now",
        details={"reasons": [asdict(r) for r in answer.reasons]},
    )


async def file(
    *,
    actor: Actor,
    application: Application,
    policy: Policy,
    today: date,
    intake: NationalIntake,
    account_id: int | None = None,
    idempotency_key: str | None = None,
    max_files: int = 9,
) -> tuple[Case, bool]:
    """File a repair; ``(case, created)`` — a retry with the same key gets the same case."""
    application.check()
    scope = f"subject:{actor.subject_id}"
    fp = cases.fingerprint({"kind": KIND, **application.payload()})
    earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
    if earlier is not None:
        return await route(case=earlier, policy=policy, today=today, intake=intake), False
    try:
        case = await _open(
            actor=actor,
            application=application,
            policy=policy,
            today=today,
            account_id=account_id,
            key=(scope, idempotency_key, fp),
            max_files=max_files,
        )
    except (DuplicateRepair, IntegrityError):
        earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
        if earlier is not None:
            return await route(case=earlier, policy=policy, today=today, intake=intake), False
        raise
    return await route(case=case, policy=policy, today=today, intake=intake), True


async def _open(
    *,
    actor: Actor,
    application: Application,
    policy: Policy,
    today: date,
    account_id: int | None,
    key: tuple[str, str | None, str],
    max_files: int,
) -> Case:
    async with in_transaction():
        record = await locked_record(application.record_id, actor.subject_id)
        answer = eligibility.assess(record, policy, today)
        _refuse(answer)
        if await Case.filter(kind=KIND, record_id=record.id, status__in=list(OPEN)).exists():
            raise DuplicateRepair()
        files = await evidence_service.owned(
            actor=actor, evidence_ids=list(application.evidence_ids)
        )
        text = await letter.text_of(record=record, today=today)
        accepted_at = datetime.now(TZ).isoformat(timespec="seconds")
        case, transition = await cases.open_case(
            kind=KIND,
            actor=actor,
            department_id=record.provider_id,
            policy=policy,
            today=today,
            subject_id=actor.subject_id,
            account_id=account_id,
            record_id=record.id,
            title=f"信用修复：{record.title}",
            data={
                "route": answer.route.value if answer.route else None,
                "route_label": answer.route_label,
                "available_from": answer.available_from.isoformat()
                if answer.available_from
                else None,
                "commitment": {"sha256": letter.sha256(text), "accepted_at": accepted_at},
                "free_of_charge": answer.free_of_charge,
            },
            statement=application.statement.strip(),
            evidence=files,
            max_files=max_files,
        )
        await effects.mark(record=record, case=case)
        scope, idempotency_key, fp = key
        await cases.remember(scope=scope, key=idempotency_key, fingerprint_=fp, case=case)
        await cases.notify(
            case_type_of(KIND),
            case,
            "file",
            transition,
            Effect(
                notice=f"受理编号 {case.receipt}。{ROUTE_ZH[Route(case.data['route'])]}。{FREE_NOTICE}"
            ),
        )
    return case


async def route(*, case: Case, policy: Policy, today: date, intake: NationalIntake) -> Case:
    """Send a new case on its route; a case already on its way is left as it is.

    Runs after the filing commits, so a crash in between leaves a ``submitted`` case that the
    retry (same key) or staff route by hand.
    """
    if case.status != RepairStatus.SUBMITTED:
        return case
    local = case.data.get("route") != Route.NATIONAL_FORWARD
    try:
        case = await cases.act(
            actor=SYSTEM,
            ask=MoveIn("route_local" if local else "forward"),
            policy=policy,
            today=today,
            case_id=case.id,
        )
    except BadCaseTransition:  # a concurrent retry of the same submission routed it first
        return await Case.get(id=case.id)
    if local:
        return case
    try:
        answer = await intake.forward(await _forwarding(case))
    except IntakeUnavailable:
        log.warning("national intake unavailable for %s; staff will file it by hand", case.receipt)
        return case
    if answer is None:
        return case
    fields = {"case_number": answer.case_number, "query_code": answer.query_code}
    return await cases.act(
        actor=SYSTEM,
        ask=MoveIn("receive", fields=fields),
        policy=policy,
        today=today,
        case_id=case.id,
    )


async def _forwarding(case: Case) -> Forwarding:
    record = await CreditRecord.get(id=case.record_id)
    subject = await Subject.get(id=record.subject_id)
    provider = await Department.get(id=record.provider_id)
    first = await case.transitions.filter(action="file").first()
    return Forwarding(
        receipt=case.receipt,
        subject_name=subject.name,
        subject_code=subject.uscc or "",
        record_title=record.title,
        document_number=record.document_number,
        provider=provider.name,
        statement=first.reason if first else "",
        commitment_sha256=case.data.get("commitment", {}).get("sha256", ""),
    )


async def withdraw(*, actor: Actor, receipt: str, reason: str, policy: Policy, today: date) -> Case:
    """Withdraw before a decision; asking again once withdrawn answers the same case."""
    case = await Case.get_or_none(receipt=receipt, kind=KIND, subject_id=actor.subject_id or 0)
    if case is not None and case.status == RepairStatus.WITHDRAWN:
        return case
    return await cases.act(
        actor=actor,
        ask=MoveIn("withdraw", reason=reason),
        policy=policy,
        today=today,
        receipt=receipt,
        kind=KIND,
    )


async def add_material(
    *,
    actor: Actor,
    receipt: str,
    statement: str,
    evidence_ids: Sequence[str],
    policy: Policy,
    today: date,
    idempotency_key: str | None = None,
    max_files: int = 9,
) -> Case:
    """Add a statement or files; a retry with the same key adds nothing twice."""
    scope = f"subject:{actor.subject_id}:material"
    fp = cases.fingerprint(
        {"receipt": receipt, "statement": statement.strip(), "evidence": sorted(evidence_ids)}
    )
    earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
    if earlier is not None:
        return earlier
    case = await cases.act(
        actor=actor,
        ask=MoveIn("add_material", reason=statement, evidence_ids=tuple(evidence_ids)),
        policy=policy,
        today=today,
        receipt=receipt,
        kind=KIND,
        max_files=max_files,
    )
    with contextlib.suppress(IntegrityError):  # a concurrent retry remembered it first
        await cases.remember(scope=scope, key=idempotency_key, fingerprint_=fp, case=case)
    return case
