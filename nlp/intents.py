"""Intent ids (DESIGN §4), the classification result, and the intent table's example utterances."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLE_FILE = Path(__file__).parent / "data" / "intents.toml"

GREETING = "greeting"
VERIFY_IDENTITY = "verify_identity"
QUERY_RECORDS = "query_records"
OBJECTION = "objection"
REPAIR = "repair"
PLEDGE = "pledge"
REPORT = "report"
PROGRESS = "progress"
POLICY_FAQ = "policy_faq"
HUMAN = "human"
CANCEL = "cancel"
UNKNOWN = "unknown"

INTENTS: tuple[str, ...] = (
    GREETING,
    VERIFY_IDENTITY,
    QUERY_RECORDS,
    OBJECTION,
    REPAIR,
    PLEDGE,
    REPORT,
    PROGRESS,
    POLICY_FAQ,
    HUMAN,
    CANCEL,
    UNKNOWN,
)


@dataclass(frozen=True, slots=True)
class Classification:
    """What a message asks for: the intent, its probability, slots and close alternatives."""

    intent: str
    confidence: float
    slots: dict[str, str] = field(default_factory=dict)
    clarify: list[str] = field(default_factory=list)

    def as_dict(self, *, with_clarify: bool = True) -> dict[str, Any]:
        """The CLI/API shape: intent, confidence, slots (and clarify when asked and non-empty)."""
        out: dict[str, Any] = {
            "intent": self.intent,
            "confidence": self.confidence,
            "slots": self.slots,
        }
        if with_clarify and self.clarify:
            out["clarify"] = self.clarify
        return out


@lru_cache(maxsize=1)
def load_table() -> dict[str, Any]:
    """The parsed intent table, validated against :data:`INTENTS`."""
    with TABLE_FILE.open("rb") as fh:
        table = tomllib.load(fh)
    unknown = set(table["intents"]) - set(INTENTS)
    if unknown:
        raise ValueError(f"{TABLE_FILE.name}: unknown intents {sorted(unknown)}")
    return table


def table_examples() -> list[tuple[str, str]]:
    """(text, intent) pairs listed as examples in the intent table."""
    return [
        (text, intent)
        for intent, spec in load_table()["intents"].items()
        for text in spec.get("examples", ())
    ]
