"""Report: a tip-off about someone else's dishonest conduct; evidence in the chat, then the form."""

from __future__ import annotations

from channels.message import Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import evidence_flow

INTRO = (
    "可以举报企业或个人的失信行为，实名或匿名均可，举报人信息严格保密，不会告知被举报人。"
    "匿名举报会得到受理编号和查询密码，用于查询进度和补充材料。"
)


async def handle(turn: Turn) -> Reply:
    return await evidence_flow(
        turn,
        flow="report",
        page="report",
        title="填写举报表",
        intro=INTRO,
        code=turn.slot("credit_code") or None,
    )
