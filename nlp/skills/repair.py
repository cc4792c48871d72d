"""Repair: the behaviour is corrected; take proof in the chat, then the repair form."""

from __future__ import annotations

from channels.message import Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import evidence_flow, record_label, record_ref


async def handle(turn: Turn) -> Reply:
    record = record_ref(turn) or None
    which = f"已为您预选{record_label(turn, record)}。" if record else ""
    intro = (
        f"信用修复免费办理。{which}需要两样材料：已纠正失信行为、消除不良影响的证明，"
        "以及按记录生成的《信用修复承诺书》（在表单中确认签署）。"
    )
    return await evidence_flow(
        turn,
        flow="repair",
        page="repair",
        title="填写信用修复申请",
        intro=intro,
        record=record,
        code=turn.slot("credit_code") or None,
    )
