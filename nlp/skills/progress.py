"""Progress: a verified subject's cases by receipt number or as a list; otherwise how to check."""

from __future__ import annotations

import re
from typing import Any

from channels.message import Link, Reply
from nlp.dialogue.turn import Turn
from selfservice.cases.views import own_case, own_cases, subject_view
from selfservice.errors import NotFound
from selfservice.objections.enums import OUTCOME_ZH, Outcome

PREFIXES = {"YY": "异议申请", "XF": "信用修复申请", "CN": "信用承诺", "JB": "失信举报"}
RECEIPT = re.compile(r"^([A-Z]{2})(\d{8})-(\d{4})$")
ASK = "请发送受理回执上的编号（如 YY20261122-0042），我帮您查进度。回复「取消」可退出。"
LIST_LIMIT = 5


def _how_to_check(turn: Turn) -> tuple[Link, ...]:
    return (
        Link("我的办理", turn.link("cases")),
        Link("匿名举报查询", turn.link("report-status")),
    )


def _deadline(view: dict[str, Any]) -> str:
    clock = view.get("deadline") or {}
    due = clock.get("step_due") or clock.get("due")
    if view.get("closed_on") or not due:
        return ""
    left = clock.get("working_days_left")
    if clock.get("overdue"):
        return f"，办理期限 {due}（已超期，我们已提醒承办部门）"
    return f"，办理期限 {due}（还剩 {left} 个工作日）" if left is not None else f"，办理期限 {due}"


def outcome_of(data: dict[str, Any]) -> str:
    """The decision a closed case came to, as the subject reads it ("" while undecided)."""
    decision = data.get("decision") or {}
    outcome = decision.get("outcome")
    label = decision.get("outcome_label") or decision.get("label")
    if not label and outcome in {o.value for o in Outcome}:
        label = OUTCOME_ZH[Outcome(outcome)]
    if not label:
        return ""
    on = f"（{decision['on']}）" if decision.get("on") else ""
    reply = f"。答复：{decision['reply']}" if decision.get("reply") else ""
    return f"处理结果：{label}{on}{reply}"


def _line(view: dict[str, Any], outcome: str = "") -> str:
    tail = f"，{outcome}" if outcome else ""
    return (
        f"{view['receipt']} {view['kind_label']}：{view['status_label']}"
        f"（承办：{view['handling_department']}）{_deadline(view)}{tail}"
    )


async def _case_reply(turn: Turn, receipt: str) -> Reply | None:
    try:
        case = await own_case(subject_id=(await turn.who()).subject_id, receipt=receipt)
    except NotFound:
        return None
    view = await subject_view(case=case, today=turn.services.clock.today())
    text = _line(view, outcome_of(view.get("data") or {}))
    step = view.get("next_step")
    if step:
        text += f"\n下一步：{step['text']}"
    return Reply(text=text, links=(Link("查看详情", turn.link("cases", receipt=receipt)),))


async def _list_reply(turn: Turn) -> Reply | None:
    views = await own_cases(
        subject_id=(await turn.who()).subject_id, today=turn.services.clock.today()
    )
    if not views:
        return None
    shown = views[:LIST_LIMIT]
    subject_id = (await turn.who()).subject_id
    lines = []
    for n, view in enumerate(shown, start=1):
        outcome = ""
        if view.get("closed_on"):
            case = await own_case(subject_id=subject_id, receipt=view["receipt"])
            outcome = outcome_of(case.data or {})
        lines.append(f"{n}. {_line(view, outcome)}")
    more = (
        f"\n另有 {len(views) - LIST_LIMIT} 件，请在「我的办理」查看。"
        if len(views) > LIST_LIMIT
        else ""
    )
    return Reply(
        text="您的办理事项：\n" + "\n".join(lines) + more + "\n发送受理编号可查看详情。",
        links=_how_to_check(turn),
    )


async def handle(turn: Turn) -> Reply:
    receipt = turn.slot("receipt").upper()
    verified = (await turn.who()).verified
    if not receipt:
        if verified and not (turn.state.flow == "progress" and turn.state.awaiting == "receipt"):
            listed = await _list_reply(turn)
            if listed is not None:
                turn.state.start("progress", awaiting="receipt")
                return listed
        again = turn.state.flow == "progress" and turn.state.awaiting == "receipt"
        turn.state.start("progress", awaiting="receipt")
        lead = "没有识别到受理编号。" if again else ""
        return Reply(text=lead + ASK, links=_how_to_check(turn))
    turn.state.finish()
    match = RECEIPT.match(receipt)
    if match is None or match.group(1) not in PREFIXES:
        return Reply(
            text=f"「{receipt}」不是本平台的受理编号。编号以 YY（异议）、XF（修复）、CN（承诺）"
            "或 JB（举报）开头，后接日期和 4 位序号，如 YY20261122-0042。",
            links=_how_to_check(turn),
        )
    if verified:
        found = await _case_reply(turn, receipt)
        if found is not None:
            return found
    kind = PREFIXES[match.group(1)]
    privacy = "" if verified else "为保护申请人信息，办理进度仅向核验身份后的本人显示。"
    return Reply(
        text=(
            f"{privacy}没有找到您名下受理编号为 {receipt} 的{kind}。请核对编号是否与受理回执完全一致；"
            "登录并完成身份核验后可在「我的办理」查看全部进度，"
            "匿名举报请在举报查询页输入受理编号和查询密码。"
        ),
        links=_how_to_check(turn),
    )
