"""Cancel: leave whatever flow is open ("取消", "算了")."""

from __future__ import annotations

from channels.message import Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import menu

FLOW_NAMES = {
    "verify_identity": "身份核验",
    "query_records": "信用记录查询",
    "objection": "异议申请",
    "repair": "信用修复申请",
    "pledge": "信用承诺",
    "report": "失信举报",
    "progress": "进度查询",
}


async def handle(turn: Turn) -> Reply:
    state = turn.state
    name = FLOW_NAMES.get(state.flow, "")
    state.finish()
    for item in ("draft", "evidence_count"):
        state.context.pop(item, None)
    text = f"已退出{name}，之前填写的内容不会提交。" if name else "好的，已取消。"
    return menu(text + "还有什么可以帮您？")
