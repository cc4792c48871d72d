"""Nothing advertised that nothing enforces: every rule id in the policy files is read by code,
or every version of it is marked ``planned`` (and shown as such by ``GET /api/v1/policy``)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from selfservice.policy import load_policy
from selfservice.policy.loader import DATA_DIR, read_layer

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("selfservice", "handlers", "nlp", "channels")


def _code() -> str:
    """Code, and the data files code reads rule ids from (e.g. pledge templates), not the rules."""
    texts = []
    for folder in CODE_DIRS:
        for path in [*(ROOT / folder).rglob("*.py"), *(ROOT / folder).rglob("*.toml")]:
            if "migrations" not in path.parts and path.parent != DATA_DIR:
                texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


def _rules():
    for path in sorted(DATA_DIR.glob("*.toml")):
        yield from read_layer(path)[2]


def unread(rules, code: str) -> list[str]:
    """Ids that no code mentions as a string literal, unless every version is planned."""
    by_id: dict[str, list] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    return [
        rule_id
        for rule_id, versions in by_id.items()
        if not re.search(rf"[\"']{re.escape(rule_id)}[\"']", code)
        and not all(r.planned for r in versions)
    ]


def test_every_rule_id_is_read_or_planned() -> None:
    missing = unread(_rules(), _code())
    assert missing == [], f"rules advertised but read nowhere (mark them planned): {missing}"


def test_the_check_catches_an_unread_rule() -> None:
    base = next(r for r in _rules() if r.id == "objection.decision_days")
    ghost = replace(base, id="objection.ghost_days")
    assert unread([ghost], _code()) == ["objection.ghost_days"]
    assert unread([replace(ghost, status="planned")], _code()) == []
    assert unread([base], 'policy.value("objection.decision_days", on)') == []


@pytest.mark.parametrize("jurisdiction", ["kunming", "yuxi"])
def test_policy_listing_shows_planned_rules_as_such(jurisdiction) -> None:
    rules = {r["id"]: r for r in load_policy(jurisdiction).as_dict(date(2026, 6, 1))["rules"]}
    assert rules["report.confidential"]["status"] == "planned"  # repair.decide_days is read now
    assert rules["objection.decision_days"]["status"] == "in_force"
    assert rules["record.period.transition"]["review"] == "legal"
