"""Query records: a summary for a verified subject, otherwise why and how to verify first."""

from __future__ import annotations

from channels.message import Link, Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import form_reply
from selfservice.identifiers import mask_uscc

WHY = (
    "信用记录只向记录所涉及的企业或个人本人（或其授权经办人）开放查询"
    "（依据《玉溪市守信激励和失信惩戒实施细则（试行）》第六条：市场主体对涉及自身的信用信息"
    "享有知情权），所以需要先核验身份。"
)


async def handle(turn: Turn) -> Reply:
    turn.state.finish()
    if not turn.identity.verified:
        code = turn.slot("credit_code")
        named = f"企业 {mask_uscc(code)} 的公开信用信息可在「信用中国」网站查询；" if code else ""
        return form_reply(
            turn,
            page="verify",
            title="核验身份后查看记录",
            text=f"{named}{WHY}核验约需 1 分钟，完成后回到这里说「查询信用记录」即可。",
            next="records",
            channel=turn.identity.channel,
        )
    url = turn.link("records")
    return Reply(
        text=(
            "您已完成身份核验。全部信用记录（含已过期、已修复和异议处理中的记录）、"
            "对应的激励或惩戒措施及信息提供单位，请在「我的信用记录」页面查看。"
            "对某条记录有疑问，可以回复「我要提异议」。"
        ),
        links=(Link("我的信用记录", url),),
    )
