"""The shape of a case workflow: statuses, one transition table, who may move, which clock runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from selfservice.cases.actors import Actor
from selfservice.cases.enums import CaseKind
from selfservice.errors import Conflict, Forbidden, ValidationFailed


class BadCaseTransition(Conflict):
    code = "bad_case_transition"
    message_zh, message_en = "当前状态下不能进行此操作", "Not allowed in the case's current status"


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    message_zh, message_en = "此操作必须说明理由", "This action requires a stated reason"


@dataclass(frozen=True, slots=True)
class Move:
    """One row of a transition table: ``action`` from ``source`` leads to ``target``."""

    action: str
    source: str
    target: str
    who: frozenset[str]
    label_zh: str
    reason_required: bool = False
    public: bool = True

    def __post_init__(self) -> None:
        # plain strings, so lookups by a status read from the database always match
        object.__setattr__(self, "source", str(self.source))
        object.__setattr__(self, "target", str(self.target))


@dataclass(frozen=True, slots=True)
class Step:
    """The clock that runs while a case sits in a status."""

    name: str
    label_zh: str
    rule_id: str | None = None  # working days from the policy; None: runs to the final due date
    next_zh: str = ""


@dataclass(frozen=True)
class Workflow:
    kind: CaseKind
    initial: str
    labels: dict[str, str]
    moves: tuple[Move, ...]
    steps: dict[str, Step]
    final_rule_id: str | None = None
    decisions: frozenset[str] = frozenset()
    table: dict[tuple[str, str], Move] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        table: dict[tuple[str, str], Move] = {}
        for move in self.moves:
            key = (move.source, move.action)
            if key in table:
                raise ValueError(f"duplicate transition {key}")
            if move.source not in self.labels or move.target not in self.labels:
                raise ValueError(f"unknown status in {key}")
            table[key] = move
        object.__setattr__(self, "table", table)

    @property
    def final(self) -> frozenset[str]:
        return frozenset(s for s in self.labels if s not in self.steps)

    def is_open(self, status: str) -> bool:
        return status not in self.final

    def move(self, status: str, action: str, actor: Actor, reason: str = "") -> Move:
        """The table row for ``action`` in ``status``, checked against the actor and reason."""
        move = self.table.get((status, action))
        if move is None:
            raise BadCaseTransition(
                f"“{self.labels.get(status, status)}”状态下不能执行该操作",
                f"Action {action!r} is not allowed in status {status!r}",
                details={"status": status, "action": action},
            )
        if not move.who & actor.capacities:
            raise Forbidden(
                "您无权执行此操作", "Not allowed for your role", code="transition_forbidden"
            )
        if move.reason_required and not reason.strip():
            raise ReasonRequired()
        return move

    def allowed(self, status: str, actor: Actor, *, exclude: Iterable[str] = ()) -> list[Move]:
        """The moves ``actor`` may make now: the case page shows only these."""
        skip = set(exclude)
        return [
            m
            for (source, action), m in self.table.items()
            if source == status and action not in skip and m.who & actor.capacities
        ]
