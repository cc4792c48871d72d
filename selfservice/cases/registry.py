"""The one registry of case types: adding a kind means a table, its flows and an entry here."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from selfservice.cases.enums import KIND_ZH, PREFIX, CaseKind
from selfservice.cases.flows import COMMON_FLOWS, Flow
from selfservice.cases.workflow import Workflow
from selfservice.errors import NotFound


@dataclass(frozen=True)
class CaseType:
    """A kind of case: its receipt prefix, label, agent scope, table, flows and notice titles."""

    kind: str
    prefix: str
    label_zh: str
    scope: str
    workflow: Workflow
    flows: Mapping[str, Flow] = field(default_factory=dict)
    notices: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{2}", self.prefix):
            raise ValueError(f"receipt prefix must be two capital letters: {self.prefix!r}")
        unknown = set(self.flows) - {m.action for m in self.workflow.moves}
        if unknown:
            raise ValueError(f"flows for actions not in the table: {sorted(unknown)}")

    def flow(self, action: str) -> Flow | None:
        return self.flows.get(action) or COMMON_FLOWS.get(action)


CASE_TYPES: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    """Add a kind (once); the staff queue, progress and sweeps then handle it."""
    for other in CASE_TYPES.values():
        if other.kind != case_type.kind and other.prefix == case_type.prefix:
            raise ValueError(f"prefix {case_type.prefix} already used by {other.kind}")
    CASE_TYPES[case_type.kind] = case_type
    return case_type


def unregister(kind: str) -> None:
    CASE_TYPES.pop(kind, None)


def case_type_of(kind: CaseKind | str) -> CaseType:
    try:
        return CASE_TYPES[str(kind)]
    except KeyError:
        raise NotFound("未知的办件类型", "Unknown case kind", code="unknown_case_kind") from None


def workflow_of(kind: CaseKind | str) -> Workflow:
    return case_type_of(kind).workflow


def kind_by_prefix(prefix: str) -> CaseType | None:
    return next((t for t in CASE_TYPES.values() if t.prefix == prefix), None)


def label_of(kind: CaseKind | str) -> str:
    found = CASE_TYPES.get(str(kind))
    return found.label_zh if found else KIND_ZH.get(CaseKind(kind), str(kind))


BUILTIN = (
    # kind, the package with its workflow and flows, the agent scope its subject moves need
    (CaseKind.OBJECTION, "objections", "objection"),
    (CaseKind.PLEDGE, "pledges", "pledge"),
    (CaseKind.REPAIR, "repairs", "repair"),
    (CaseKind.REPORT, "reports", "progress"),
)


def _builtin() -> None:
    """The product's kinds; imported here, late, because their flows import the case service."""
    for kind, package, scope in BUILTIN:
        workflow = importlib.import_module(f"selfservice.{package}.workflow")
        flows = importlib.import_module(f"selfservice.{package}.flows")
        register(
            CaseType(
                kind=kind.value,
                prefix=PREFIX[kind],
                label_zh=KIND_ZH[kind],
                scope=scope,
                workflow=workflow.WORKFLOW,
                flows=flows.FLOWS,
                notices=flows.NOTICES,
            )
        )


_builtin()
