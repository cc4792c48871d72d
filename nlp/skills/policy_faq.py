"""Policy questions: the closest knowledge-base answer, always with the article it rests on."""

from __future__ import annotations

from channels.message import QuickReply, Reply
from nlp import faq
from nlp.dialogue.router import COMMANDS
from nlp.dialogue.turn import Turn

TOPICS = (
    QuickReply("不良信息保存多久"),
    QuickReply("信用修复需要多长时间"),
    QuickReply("异议多久处理完"),
    QuickReply("举报人信息保密吗"),
    QuickReply("转人工"),
)


async def handle(turn: Turn) -> Reply:
    turn.state.finish()
    if turn.text in COMMANDS or not turn.text:
        return Reply(text="请直接输入您想了解的政策问题，例如：", quick_replies=TOPICS)
    match = faq.load().best(turn.text, jurisdiction=turn.settings.jurisdiction)
    if match is None:
        return Reply(
            text="这个问题我暂时没有找到准确的政策依据。您可以换个说法，看看下面的常见问题，"
            "或者转人工咨询。",
            quick_replies=TOPICS,
        )
    return Reply(text=answer_text(match.entry, turn))


def answer_text(entry: faq.Entry, turn: Turn) -> str:
    """The answer for the configured city, citing the rules in force today, then other sources."""
    city = turn.settings.jurisdiction
    cited = [turn.rule_source(rule_id) for rule_id in entry.rules_in(city)]
    cited.append(entry.source_in(city))
    sources = list(dict.fromkeys(s for s in cited if s))
    return f"{entry.answer_in(city)}\n依据：{'；'.join(sources)}"
