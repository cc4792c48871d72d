"""Case visibility, a named policy: which staff and providers may see which cases.

Staff see the cases of the departments in their scope (their own, plus county children for
supervisors and above); the credit office, auditors and admins see every case of their
jurisdiction; a provider system sees cases on the records it provided. Subjects see their own.
"""

from __future__ import annotations

from selfservice.cases.actors import Actor
from selfservice.cases.models import Case
from selfservice.enums import StaffRole
from selfservice.staff.models import Department

JURISDICTION_WIDE = frozenset({StaffRole.CREDIT_OFFICE, StaffRole.AUDITOR, StaffRole.ADMIN})
INCLUDES_CHILDREN = frozenset(
    {StaffRole.SUPERVISOR, StaffRole.CREDIT_OFFICE, StaffRole.AUDITOR, StaffRole.ADMIN}
)


async def departments_for(actor: Actor) -> set[int]:
    """Departments whose cases ``actor`` (staff or provider) may see."""
    if actor.kind not in ("staff", "provider") or actor.department_id is None:
        return set()
    own = await Department.get_or_none(id=actor.department_id)
    if own is None:
        return set()
    if actor.kind == "provider":
        return {own.id}
    roles = set(actor.roles)
    if roles & JURISDICTION_WIDE:
        ids = await Department.filter(jurisdiction=own.jurisdiction).values_list("id", flat=True)
        return set(ids)
    scope = {own.id}
    if roles & INCLUDES_CHILDREN:
        scope.update(await Department.filter(parent_id=own.id).values_list("id", flat=True))
    return scope


async def can_see(actor: Actor, case: Case) -> bool:
    """Whether ``actor`` may see ``case`` at all (otherwise it answers 404)."""
    if actor.kind == "system":
        return True
    if actor.kind == "subject":
        return case.subject_id is not None and case.subject_id == actor.subject_id
    return case.department_id in await departments_for(actor)
