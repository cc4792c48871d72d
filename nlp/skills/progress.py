"""Progress: look a case up by its receipt number, or ask for one."""

from __future__ import annotations

import re

from channels.message import Link, Reply
from nlp.dialogue.turn import Turn

PREFIXES = {"YY": "异议申请", "XF": "信用修复申请", "CN": "信用承诺", "JB": "失信举报"}
RECEIPT = re.compile(r"^([A-Z]{2})(\d{8})-(\d{4})$")
ASK = "请发送受理回执上的编号（如 YY20261122-0042），我帮您查进度。回复「取消」可退出。"


def _how_to_check(turn: Turn) -> tuple[Link, ...]:
    return (
        Link("我的办理", turn.link("cases")),
        Link("匿名举报查询", turn.link("report-status")),
    )


async def handle(turn: Turn) -> Reply:
    receipt = turn.slot("receipt").upper()
    if not receipt:
        again = turn.state.flow == "progress" and turn.state.awaiting == "receipt"
        turn.state.start("progress", awaiting="receipt")
        lead = "没有识别到受理编号。" if again else ""
        return Reply(text=lead + ASK, links=_how_to_check(turn))
    turn.state.finish()
    match = RECEIPT.match(receipt)
    if match is None or match.group(1) not in PREFIXES:
        return Reply(
            text=f"「{receipt}」不是本平台的受理编号。编号以 YY（异议）、XF（修复）、CN（承诺）"
            "或 JB（举报）开头，后接日期和 4 位序号，如 YY20261122-0042。",
            links=_how_to_check(turn),
        )
    kind = PREFIXES[match.group(1)]
    return Reply(
        text=(
            f"没有找到受理编号为 {receipt} 的{kind}。请核对编号是否与受理回执完全一致；"
            "刚提交的申请可能需要几分钟才能查到。登录后可在「我的办理」查看全部进度，"
            "匿名举报请在举报查询页输入受理编号和查询密码。"
        ),
        links=_how_to_check(turn),
    )
