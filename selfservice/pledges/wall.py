"""The public pledge wall: public pledges, searchable by enterprise name or code, no personal data."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from selfservice.enums import SubjectKind
from selfservice.errors import ValidationFailed
from selfservice.pledges.models import Pledge
from selfservice.pledges.service import public_name
from selfservice.pledges.types import catalogue
from selfservice.pledges.workflow import LABELS, PledgeStatus

MAX_PER_PAGE = 50


def _item(pledge: Pledge) -> dict[str, Any]:
    subject, case = pledge.subject, pledge.case
    person = subject.kind == SubjectKind.NATURAL_PERSON
    kind = catalogue().get(pledge.pledge_type)
    status = PledgeStatus(case.status)
    return {
        "receipt": case.receipt,
        "name": public_name(subject),
        "code": None if person else subject.uscc,
        "subject_kind": str(subject.kind),
        "type": pledge.pledge_type,
        "type_label": kind.label if kind else pledge.pledge_type,
        "text": pledge.public_text,
        "signed_on": pledge.signed_on.isoformat(),
        "valid_until": pledge.valid_until.isoformat() if pledge.valid_until else None,
        "status": status.value,
        "status_label": LABELS[status],
    }


async def wall(*, q: str = "", page: int = 1, per_page: int = 20) -> dict[str, Any]:
    """One page of public pledges, newest first; a person is found by no name and shown masked."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed("分页参数有误", "Bad paging", code="bad_paging")
    query = Pledge.filter(public=True).exclude(case__status=PledgeStatus.WITHDRAWN.value)
    q = q.strip()[:100]
    if q:
        query = query.filter(
            Q(subject__uscc__icontains=q)
            | (Q(subject__name__icontains=q) & ~Q(subject__kind=SubjectKind.NATURAL_PERSON))
        )
    total = await query.count()
    rows = (
        await query.order_by("-signed_on", "-id")
        .offset((page - 1) * per_page)
        .limit(per_page)
        .prefetch_related("subject", "case")
    )
    return {
        "items": [_item(p) for p in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
        "q": q,
    }
