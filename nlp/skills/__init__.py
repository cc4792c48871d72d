"""Skills, one per conversation; the only nlp code that calls domain services."""

from __future__ import annotations

from channels.message import Reply
from nlp import intents as i
from nlp.dialogue import router as r
from nlp.dialogue.turn import Skill, Turn
from nlp.skills import (
    cancel,
    events,
    greeting,
    human,
    invalid_code,
    objection,
    pledge,
    policy_faq,
    progress,
    query_records,
    repair,
    report,
    unknown,
    verify_identity,
)
from selfservice.verification.agents import OutsideScope, require_scope

# What each skill does for a verified subject needs this scope when an agent asks.
SCOPES = {
    i.QUERY_RECORDS: "records:read",
    i.PROGRESS: "progress",
    i.OBJECTION: "objection",
    i.REPAIR: "repair",
    i.PLEDGE: "pledge",
}
OUTSIDE_SCOPE = "您的经办授权不包含此项业务，请联系企业法定代表人或申请相应授权。"


def scoped(scope: str, skill: Skill) -> Skill:
    """``skill`` only for identities whose authorisation grants ``scope``."""

    async def guarded(turn: Turn) -> Reply:
        who = await turn.who()
        if who.verified:
            try:
                require_scope(who.scopes, scope)
            except OutsideScope:
                turn.state.finish()
                return Reply(text=OUTSIDE_SCOPE)
        return await skill(turn)

    return guarded


def registry() -> dict[str, Skill]:
    """The explicit intent → skill table (plus events and special inputs), scopes applied."""
    table: dict[str, Skill] = {
        i.GREETING: greeting.handle,
        i.VERIFY_IDENTITY: verify_identity.handle,
        i.QUERY_RECORDS: query_records.handle,
        i.OBJECTION: objection.handle,
        i.REPAIR: repair.handle,
        i.PLEDGE: pledge.handle,
        i.REPORT: report.handle,
        i.PROGRESS: progress.handle,
        i.POLICY_FAQ: policy_faq.handle,
        i.HUMAN: human.handle,
        i.CANCEL: cancel.handle,
        i.UNKNOWN: unknown.handle,
        r.WELCOME: events.welcome,
        r.FAREWELL: events.farewell,
        r.SILENT: events.silent,
        r.LOCATION: events.location,
        r.MEDIA: events.media,
        r.INVALID_CREDIT_CODE: invalid_code.handle,
    }
    return {name: scoped(SCOPES[name], s) if name in SCOPES else s for name, s in table.items()}
