"""Pledge: pick the pledge type (asked for when not said), then the pledge form."""

from __future__ import annotations

from channels.message import QuickReply, Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import CANCEL_HINT, form_reply

FLOW = "pledge"
TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "notify": ("审批替代型（告知承诺）", ("告知承诺", "审批替代", "审批")),
    "missing_materials": ("容缺受理型", ("容缺", "材料不全", "缺材料", "补齐")),
    "certificate": ("证明事项型", ("证明事项", "证明")),
    "industry": ("行业自律型", ("行业自律", "行业", "协会")),
    "public": ("主动型（公开承诺）", ("主动", "公开", "质量", "服务承诺")),
    "other": ("其他", ("其他", "其它")),
}
CHOICES = tuple(QuickReply(label.split("（")[0]) for label, _ in TYPES.values())


def pledge_type(text: str) -> str:
    for code, (label, words) in TYPES.items():
        if label.split("（")[0] in text or any(w in text for w in words):
            return code
    return ""


async def handle(turn: Turn) -> Reply:
    state = turn.state
    if "修复" in turn.text:
        state.finish()
        return form_reply(
            turn,
            page="repair",
            title="填写信用修复申请",
            text="《信用修复承诺书》随信用修复申请一起签署，请在修复申请表中按记录生成并确认。",
        )
    kind = pledge_type(turn.text) or state.slots.get("pledge_type", "")
    if not kind:
        again = state.flow == FLOW and state.awaiting == "pledge_type"
        state.start(FLOW, awaiting="pledge_type")
        lead = "没有识别出承诺类型。" if again else ""
        return Reply(
            text=f"{lead}您要签署哪一类信用承诺？{CANCEL_HINT}",
            quick_replies=CHOICES,
        )
    state.finish()
    label = TYPES[kind][0]
    wall = "主动型承诺可选择公开到承诺墙（不含个人信息）。" if kind == "public" else ""
    return form_reply(
        turn,
        page=FLOW,
        title=f"签署{label.split('（')[0]}承诺",
        text=f"好的，承诺类型：{label}。表单会按类型生成承诺书正文，请核对后确认签署。{wall}"
        "违背承诺会被记录，并在一定期限内不能再适用容缺等简化程序。",
        type=kind,
    )
