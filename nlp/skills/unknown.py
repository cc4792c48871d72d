"""Unknown: say what the account can and cannot do."""

from __future__ import annotations

from channels.message import Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import CAPABILITIES, menu


async def handle(turn: Turn) -> Reply:
    return menu(
        "抱歉，我没有理解您的意思。"
        f"{CAPABILITIES}社保、公积金、个税、银行征信等业务请咨询对应部门。"
    )
