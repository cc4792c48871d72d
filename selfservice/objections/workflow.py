"""The objection transition table (Yuxi art. 21–24, Kunming task 19)."""

from __future__ import annotations

from selfservice.cases.enums import CaseKind
from selfservice.cases.workflow import Move, Step, Workflow
from selfservice.objections.enums import ObjectionStatus as S

DECIDERS = frozenset({"handler", "supervisor", "credit_office"})
OPINION_WRITERS = DECIDERS | {"provider"}
SUBJECT = frozenset({"subject"})
SUPERVISOR = frozenset({"supervisor", "credit_office"})
SYSTEM = frozenset({"system"})
OPEN = (S.SUBMITTED, S.ACCEPTED, S.FORWARDED, S.OPINION_RECEIVED)

LABELS = {
    S.SUBMITTED: "待受理",
    S.ACCEPTED: "已受理",
    S.FORWARDED: "核实中",
    S.OPINION_RECEIVED: "待作出决定",
    S.DECIDED: "已办结",
    S.REFUSED: "不予受理",
    S.WITHDRAWN: "已撤回",
}

MOVES: tuple[Move, ...] = (
    Move("accept", S.SUBMITTED, S.ACCEPTED, DECIDERS, "受理异议申请"),
    Move("refuse", S.SUBMITTED, S.REFUSED, DECIDERS, "不予受理", reason_required=True),
    Move("forward", S.ACCEPTED, S.FORWARDED, DECIDERS, "转信息提供单位核实"),
    Move(
        "opinion",
        S.FORWARDED,
        S.OPINION_RECEIVED,
        OPINION_WRITERS,
        "信息提供单位出具书面意见",
        reason_required=True,
    ),
    Move("decide", S.OPINION_RECEIVED, S.DECIDED, DECIDERS, "作出处理决定", reason_required=True),
    *(Move("withdraw", s, S.WITHDRAWN, SUBJECT, "申请人撤回异议") for s in OPEN),
    *(Move("add_material", s, s, SUBJECT, "申请人补充材料") for s in OPEN),
    *(Move("extend", s, s, SUPERVISOR, "延长办理期限", reason_required=True) for s in OPEN),
    *(Move("assign", s, s, DECIDERS, "分派经办人", public=False) for s in OPEN),
    *(Move("escalate", s, s, SYSTEM, "超期提醒上级", public=False) for s in OPEN),
)

STEPS = {
    S.SUBMITTED: Step("accept", "受理", None, "等待受理审查"),
    S.ACCEPTED: Step("forward", "转办", None, "转信息提供单位核实"),
    S.FORWARDED: Step(
        "provider_opinion", "提供单位核实", "objection.provider_answer_days", "等待提供单位书面意见"
    ),
    S.OPINION_RECEIVED: Step("decision", "作出决定", None, "作出处理决定并书面答复"),
}

WORKFLOW = Workflow(
    kind=CaseKind.OBJECTION,
    initial=S.SUBMITTED,
    labels={s.value: label for s, label in LABELS.items()},
    moves=MOVES,
    steps={s.value: step for s, step in STEPS.items()},
    final_rule_id="objection.decision_days",
    decisions=frozenset({S.DECIDED.value, S.REFUSED.value}),
)
