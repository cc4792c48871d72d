"""Objection: a record is wrong; start the objection form with the record preselected."""

from __future__ import annotations

from channels.message import Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import CANCEL_HINT, form_reply, record_label, record_ref

FLOW = "objection"


def _terms(turn: Turn) -> str:
    answer = turn.rule("objection.provider_answer_days", 10)
    decide = turn.rule("objection.decision_days", 15)
    suspend = turn.rule("objection.suspend_measures_while_pending", False)
    effect = "核实期间相关联合惩戒措施暂不执行。" if suspend else "异议处理期间不影响该记录的处理。"
    return (
        f"提交后该记录会立即标注「异议处理中」，信息提供单位 {answer} 个工作日内书面核实，"
        f"{decide} 个工作日内作出处理决定并书面答复您。{effect}"
    )


async def handle(turn: Turn) -> Reply:
    state = turn.state
    record = record_ref(turn)
    shown = state.context.get("records", [])
    if not record and len(shown) > 1 and not (state.flow == FLOW and state.awaiting == "record"):
        state.start(FLOW, awaiting="record")
        return Reply(text=f"您要对哪一条记录提出异议？请回复序号 1—{len(shown)}。{CANCEL_HINT}")
    state.finish()
    verify = "" if (await turn.who()).verified else "提交前需要先核验身份，表单页面会引导您完成。"
    if record:
        lead = (
            f"好的，已为您预选{record_label(turn, record)}。请在表单中说明哪里不对并上传证明材料。"
        )
    else:
        lead = (
            "记录内容有误、期限有误或修复结果有误，都可以提出异议。"
            "请在表单中选择记录，说明哪里不对并上传证明材料。"
        )
    return form_reply(
        turn,
        page=FLOW,
        title="填写异议申请",
        text=lead + verify + _terms(turn),
        record=record or None,
        code=turn.slot("credit_code") or None,
    )
