"""The subject's public credit report for 1–5 years, issued with a verification code."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date
from typing import Any

from selfservice.audit import service as audit
from selfservice.creditreport.models import CreditReport
from selfservice.enums import ActorKind, SubjectKind
from selfservice.errors import NotFound, ValidationFailed
from selfservice.identifiers import mask_id_number, mask_name
from selfservice.pledges.views import for_report as pledge_lines
from selfservice.policy import Policy, add_months
from selfservice.records import status as record_status
from selfservice.records.models import CreditRecord
from selfservice.records.service import memberships
from selfservice.records.views import brief
from selfservice.subjects import service as subjects
from selfservice.subjects.models import Subject

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TITLE = "公共信用信息报告（专项版）"
NO_BAD = "报告期内未发现该主体存在不良信用信息（行政处罚、失信被执行人等违法失信记录）。"
VERIFY_PATH = "/api/v1/reports/verify/"


class ReportNotFound(NotFound):
    code = "report_not_found"
    message_zh, message_en = "未找到该验证码对应的信用报告", "No credit report with this code"


def new_code() -> str:
    """16 random characters (80 bits) in four groups, easy to type from paper."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _identity(subject: Subject) -> dict[str, Any]:
    number = subjects.id_number(subject)
    return {
        "name": subject.name,
        "kind": SubjectKind(subject.kind).value,
        "uscc": subject.uscc,
        "id_number": mask_id_number(number) if number else None,
        "legal_representative": subject.legal_rep_name,
    }


def digest_of(body: dict[str, Any]) -> str:
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


async def build(*, subject_id: int, years: int, policy: Policy, today: date) -> dict[str, Any]:
    """The report body: published records found within the span, repaired ones labelled 已修复."""
    if not 1 <= years <= 5:
        raise ValidationFailed("报告年限应为1至5年", "years must be 1 to 5", code="bad_years")
    subject = await Subject.get_or_none(id=subject_id)
    if subject is None:
        raise NotFound()
    since = add_months(today, -12 * years)
    rows = (
        await CreditRecord.filter(subject_id=subject_id, finding_date__gte=since)
        .select_related("provider")
        .order_by("-finding_date", "-id")
    )
    shown = [brief(r, today) for r in rows if record_status.is_published(r, today)]
    good = [_item(r) for r in shown if r["nature"] == "good"]
    bad = [_item(r) for r in shown if r["nature"] == "bad"]
    lists = [m for m in await memberships(subject_id=subject_id, today=today) if m["active"]]
    return {
        "title": TITLE,
        "subject": _identity(subject),
        "jurisdiction": policy.jurisdiction,
        "period": {"from": since.isoformat(), "to": today.isoformat(), "years": years},
        "issued_on": today.isoformat(),
        "good": good,
        "bad": bad,
        "lists": [
            {k: m[k] for k in ("kind", "label", "entered_on", "listed_through", "department")}
            for m in lists
        ],
        "statement": NO_BAD
        if not bad
        else f"报告期内共有{len(bad)}条不良信用信息，逐条列于下文“一、不良信用信息”。",
        "pledges": await pledge_lines(subject_id=subject_id, since=since),
        "counts": {"good": len(good), "bad": len(bad), "repaired": _repaired(bad)},
    }


def _item(r: dict[str, Any]) -> dict[str, Any]:
    keys = ("class_label", "title", "provider", "document_number", "finding_date")
    keys += ("severity_label", "published_through")
    return {k: r[k] for k in keys} | {"labels": [x["label"] for x in r["labels"]]}


def _repaired(items: list[dict[str, Any]]) -> int:
    return sum("已修复" in i["labels"] for i in items)


async def issue(
    *, subject_id: int, years: int, policy: Policy, today: date, base_url: str = ""
) -> dict[str, Any]:
    """Build the report and keep its digest under a fresh verification code."""
    body = await build(subject_id=subject_id, years=years, policy=policy, today=today)
    digest = digest_of(body)
    summary = {
        "name": body["subject"]["name"],
        "kind": body["subject"]["kind"],
        "counts": body["counts"],
        "jurisdiction": body["jurisdiction"],
    }
    report = await CreditReport.create(
        code=new_code(),
        subject_id=subject_id,
        years=years,
        period_from=date.fromisoformat(body["period"]["from"]),
        period_to=today,
        digest=digest,
        summary=summary,
    )
    path = VERIFY_PATH + report.code
    body["verification"] = {
        "code": report.code,
        "digest": digest,
        "path": path,
        "url": base_url.rstrip("/") + path if base_url else None,
    }
    return body


async def verify(*, code: str) -> dict[str, Any]:
    """Confirm a verification code: who the report is about, its span, counts and digest."""
    report = await CreditReport.get_or_none(code=code.strip().upper()[:24])
    if report is None:
        raise ReportNotFound()
    await audit.append(
        actor=audit.Actor(ActorKind.ANONYMOUS, role="report_verifier"),
        action="credit_report.verified",
        target=f"credit_report:{report.id}",
        subject_id=report.subject_id,
        purpose="第三方核验信用报告真实性",
    )
    person = report.summary.get("kind") == SubjectKind.NATURAL_PERSON.value
    name = report.summary.get("name", "")
    return {
        "valid": True,
        "code": report.code,
        "title": TITLE,
        "subject_name": mask_name(name) if person else name,
        "issued_at": report.issued_at.isoformat(),
        "period": {
            "from": report.period_from.isoformat(),
            "to": report.period_to.isoformat(),
            "years": report.years,
        },
        "counts": report.summary.get("counts", {}),
        "digest": report.digest,
    }
