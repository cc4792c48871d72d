"""Per-user dialogue state kept in the shared store with a TTL."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from selfservice.store import SharedStore, key

STATE_TTL = 30 * 60


@dataclass(slots=True)
class DialogueState:
    """Where a conversation stands: the open flow, the slot it waits for, what it collected."""

    flow: str = ""
    awaiting: str = ""
    slots: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    def start(self, flow: str, *, awaiting: str = "") -> None:
        """Enter ``flow`` (dropping what another flow collected) and wait for ``awaiting``."""
        if flow != self.flow:
            self.slots = {}
        self.flow, self.awaiting = flow, awaiting

    def finish(self) -> None:
        """Leave any flow; context (e.g. records last shown) survives for follow-ups."""
        self.flow, self.awaiting, self.slots = "", "", {}

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | None) -> DialogueState:
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


class StateStore:
    """Dialogue state per user on any ``SharedStore`` (memory or Redis); idle state expires."""

    def __init__(self, store: SharedStore, *, ttl: float = STATE_TTL) -> None:
        self.store, self.ttl = store, ttl

    @staticmethod
    def _key(user: str) -> str:
        return key("dialogue", user)

    async def load(self, user: str) -> DialogueState:
        return DialogueState.from_json(await self.store.get(self._key(user)))

    async def save(self, user: str, state: DialogueState) -> None:
        await self.store.set(self._key(user), state.to_json(), ttl=self.ttl)

    async def clear(self, user: str) -> None:
        await self.store.delete(self._key(user))
