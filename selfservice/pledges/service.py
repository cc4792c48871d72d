"""Signing a pledge (frozen text, hash and signer, with ``Idempotency-Key``) and reading them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from selfservice.accounts.models import AgentAuthorisation
from selfservice.calendar import get_calendar
from selfservice.cases import service as cases
from selfservice.cases.actors import Actor
from selfservice.cases.enums import CaseKind
from selfservice.cases.flows import Effect
from selfservice.cases.models import Case
from selfservice.cases.registry import case_type_of
from selfservice.enums import StaffRole, SubjectKind
from selfservice.errors import Conflict, Forbidden, NotFound, ValidationFailed
from selfservice.identifiers import mask_name
from selfservice.pledges import bars
from selfservice.pledges.models import Pledge
from selfservice.pledges.types import PledgeType, catalogue, type_of, version
from selfservice.policy import Policy, add_months
from selfservice.staff.models import Department, StaffUser
from selfservice.subjects.models import Subject
from selfservice.verification.agents import require_scope

SCOPE = "pledge"
SIGNER_ZH = {
    "legal_representative": "法定代表人",
    "operator": "经营者",
    "agent": "经办人",
    "citizen": "本人",
}
# an ID number (15/18 chars) or a mainland mobile number must never reach the public wall
PERSONAL = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?!\d)")
TITLE_FIELDS = ("matter", "title", "association", "record_title", "content")


class PledgeNotFound(NotFound):
    code = "pledge_not_found"
    message_zh, message_en = "未找到该信用承诺", "Pledge not found"


class SimplifiedProcedureBarred(Conflict):
    code = "simplified_procedure_barred"
    message_zh, message_en = (
        "您有违背信用承诺的记录，在信用修复前不适用告知承诺、容缺受理等简化程序",
        "After a breached pledge, simplified procedures are barred until the credit is repaired",
    )


@dataclass(frozen=True)
class Signing:
    """What the signer asks for: a type, its fields, the accepting department, publication."""

    pledge_type: str
    values: dict[str, Any] = field(default_factory=dict)
    department_id: int | None = None
    publish: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "type": self.pledge_type,
            "values": self.values,
            "department_id": self.department_id,
            "publish": self.publish,
        }


def received_on(today: date) -> date:
    """A pledge signed on a non-working day counts as received on the next working day."""
    cal = get_calendar()
    return today if cal.is_working_day(today) else cal.add_working_days(today, 1)


def _text(spec, raw: Any) -> str:
    value = "" if raw is None else str(raw).strip()
    if spec.max and len(value) > spec.max:
        raise ValidationFailed(details=[{"field": spec.name, "problem": f"at most {spec.max}"}])
    return value


def _items(spec, raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = re.split(r"[;；、\n]", raw)
    if not isinstance(raw, list):
        raise ValidationFailed(details=[{"field": spec.name, "problem": "a list of materials"}])
    items = [str(x).strip()[:100] for x in raw if str(x).strip()]
    if spec.max and len(items) > spec.max:
        raise ValidationFailed(details=[{"field": spec.name, "problem": f"at most {spec.max}"}])
    return items


def _days(spec, raw: Any, policy: Policy, today: date) -> int:
    limit = int(policy.value(spec.rule, today))
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= limit:
        raise ValidationFailed(
            f"补齐期限须为 1–{limit} 个工作日",
            f"{spec.name} must be 1-{limit} working days (policy {spec.rule})",
            details=[{"field": spec.name, "problem": f"1..{limit}", "rule": spec.rule}],
        )
    return days


def check_values(
    kind: PledgeType, raw: dict[str, Any], *, policy: Policy, today: date
) -> dict[str, Any]:
    """The type's fields, validated; 容缺 gets its due date counted in working days."""
    unknown = sorted(set(raw) - {f.name for f in kind.fields})
    if unknown:
        raise ValidationFailed(details=[{"field": n, "problem": "unknown field"} for n in unknown])
    out: dict[str, Any] = {}
    for spec in kind.fields:
        if spec.kind == "list":
            value: Any = _items(spec, raw.get(spec.name))
        elif spec.kind == "working_days":
            value = _days(spec, raw.get(spec.name), policy, today) if raw.get(spec.name) else 0
        else:
            value = _text(spec, raw.get(spec.name))
        if spec.required and not value:
            raise ValidationFailed(details=[{"field": spec.name, "problem": "required"}])
        out[spec.name] = value
    if "due_days" in out:
        out["due_on"] = get_calendar().add_working_days(received_on(today), out["due_days"])
    return out


