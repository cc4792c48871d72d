"""Skills, one per conversation; the only nlp code that calls domain services."""

from __future__ import annotations

from nlp import intents as i
from nlp.dialogue import router as r
from nlp.dialogue.turn import Skill
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


def registry() -> dict[str, Skill]:
    """The explicit intent → skill table (plus events and special inputs)."""
    return {
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
