"""Who acts on a case: a subject, a staff member, a provider system or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from selfservice.auth.tokens import Principal


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str  # subject | staff | provider | system
    id: str = ""
    roles: tuple[str, ...] = ()
    department_id: int | None = None
    subject_id: int | None = None
    staff_id: int | None = None
    scopes: frozenset[str] = frozenset({"all"})  # checked only by agents.require_scope

    @property
    def capacities(self) -> frozenset[str]:
        """What a transition table may require: ``subject``, ``provider``, ``system`` or a role."""
        if self.kind == "staff":
            return frozenset(self.roles)
        return frozenset({self.kind})

    @property
    def owner(self) -> str:
        """The evidence owner string of this actor."""
        return f"{self.kind}:{self.subject_id if self.kind == 'subject' else self.id}"


SYSTEM = Actor("system", "system")


def actor_of(principal: Principal) -> Actor:
    """The actor behind a verified token or API key."""
    if principal.kind == "subject":
        return Actor(
            "subject",
            str(principal.subject_id),
            subject_id=principal.subject_id,
            scopes=frozenset(principal.scopes),
        )
    if principal.kind == "staff":
        return Actor(
            "staff",
            str(principal.staff_id),
            roles=tuple(principal.roles),
            department_id=principal.department_id,
            staff_id=principal.staff_id,
        )
    return Actor("provider", principal.token_id, department_id=principal.department_id)
