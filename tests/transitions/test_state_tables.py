"""Every stateful thing that is not a case moves through one StateTable; the tables as data."""

from __future__ import annotations

from enum import StrEnum

import pytest

from selfservice.accounts.enums import AgentStatus
from selfservice.enums import RecordStatus
from selfservice.notifications import outbox
from selfservice.records import status as record_status
from selfservice.transitions import BadStateTransition, StateTable
from selfservice.verification import agents

EXPECTED = {
    "record": (
        record_status.TABLE,
        {
            ("published", "corrected"),
            ("published", "repaired"),
            ("published", "expired"),
            ("published", "revoked"),
            ("corrected", "corrected"),
            ("corrected", "repaired"),
            ("corrected", "expired"),
            ("corrected", "revoked"),
            ("repaired", "expired"),
            ("repaired", "revoked"),
            ("expired", "revoked"),
        },
    ),
    "agent": (
        agents.TABLE,
        {("pending", "approved"), ("pending", "rejected"), ("approved", "revoked")},
    ),
    "outbox": (
        outbox.TABLE,
        {("pending", "pending"), ("pending", "delivered"), ("pending", "dead")},
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_table_allows_exactly_its_moves(name):
    table, allowed = EXPECTED[name]
    for a in table.states:
        for b in table.states:
            assert table.can(a, b) is ((a.value, b.value) in allowed), (a, b)
            if (a.value, b.value) not in allowed:
                with pytest.raises(table.error):
                    table.check(a, b)


def test_errors_keep_each_things_code_and_name_the_states():
    with pytest.raises(record_status.BadTransition) as bad:
        record_status.TABLE.check(RecordStatus.REVOKED, RecordStatus.PUBLISHED)
    assert bad.value.code == "bad_record_transition" and "已撤销" in bad.value.message_zh
    with pytest.raises(agents.BadTransition) as bad_agent:
        agents.TABLE.check(AgentStatus.REVOKED, AgentStatus.APPROVED)
    assert bad_agent.value.details == {"from": "revoked", "to": "approved"}


def test_a_table_must_cover_every_state():
    class Light(StrEnum):
        RED = "red"
        GREEN = "green"

    with pytest.raises(ValueError, match="without a row"):
        StateTable(Light, {Light.RED: {Light.GREEN}})
    table = StateTable(Light, {Light.RED: {Light.GREEN}, Light.GREEN: set()})
    assert table.final() == {Light.GREEN}
    with pytest.raises(BadStateTransition):
        table.check("green", "red")