def _no_personal_data(values: dict[str, Any], names: list[str]) -> None:
    """A public pledge carries no ID number, phone, or full name of the people behind it."""
    flat = " ".join(str(v) for v in values.values())
    if PERSONAL.search(flat) or any(len(n) > 1 and n in flat for n in names):
        raise ValidationFailed(
            "公开的承诺中不得填写身份证号码、手机号码、姓名等个人信息",
            "A public pledge must not contain ID numbers, phone numbers or personal names",
            code="personal_data_in_public_pledge",
        )


async def credit_office(jurisdiction: str) -> Department:
    """The credit office of the jurisdiction: it receives pledges with no accepting department."""
    staff = await StaffUser.filter(
        role=StaffRole.CREDIT_OFFICE, active=True, department__jurisdiction=jurisdiction
    ).first()
    if staff is not None:
        return await Department.get(id=staff.department_id)
    found = await Department.filter(jurisdiction=jurisdiction, name__contains="信用办").first()
    if found is None:
        raise NotFound("未找到信用主管部门", "No credit office in this jurisdiction")
    return found


async def _department(kind: PledgeType, department_id: int | None, policy: Policy) -> Department:
    if department_id is None:
        if kind.needs_department:
            raise ValidationFailed(details=[{"field": "department_id", "problem": "required"}])
        return await credit_office(policy.jurisdiction)
    found = await Department.get_or_none(id=department_id, jurisdiction=policy.jurisdiction)
    if found is None:
        raise ValidationFailed(details=[{"field": "department_id", "problem": "unknown"}])
    return found


async def _signer(actor: Actor, subject: Subject, authorisation_id: int | None) -> dict[str, Any]:
    if authorisation_id:
        auth = await AgentAuthorisation.get_or_none(id=authorisation_id, enterprise_id=subject.id)
        if auth is None:
            raise Forbidden("该授权不包含此项操作", "Outside the agent's granted scopes")
        role, name = "agent", auth.agent_name
    elif subject.kind == SubjectKind.NATURAL_PERSON:
        role, name = "citizen", subject.name
    elif subject.kind == SubjectKind.INDIVIDUAL_BUSINESS:
        role, name = "operator", subject.legal_rep_name or ""
    else:
        role, name = "legal_representative", subject.legal_rep_name or ""
    return {
        "role": role,
        "role_label": SIGNER_ZH[role],
        "name": name,
        "subject_id": actor.subject_id,
        "authorisation_id": authorisation_id,
    }


def public_name(subject: Subject) -> str:
    """The name a public pledge shows: the enterprise's name, a person's masked name."""
    person = subject.kind == SubjectKind.NATURAL_PERSON
    return mask_name(subject.name) if person else subject.name


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _title(kind: PledgeType, values: dict[str, Any]) -> str:
    what = next((str(values[k]) for k in TITLE_FIELDS if values.get(k)), "")
    return f"{kind.short}：{what}"[:100]


