"""Department scoping: which departments and subjects a staff role may see (a named policy)."""

from __future__ import annotations

from selfservice.auth.tokens import Principal
from selfservice.enums import DepartmentLevel, StaffRole
from selfservice.records.models import CreditRecord
from selfservice.staff.models import Department
from selfservice.subjects.models import Subject

# Roles whose reach includes the county departments under their own city department.
INCLUDES_CHILDREN = frozenset(
    {StaffRole.SUPERVISOR, StaffRole.CREDIT_OFFICE, StaffRole.AUDITOR, StaffRole.ADMIN}
)
# Roles that coordinate across providers and so see subjects by region, not by provider.
REGIONAL = frozenset({StaffRole.CREDIT_OFFICE, StaffRole.ADMIN})


def _roles(principal: Principal) -> set[StaffRole]:
    return {StaffRole(r) for r in principal.roles if r in StaffRole.__members__.values()}


async def departments_in_scope(principal: Principal) -> set[int]:
    """The staff member's own department, plus its county children when the role says so."""
    if principal.kind != "staff" or principal.department_id is None:
        return set()
    scope = {principal.department_id}
    if _roles(principal) & INCLUDES_CHILDREN:
        children = await Department.filter(parent_id=principal.department_id).values_list(
            "id", flat=True
        )
        scope.update(children)
    return scope


async def department_in_scope(principal: Principal, department_id: int) -> bool:
    return department_id in await departments_in_scope(principal)


async def _region_in_scope(principal: Principal, region_code: str) -> bool:
    depts = await Department.filter(id__in=await departments_in_scope(principal))
    for dept in depts:
        if dept.region_code == region_code:
            return True
        if dept.level == DepartmentLevel.CITY and region_code[:4] == dept.region_code[:4]:
            return True
        if dept.level == DepartmentLevel.PROVINCE and region_code[:2] == dept.region_code[:2]:
            return True
    return False


async def subject_in_scope(principal: Principal, subject: Subject) -> bool:
    """Regional roles see subjects of their region; others only subjects their departments filed on."""
    if _roles(principal) & REGIONAL and await _region_in_scope(principal, subject.region_code):
        return True
    depts = await departments_in_scope(principal)
    return await CreditRecord.filter(subject_id=subject.id, provider_id__in=depts).exists()
