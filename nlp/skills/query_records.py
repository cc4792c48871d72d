"""Query records: a summary for a verified subject, otherwise why and how to verify first."""

from __future__ import annotations

from datetime import date, timedelta

from channels.message import Link, QuickReply, Reply
from nlp.dialogue.turn import Turn
from nlp.skills.base import form_reply
from selfservice.enums import ListKind
from selfservice.identifiers import mask_uscc
from selfservice.records import service as records

FLOW = "query_records"
SHOWN = 5
MORE = frozenset({"更多", "更多记录", "下一页", "还有", "还有吗", "继续", "继续看", "后面的"})
SEVERE_LIST = ListKind.SEVERE_DISHONESTY.value
RIGHT_TO_KNOW = {
    "kunming": "依据《昆明市守信联合激励和失信联合惩戒工作方案》任务 19：保护信用主体的知情权",
    "yuxi": "依据《玉溪市守信激励和失信惩戒实施细则（试行）》第六条：市场主体对涉及自身的信用信息"
    "享有知情权",
}


def why_verify(jurisdiction: str) -> str:
    """Why records need a verified identity, citing the configured city's rule."""
    return (
        "信用记录只向记录所涉及的企业或个人本人（或其授权经办人）开放查询"
        f"（{RIGHT_TO_KNOW[jurisdiction]}），所以需要先核验身份。"
    )


def _line(n: int, item: dict) -> str:
    kind = item["nature_label"] + (f"·{item['severity_label']}" if item["severity_label"] else "")
    labels = "、".join(label["label"] for label in item["labels"])
    tail = f"【{labels}】" if labels else ""
    return f"{n}. [{kind}] {item['title']}（{item['provider']}）{tail}"


def _lists(memberships: list[dict]) -> str:
    """Lists the subject is on now (the 严重失信主体名单 first), with who listed them and until when."""
    active = sorted((m for m in memberships if m["active"]), key=lambda m: m["kind"] != SEVERE_LIST)
    lines = []
    for m in active:
        last = m["listed_through"]
        until = f"，预计 {date.fromisoformat(last) + timedelta(days=1)} 移出" if last else ""
        lines.append(
            f"您目前在{m['label']}上（{m['department']}，{m['entered_on']} 列入{until}）。"
        )
    return "\n".join(lines)


async def handle(turn: Turn) -> Reply:
    state = turn.state
    more = state.flow == FLOW and state.awaiting == "more" and turn.text.strip("。.!！ ") in MORE
    state.finish()
    subject_id = (await turn.who()).subject_id
    if subject_id is None:
        code = turn.slot("credit_code")
        named = f"企业 {mask_uscc(code)} 的公开信用信息可在「信用中国」网站查询；" if code else ""
        return form_reply(
            turn,
            page="verify",
            title="核验身份后查看记录",
            text=f"{named}{why_verify(turn.settings.jurisdiction)}核验约需 1 分钟，完成后回到这里说「查询信用记录」即可。",
            next="records",
            channel=turn.identity.channel,
        )
    today = turn.services.now().date()
    shown: list[int] = list(state.context.get("records", [])) if more else []
    titles: list[str] = list(state.context.get("record_titles", [])) if more else []
    page = await records.list_own(
        subject_id=subject_id,
        filters=records.RecordFilter(),
        page=len(shown) // SHOWN + 1,
        per_page=SHOWN,
    )
    url = turn.link("records")
    if not page["total"]:
        state.context["records"] = []
        return Reply(text="您目前没有信用记录。", links=(Link("我的信用记录", url),))
    first = len(shown) + 1
    lines = [_line(n, item) for n, item in enumerate(page["items"], first)]
    shown += [item["id"] for item in page["items"]]
    titles += [item["title"] for item in page["items"]]
    state.context.update(records=shown, record_titles=titles)
    left = page["total"] - len(shown)
    if more:
        head = f"第 {first}—{len(shown)} 条（共 {page['total']} 条）：\n"
    else:
        part = f"（先列出最近 {len(shown)} 条）" if left > 0 else ""
        head = f"您共有 {page['total']} 条信用记录{part}：\n"
    text = head + "\n".join(lines) + "\n"
    if left > 0:
        text += f"还有 {left} 条，回复「更多记录」继续查看。\n"
        state.start(FLOW, awaiting="more")
    text += "记录有误可回复「对第1条提异议」；已整改的可回复「修复第1条」。"
    if not more:
        lists = _lists(await records.memberships(subject_id=subject_id, today=today))
        if lists:
            text += "\n" + lists
        if turn.services.policy is not None:
            summary = await records.summary(
                subject_id=subject_id, policy=turn.services.policy, today=today
            )
            if summary["measures_in_force"]:
                count = len(summary["measures_in_force"])
                text += f"\n目前有 {count} 项措施在执行，详情见记录页面。"
    buttons = (QuickReply("更多记录"),) if left > 0 else ()
    return Reply(
        text=text,
        links=(Link("我的信用记录", url),),
        quick_replies=(*buttons, QuickReply("对第1条提异议"), QuickReply("修复第1条")),
        more_url=url,
    )
