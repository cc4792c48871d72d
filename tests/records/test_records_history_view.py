"""Record history as the subject reads it: every action in Chinese, corrections with their changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from selfservice.enums import RecordStatus
from selfservice.records.models import RecordEvent
from selfservice.records.views import EVENT_ZH, event_view


def _event(action: str, data: dict) -> RecordEvent:
    return RecordEvent(at=datetime(2026, 12, 1, tzinfo=UTC), actor="x", action=action, data=data)


@pytest.mark.parametrize("status", list(RecordStatus))
def test_every_status_change_has_a_chinese_label(status):
    assert status.value in EVENT_ZH
    assert event_view(_event(status.value, {}))["action_label"] != status.value


def test_a_correction_by_decision_lists_its_changes():
    data = {
        "from": "published",
        "to": "corrected",
        "before": {"title": "罚款五千元"},
        "after": {"title": "罚款五百元"},
    }
    view = event_view(_event("corrected", data))
    assert view["action_label"] == "记录更正"
    assert view["changes"] == {"title": {"from": "罚款五千元", "to": "罚款五百元"}}


def test_ingest_changes_are_kept_as_they_are():
    changes = {"severity": {"from": "general", "to": "minor"}}
    assert event_view(_event("amended", {"changes": changes}))["changes"] == changes
    assert event_view(_event("created", {}))["changes"] is None