async def sign(
    *,
    actor: Actor,
    signing: Signing,
    policy: Policy,
    today: date,
    account_id: int | None = None,
    authorisation_id: int | None = None,
    idempotency_key: str | None = None,
) -> tuple[Case, bool]:
    """Sign a pledge; returns ``(case, created)`` — a retry with the same key gets the same one."""
    if actor.kind != "subject":
        raise Forbidden()
    require_scope(actor.scopes, SCOPE)
    kind = type_of(signing.pledge_type)
    scope = f"subject:{actor.subject_id}"
    fp = cases.fingerprint(signing.payload())
    earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
    if earlier is not None:
        return earlier, False
    values = check_values(kind, dict(signing.values), policy=policy, today=today)
    public = kind.always_public or signing.publish
    subject = await Subject.get(id=actor.subject_id)
    if kind.simplified:
        bar = await bars.active_bar(subject_id=subject.id, today=today)
        if bar is not None:
            raise SimplifiedProcedureBarred(details=bar)
    department = await _department(kind, signing.department_id, policy)
    signer = await _signer(actor, subject, authorisation_id)
    if public:
        person = subject.name if subject.kind == SubjectKind.NATURAL_PERSON else ""
        _no_personal_data(values, [person, subject.legal_rep_name or "", signer["name"]])
    filled = {
        **values,
        "department": department.name,
        "due_on": values["due_on"].isoformat() if values.get("due_on") else "",
    }
    text = kind.render(subject=subject.name, values=filled, public=public)
    wall_text = kind.render(subject=public_name(subject), values=filled, public=True)
    valid_until = add_months(today, kind.valid_months) if kind.valid_months else None
    stored = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    try:
        async with in_transaction():
            case, transition = await cases.open_case(
                kind=CaseKind.PLEDGE.value,
                actor=actor,
                department_id=department.id,
                policy=policy,
                today=today,
                subject_id=subject.id,
                account_id=account_id,
                title=_title(kind, values),
                data={
                    "type": kind.code,
                    "type_label": kind.label,
                    "public": public,
                    "due_on": stored.get("due_on"),
                    "values": stored,
                },
            )
            await Pledge.create(
                case=case,
                subject=subject,
                pledge_type=kind.code,
                template_version=version(),
                values=stored,
                text=text,
                text_sha256=digest(text),
                signer=signer,
                public=public,
                public_text=wall_text if public else "",
                signed_on=today,
                due_on=values.get("due_on"),
                valid_until=valid_until,
            )
            await cases.remember(scope=scope, key=idempotency_key, fingerprint_=fp, case=case)
            due = f"请于 {stored['due_on']} 前补齐材料。" if stored.get("due_on") else ""
            await cases.notify(
                case_type_of(case.kind),
                case,
                "file",
                transition,
                Effect(notice=f"承诺编号 {case.receipt}，{kind.label}已签署。{due}"),
            )
    except IntegrityError:
        earlier = await cases.replay(scope=scope, key=idempotency_key, fingerprint_=fp)
        if earlier is not None:
            return earlier, False
        raise
    return case, True


async def pledge_of(case: Case) -> Pledge:
    found = await Pledge.get_or_none(case_id=case.id)
    if found is None:
        raise PledgeNotFound()
    return found


def templates(*, policy: Policy, today: date) -> dict[str, Any]:
    """Every type with its fields (a working-days field with the policy maximum) and clauses."""
    items = []
    for kind in catalogue().values():
        fields = []
        for spec in kind.fields:
            view = spec.as_dict()
            if spec.rule:
                view["max"] = int(policy.value(spec.rule, today))
            fields.append(view)
        items.append(
            {
                "code": kind.code,
                "label": kind.label,
                "short": kind.short,
                "description": kind.description,
                "publish": kind.publish,
                "simplified_procedure": kind.simplified,
                "needs_department": kind.needs_department,
                "valid_months": kind.valid_months or None,
                "fields": fields,
                "body": kind.body,
                "consent_clause": kind.consent,
                "private_clause": kind.private or None,
                "liability_clause": kind.liability,
            }
        )
    return {"version": version(), "items": items}


async def own(*, subject_id: int, receipt: str) -> tuple[Pledge, Case]:
    """One of the subject's pledges by receipt (another's answers as not found)."""
    case = await Case.get_or_none(
        receipt=receipt.upper(), subject_id=subject_id, kind=CaseKind.PLEDGE.value
    )
    if case is None:
        raise PledgeNotFound()
    return await pledge_of(case), case


async def printable(*, subject_id: int, receipt: str) -> dict[str, Any]:
    """What the PDF of a signed pledge is made from."""
    pledge, case = await own(subject_id=subject_id, receipt=receipt)
    subject = await Subject.get(id=subject_id)
    department = await Department.get(id=case.department_id)
    return {
        "pledge": pledge,
        "case": case,
        "subject_name": subject.name,
        "department": department.name,
    }
