"""Objections: filing, with the record marked in the same transaction.

Every later move (staff, provider, the subject's withdrawal or material) is ``cases.service.act``
with the flows in ``objections/flows.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from selfservice.cases import service as cases
from selfservice.cases.actors import Actor
from selfservice.cases.enums import CaseKind
from selfservice.cases.flows import Effect
from selfservice.cases.models import Case
from selfservice.cases.registry import case_type_of
from selfservice.errors import Conflict, ValidationFailed
from selfservice.evidence import service as evidence_service
from selfservice.objections import effects
from selfservice.objections.enums import TYPE_ZH, ObjectionType
from selfservice.objections.workflow import OPEN
from selfservice.policy import Policy
from selfservice.records.service import locked_record

log = logging.getLogger("selfservice.objections")
STATEMENT_MIN, STATEMENT_MAX = 5, 2000


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
            record = await locked_record(filing.record_id, actor.subject_id)
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
                kind=CaseKind.OBJECTION.value,
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
            await cases.notify(
                case_type_of(case.kind),
                case,
                "file",
                transition,
                Effect(notice=f"受理编号 {case.receipt}。记录已标注“异议处理中”，答复期限 {due}。"),
            )
    except (DuplicateObjection, IntegrityError):
        earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
        if earlier is not None:
            return earlier, False
        raise
    return case, True
