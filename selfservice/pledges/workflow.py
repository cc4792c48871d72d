"""The pledge transition table: active → fulfilled | breached | expired | withdrawn."""

from __future__ import annotations

from enum import StrEnum

from selfservice.cases.enums import CaseKind
from selfservice.cases.workflow import Move, Step, Workflow


class PledgeStatus(StrEnum):
    ACTIVE = "active"
    BREACH_SUSPECTED = "breach_suspected"
    FULFILLED = "fulfilled"
    BREACHED = "breached"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


S = PledgeStatus
STAFF = frozenset({"handler", "supervisor", "credit_office"})
SUBJECT = frozenset({"subject"})
SYSTEM = frozenset({"system"})
OPEN = (S.ACTIVE, S.BREACH_SUSPECTED)

LABELS = {
    S.ACTIVE: "履约中",
    S.BREACH_SUSPECTED: "逾期未履约，待核实",
    S.FULFILLED: "已履约",
    S.BREACHED: "违背承诺",
    S.EXPIRED: "期满",
    S.WITHDRAWN: "已撤回",
}

MOVES: tuple[Move, ...] = (
    Move("fulfil", S.ACTIVE, S.FULFILLED, STAFF, "确认已履行承诺"),
    Move(
        "fulfil",
        S.BREACH_SUSPECTED,
        S.FULFILLED,
        STAFF,
        "核实后确认已履行承诺",
        reason_required=True,
    ),
    Move("suspect_breach", S.ACTIVE, S.BREACH_SUSPECTED, SYSTEM | STAFF, "逾期未履约，转人工核实"),
    Move("breach", S.ACTIVE, S.BREACHED, STAFF, "认定违背承诺", reason_required=True),
    Move("breach", S.BREACH_SUSPECTED, S.BREACHED, STAFF, "认定违背承诺", reason_required=True),
    Move("expire", S.ACTIVE, S.EXPIRED, SYSTEM, "承诺期满"),
    Move("withdraw", S.ACTIVE, S.WITHDRAWN, SUBJECT, "承诺人撤回承诺"),
    *(Move("add_material", s, s, SUBJECT, "承诺人提交材料") for s in OPEN),
    *(Move("assign", s, s, STAFF, "分派经办人", public=False) for s in OPEN),
    *(Move("escalate", s, s, SYSTEM, "超期提醒上级", public=False) for s in OPEN),
)

STEPS = {
    S.ACTIVE: Step("keep", "履行承诺", None, "承诺人按承诺履行；受理部门核查"),
    S.BREACH_SUSPECTED: Step("verify", "核实违诺", None, "受理部门核实是否违背承诺"),
}

WORKFLOW = Workflow(
    kind=CaseKind.PLEDGE,
    initial=S.ACTIVE,
    labels={s.value: label for s, label in LABELS.items()},
    moves=MOVES,
    steps={s.value: step for s, step in STEPS.items()},
    final_rule_id=None,
    decisions=frozenset({S.FULFILLED.value, S.BREACHED.value}),
)
