"""One transition primitive for every stateful thing that is not a case (records, agents, outbox)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from selfservice.errors import Conflict

S = TypeVar("S", bound=StrEnum)


class BadStateTransition(Conflict):
    code = "bad_state_transition"
    message_zh, message_en = "当前状态下不能进行此变更", "Not allowed from the current state"


class StateTable(Generic[S]):
    """The allowed moves between the states of one thing; every state must be listed."""

    def __init__(
        self,
        states: type[S],
        edges: Mapping[S, Iterable[S]],
        *,
        labels: Mapping[S, str] | None = None,
        error: type[Conflict] = BadStateTransition,
    ) -> None:
        missing = set(states) - set(edges)
        if missing:
            raise ValueError(f"states without a row: {sorted(missing)}")
        self.states = states
        self.edges: dict[S, frozenset[S]] = {s: frozenset(edges[s]) for s in states}
        self.labels = dict(labels or {})
        self.error = error

    def can(self, current: S | str, target: S | str) -> bool:
        return self.states(target) in self.edges[self.states(current)]

    def targets(self, current: S | str) -> frozenset[S]:
        return self.edges[self.states(current)]

    def final(self) -> frozenset[S]:
        return frozenset(s for s, out in self.edges.items() if not out)

    def check(self, current: S | str, target: S | str) -> S:
        """``target`` as a state when the table allows the move, else the table's error."""
        if not self.can(current, target):
            a, b = self.states(current), self.states(target)
            details = {"from": a.value, "to": b.value}
            if not self.labels:
                raise self.error(details=details)
            raise self.error(
                f"状态不能从“{self.labels.get(a, a.value)}”变为“{self.labels.get(b, b.value)}”",
                f"Cannot go from {a.value} to {b.value}",
                details=details,
            )
        return self.states(target)
