"""Pledges as plain dicts: the signer's own view, the summary block and the credit report lines."""

from __future__ import annotations

from datetime import date
from typing import Any

from selfservice.cases.models import Case
from selfservice.pledges import bars
from selfservice.pledges.models import Pledge
from selfservice.pledges.types import catalogue
from selfservice.pledges.workflow import LABELS, OPEN, PledgeStatus
from selfservice.staff.models import Department

KEPT_ZH = {
    PledgeStatus.ACTIVE: "履约中",
    PledgeStatus.BREACH_SUSPECTED: "逾期未履约，待核实",
    PledgeStatus.FULFILLED: "已按承诺履行",
    PledgeStatus.BREACHED: "违背承诺",
    PledgeStatus.EXPIRED: "期满，未发现违诺",
    PledgeStatus.WITHDRAWN: "已撤回",
}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _type_label(code: str) -> str:
    found = catalogue().get(code)
    return found.label if found else code


def brief(pledge: Pledge, case: Case) -> dict[str, Any]:
    status = PledgeStatus(case.status)
    return {
        "receipt": case.receipt,
        "type": pledge.pledge_type,
        "type_label": _type_label(pledge.pledge_type),
        "title": case.title,
        "status": status.value,
        "status_label": LABELS[status],
        "kept": KEPT_ZH[status],
        "signed_on": pledge.signed_on.isoformat(),
        "due_on": _iso(pledge.due_on),
        "valid_until": _iso(pledge.valid_until),
        "closed_on": _iso(case.closed_on),
        "public": pledge.public,
    }


async def own_view(*, pledge: Pledge, case: Case) -> dict[str, Any]:
    """The signer's view: the frozen text with its hash, the signer, dates and status."""
    department = await Department.get(id=case.department_id)
    return brief(pledge, case) | {
        "department": department.name,
        "values": pledge.values,
        "text": pledge.text,
        "text_sha256": pledge.text_sha256,
        "template_version": pledge.template_version,
        "signer": {
            "role": pledge.signer.get("role"),
            "role_label": pledge.signer.get("role_label"),
        },
        "breach_record_id": pledge.breach_record_id,
        "pdf": f"/api/v1/pledges/{case.receipt}/pdf",
    }


async def _rows(subject_id: int, since: date | None = None) -> list[tuple[Pledge, Case]]:
    query = Pledge.filter(subject_id=subject_id).prefetch_related("case")
    if since is not None:
        query = query.filter(signed_on__gte=since)
    return [(p, p.case) for p in await query.order_by("-signed_on", "-id")]


async def for_summary(*, subject_id: int, today: date) -> dict[str, Any]:
    """Counts by status, the open pledges and the no-simplified-procedure flag with its end."""
    rows = await _rows(subject_id)
    counts = {s.value: 0 for s in PledgeStatus}
    for _, case in rows:
        counts[case.status] += 1
    flags = await bars.for_subject(subject_id=subject_id, today=today)
    return {
        "total": len(rows),
        "by_status": counts,
        "open": [brief(p, c) for p, c in rows if c.status in OPEN],
        "no_simplified_procedure": next((f for f in flags if f["active"]), None),
        "bars": flags,
    }


async def for_report(*, subject_id: int, since: date) -> list[dict[str, Any]]:
    """Each pledge signed in the report's span and how it was kept (withdrawn ones left out)."""
    return [
        {k: v for k, v in brief(p, c).items() if k != "public"}
        for p, c in await _rows(subject_id, since)
        if c.status != PledgeStatus.WITHDRAWN
    ]
