"""Non-conversational inputs: follow and unfollow, silent events, locations, media we cannot read."""

from __future__ import annotations

from channels.message import Kind, Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import CAPABILITIES, menu

SERVICE_HALL = "线下可到各级政务服务中心的信用窗口办理，或拨打 12345 政务服务便民热线。"


async def welcome(turn: Turn) -> Reply:
    """Follow (subscribe) event: welcome and the menu."""
    await turn.who()  # a follower gets an account now (the first contact creates it)
    return menu(f"感谢关注「信用自助服务」！{CAPABILITIES}直接发文字或语音告诉我您想办的事。")


async def farewell(turn: Turn) -> Reply:
    """Unfollow: nothing can be sent any more; the engine forgets the conversation."""
    return Reply()


async def silent(turn: Turn) -> Reply:
    """Events WeChat does not expect an answer to (VIEW, reported location)."""
    return Reply()


async def location(turn: Turn) -> Reply:
    where = turn.inbound.location
    label = (where.label if where else "") or "您的位置"
    return Reply(text=f"已收到位置：{label}。{SERVICE_HALL}在线办理请直接告诉我您想办的事。")


async def media(turn: Turn) -> Reply:
    """Images outside evidence collection, video, links, voice without recognition."""
    if turn.inbound.kind is Kind.IMAGE:
        text = (
            "图片已收到，但当前没有需要提交证据的办理事项。"
            "如需举报或申请信用修复，请先告诉我，再发送证据图片。"
        )
    elif turn.inbound.kind is Kind.VOICE:
        text = "抱歉，没有听清这段语音，请再说一遍或直接发文字。"
    else:
        text = "暂时只能处理文字、语音和证据图片。"
    return menu(text)
