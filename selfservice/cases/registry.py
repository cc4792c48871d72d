"""The one registry of case workflows by kind (repairs, pledges and reports add theirs here)."""

from __future__ import annotations

from selfservice.cases.enums import CaseKind
from selfservice.cases.workflow import Workflow
from selfservice.objections.workflow import WORKFLOW as OBJECTION

WORKFLOWS: dict[CaseKind, Workflow] = {CaseKind.OBJECTION: OBJECTION}


def workflow_of(kind: CaseKind | str) -> Workflow:
    return WORKFLOWS[CaseKind(kind)]
