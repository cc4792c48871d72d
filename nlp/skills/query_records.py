"""Query records: a summary for a verified subject, otherwise why and how to verify first."""

from __future__ import annotations

from channels.message import Link, QuickReply, Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import form_reply
from selfservice.identifiers import mask_uscc
from selfservice.records import service as records

SHOWN = 5
WHY = (
    "信用记录只向记录所涉及的企业或个人本人（或其授权经办人）开放查询"
    "（依据《玉溪市守信激励和失信惩戒实施细则（试行）》第六条：市场主体对涉及自身的信用信息"
    "享有知情权），所以需要先核验身份。"
)


def _line(n: int, item: dict) -> str:
    kind = item["nature_label"] + (f"·{item['severity_label']}" if item["severity_label"] else "")
    labels = "、".join(label["label"] for label in item["labels"])
    tail = f"【{labels}】" if labels else ""
    return f"{n}. [{kind}] {item['title']}（{item['provider']}）{tail}"


async def handle(turn: Turn) -> Reply:
    turn.state.finish()
    subject_id = (await turn.who()).subject_id
    if subject_id is None:
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
    today = turn.services.now().date()
    page = await records.list_own(
        subject_id=subject_id, filters=records.RecordFilter(), per_page=SHOWN
    )
    url = turn.link("records")
    if not page["total"]:
        turn.state.context["records"] = []
        return Reply(text="您目前没有信用记录。", links=(Link("我的信用记录", url),))
    lines = [_line(n, item) for n, item in enumerate(page["items"], 1)]
    turn.state.context["records"] = [item["id"] for item in page["items"]]
    more = f"（仅列出最近 {SHOWN} 条，共 {page['total']} 条）" if page["total"] > SHOWN else ""
    text = (
        f"您共有 {page['total']} 条信用记录{more}：\n" + "\n".join(lines) + "\n"
        "记录有误可回复「对第1条提异议」；已整改的可回复「修复第1条」。"
    )
    if turn.services.policy is not None:
        summary = await records.summary(
            subject_id=subject_id, policy=turn.services.policy, today=today
        )
        if summary["measures_in_force"]:
            text += f"\n目前有 {len(summary['measures_in_force'])} 项措施在执行，详情见记录页面。"
    return Reply(
        text=text,
        links=(Link("我的信用记录", url),),
        quick_replies=(QuickReply("对第1条提异议"), QuickReply("修复第1条")),
        more_url=url,
    )
