"""Verify identity: hand off to the verification page (the chat never takes ID numbers)."""

from __future__ import annotations

from channels.message import Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import form_reply, menu

HOW = (
    "企业请准备统一社会信用代码和法定代表人（或授权经办人）的手机号，"
    "个人请准备身份证号码和本人手机号，按页面提示完成短信验证即可。"
)


async def handle(turn: Turn) -> Reply:
    turn.state.finish()
    if (await turn.who()).verified:
        return menu("您已完成身份核验，可以直接查询信用记录或办理业务。")
    return form_reply(
        turn,
        page="verify",
        title="去核验身份",
        text=f"查询和办理前需要先核验身份，防止他人查看或处理您的信用信息。{HOW}",
        code=turn.slot("credit_code") or None,
        channel=turn.identity.channel,
    )
