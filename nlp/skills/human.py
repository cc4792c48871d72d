"""Human hand-off: service hours, and a queue entry staff pick up."""

from __future__ import annotations

from channels.message import Reply
from nlp.dialogue.turn import Turn
from selfservice.calendar import get_calendar
from selfservice.handoff import service as handoff

HOURS = "工作日 9:00—12:00、13:00—17:00"
OPEN = ((9 * 60, 12 * 60), (13 * 60, 17 * 60))


def _open_now(turn: Turn) -> bool:
    now = turn.services.now()
    minute = now.hour * 60 + now.minute
    working = get_calendar().is_working_day(now.date())
    return working and any(start <= minute < end for start, end in OPEN)


async def handle(turn: Turn) -> Reply:
    turn.state.finish()
    ticket = await handoff.enqueue(
        store=turn.services.store,
        channel=turn.identity.channel,
        user=turn.identity.user,
        summary=turn.text or turn.intent,
    )
    when = (
        "工作人员会尽快在这里回复您。"
        if _open_now(turn)
        else "现在不在服务时间，工作人员会在下一个工作日上班后回复您。"
    )
    return Reply(
        text=f"已为您转接人工服务（排队号 {ticket.number}）。人工服务时间：{HOURS}。{when}"
        "紧急情况可拨打 12345 政务服务便民热线。"
    )
