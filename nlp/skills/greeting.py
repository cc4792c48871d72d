"""Greeting: who we are and what we can do, with the main menu."""

from __future__ import annotations

from channels.message import Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import CAPABILITIES, menu


async def handle(turn: Turn) -> Reply:
    return menu(f"您好，这里是信用自助服务。{CAPABILITIES}请直接说您想办的事，或点选下面的按钮。")
