"""The tip transition table: received → accepted / redirected / rejected → investigating → concluded."""

from __future__ import annotations

from selfservice.cases.enums import CaseKind
from selfservice.cases.workflow import Move, Step, Workflow
from selfservice.reports.enums import TipStatus as S

DECIDERS = frozenset({"handler", "supervisor", "credit_office"})
SYSTEM = frozenset({"system"})
OPEN = (S.RECEIVED, S.ACCEPTED, S.INVESTIGATING)

LABELS = {
    S.RECEIVED: "已收到",
    S.ACCEPTED: "已受理",
    S.REDIRECTED: "已告知去向",
    S.REJECTED: "不予受理",
    S.INVESTIGATING: "调查核实中",
    S.CONCLUDED: "已办结",
    S.LINKED: "已并案处理",
}

MOVES: tuple[Move, ...] = (
    Move("accept", S.RECEIVED, S.ACCEPTED, DECIDERS, "受理（立案）"),
    Move("redirect", S.RECEIVED, S.REDIRECTED, DECIDERS, "不属本平台受理，告知去向", True),
    Move("reject", S.RECEIVED, S.REJECTED, DECIDERS, "不予受理", reason_required=True),
    Move("link", S.RECEIVED, S.LINKED, SYSTEM, "与在先举报并案", public=False),
    Move("investigate", S.ACCEPTED, S.INVESTIGATING, DECIDERS, "调查核实"),
    Move("conclude", S.INVESTIGATING, S.CONCLUDED, DECIDERS, "作出核查结论", True),
    Move("create_record", S.CONCLUDED, S.CONCLUDED, DECIDERS, "依核查结论归集失信记录"),
    *(Move("assign", s, s, DECIDERS, "分派经办人", public=False) for s in OPEN),
    *(Move("escalate", s, s, SYSTEM, "超期提醒上级", public=False) for s in OPEN),
)

STEPS = {
    S.RECEIVED: Step(
        "feedback", "告知是否受理", "report.feedback_days", "审查是否受理，并告知举报人"
    ),
    S.ACCEPTED: Step("investigate", "调查核实", None, "组织调查核实"),
    S.INVESTIGATING: Step("conclude", "作出结论", None, "作出核查结论并告知举报人"),
}

WORKFLOW = Workflow(
    kind=CaseKind.REPORT,
    initial=S.RECEIVED,
    labels={s.value: label for s, label in LABELS.items()},
    moves=MOVES,
    steps={s.value: step for s, step in STEPS.items()},
    final_rule_id=None,
    decisions=frozenset({S.CONCLUDED.value, S.REJECTED.value, S.REDIRECTED.value}),
)
