"""The repair transition table: Yuxi art. 17–19 (local) and the national 2026 path (forwarded)."""

from __future__ import annotations

from selfservice.cases.enums import CaseKind
from selfservice.cases.workflow import Move, Step, Workflow
from selfservice.repairs.enums import RepairStatus as S

DECIDERS = frozenset({"handler", "supervisor", "credit_office"})
CREDIT_OFFICE = frozenset({"credit_office"})
ROUTERS = frozenset({"system", "credit_office"})
SUBJECT = frozenset({"subject"})
SYSTEM = frozenset({"system"})
BEFORE_DECISION = (S.SUBMITTED, S.CHECKING, S.CITY_CONSENT, S.FORWARDING, S.NATIONAL_REVIEW)
OPEN = (*BEFORE_DECISION, S.APPROVED, S.NATIONAL_APPROVED)
STAFFED = (S.CHECKING, S.CITY_CONSENT, S.APPROVED, S.NATIONAL_REVIEW, S.NATIONAL_APPROVED)

LABELS = {
    S.SUBMITTED: "已提交",
    S.CHECKING: "认定部门核查中",
    S.CITY_CONSENT: "待市直部门同意",
    S.APPROVED: "已同意修复，待信用办修复",
    S.FORWARDING: "待“信用中国”受理",
    S.NATIONAL_REVIEW: "认定部门审核中",
    S.NATIONAL_APPROVED: "已同意修复，待同步",
    S.REPAIRED: "已修复",
    S.REJECTED: "不予修复",
    S.WITHDRAWN: "已撤回",
}

MOVES: tuple[Move, ...] = (
    Move("route_local", S.SUBMITTED, S.CHECKING, ROUTERS, "转认定部门核查"),
    Move("forward", S.SUBMITTED, S.FORWARDING, ROUTERS, "转报“信用中国”网站"),
    Move("receive", S.FORWARDING, S.NATIONAL_REVIEW, SYSTEM | DECIDERS, "“信用中国”受理"),
    Move("approve", S.CHECKING, S.APPROVED, DECIDERS, "核查通过，同意修复"),
    Move("opinion", S.CHECKING, S.CITY_CONSENT, DECIDERS, "县区部门同意修复，报市直部门"),
    Move("consent", S.CITY_CONSENT, S.APPROVED, DECIDERS, "市直部门同意修复"),
    Move("apply", S.APPROVED, S.REPAIRED, CREDIT_OFFICE, "市信用办予以修复"),
    Move("approve", S.NATIONAL_REVIEW, S.NATIONAL_APPROVED, SYSTEM | DECIDERS, "认定部门同意修复"),
    Move("apply", S.NATIONAL_APPROVED, S.REPAIRED, SYSTEM | CREDIT_OFFICE, "修复结果同步生效"),
    *(
        Move("reject", s, S.REJECTED, DECIDERS | SYSTEM, "不予修复", reason_required=True)
        for s in (S.CHECKING, S.CITY_CONSENT, S.NATIONAL_REVIEW)
    ),
    *(Move("withdraw", s, S.WITHDRAWN, SUBJECT, "申请人撤回申请") for s in BEFORE_DECISION),
    *(Move("add_material", s, s, SUBJECT, "申请人补充材料") for s in BEFORE_DECISION),
    *(Move("assign", s, s, DECIDERS, "分派经办人", public=False) for s in STAFFED),
    *(Move("escalate", s, s, SYSTEM, "超期提醒上级", public=False) for s in OPEN),
)

STEPS = {
    S.SUBMITTED: Step("route", "分流", None, "按记录适用的规则转认定部门或“信用中国”网站"),
    S.CHECKING: Step("check", "核查", "repair.check_days", "认定部门核查整改情况并提出处理意见"),
    S.CITY_CONSENT: Step("consent", "市直部门同意", None, "市直部门审核县区部门的同意修复意见"),
    S.APPROVED: Step("apply", "信用办修复", "repair.credit_office_days", "市信用办予以修复"),
    S.FORWARDING: Step("forward", "转报", None, "等待“信用中国”网站受理并给出案件编号"),
    S.NATIONAL_REVIEW: Step("decide", "认定部门决定", "repair.decide_days", "认定部门作出决定"),
    S.NATIONAL_APPROVED: Step("sync", "同步", "repair.local_sync_days", "修复结果同步至本地平台"),
}

WORKFLOW = Workflow(
    kind=CaseKind.REPAIR,
    initial=S.SUBMITTED,
    labels={s.value: label for s, label in LABELS.items()},
    moves=MOVES,
    steps={s.value: step for s, step in STEPS.items()},
    final_rule_id=None,
    decisions=frozenset({S.REPAIRED.value, S.REJECTED.value}),
)
