"""The one registry of case types: adding a kind means a table, its flows and an entry here."""

from __future__ import annotations

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


def _builtin() -> None:
    from selfservice.objections.flows import FLOWS as OBJECTION_FLOWS
    from selfservice.objections.flows import NOTICES as OBJECTION_NOTICES
    from selfservice.objections.workflow import WORKFLOW as OBJECTION

    register(
        CaseType(
            kind=CaseKind.OBJECTION.value,
            prefix=PREFIX[CaseKind.OBJECTION],
            label_zh=KIND_ZH[CaseKind.OBJECTION],
            scope="objection",
            workflow=OBJECTION,
            flows=OBJECTION_FLOWS,
            notices=OBJECTION_NOTICES,
        )
    )
    from selfservice.pledges.flows import FLOWS as PLEDGE_FLOWS
    from selfservice.pledges.flows import NOTICES as PLEDGE_NOTICES
    from selfservice.pledges.workflow import WORKFLOW as PLEDGE

    register(
        CaseType(
            kind=CaseKind.PLEDGE.value,
            prefix=PREFIX[CaseKind.PLEDGE],
            label_zh=KIND_ZH[CaseKind.PLEDGE],
            scope="pledge",
            workflow=PLEDGE,
            flows=PLEDGE_FLOWS,
            notices=PLEDGE_NOTICES,
        )
    )

    from selfservice.repairs.flows import FLOWS as REPAIR_FLOWS
    from selfservice.repairs.flows import NOTICES as REPAIR_NOTICES
    from selfservice.repairs.workflow import WORKFLOW as REPAIR

    register(
        CaseType(
            kind=CaseKind.REPAIR.value,
            prefix=PREFIX[CaseKind.REPAIR],
            label_zh=KIND_ZH[CaseKind.REPAIR],
            scope="repair",
            workflow=REPAIR,
            flows=REPAIR_FLOWS,
            notices=REPAIR_NOTICES,
        )
    )

    from selfservice.reports.flows import FLOWS as REPORT_FLOWS
    from selfservice.reports.flows import NOTICES as REPORT_NOTICES
    from selfservice.reports.workflow import WORKFLOW as REPORT

    register(
        CaseType(
            kind=CaseKind.REPORT.value,
            prefix=PREFIX[CaseKind.REPORT],
            label_zh=KIND_ZH[CaseKind.REPORT],
            scope="progress",
            workflow=REPORT,
            flows=REPORT_FLOWS,
            notices=REPORT_NOTICES,
        )
    )


_builtin()
