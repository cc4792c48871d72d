"""A credit code with a wrong check character: say so and ask for it again."""

from __future__ import annotations

from channels.message import QuickReply, Reply
from nlp.dialogue.turn import Turn


async def handle(turn: Turn) -> Reply:
    code = turn.slots.get("invalid_credit_code", "")
    return Reply(
        text=(
            f"「{code}」不是有效的统一社会信用代码：代码校验位不对。第 18 位是按国家标准"
            "（GB 32100）由前 17 位算出的校验码，对不上说明有字符输错了（常见的是 0 和 O、"
            "1 和 I 混淆）。请对照营业执照核对后重新发送。"
        ),
        quick_replies=(QuickReply("取消"),),
    )
