"""Per-user dialogue state kept in the shared store with a TTL."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from selfservice.store import Locked, LockTimeout, Recall, SharedStore, Write, key

STATE_TTL = 30 * 60
LOCK_TTL, LOCK_WAIT, LOCK_POLL = 30.0, 4.0, 0.01


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
        data = {"flow": self.flow, "awaiting": self.awaiting, "slots": self.slots}
        data["context"] = self.context
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

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
    """Dialogue state per user on any ``SharedStore`` (memory or Redis); idle state expires.

    A turn takes the user's lock and reads the state in one round trip (``begin``) and writes it
    back with whatever else the turn produced, releasing the lock, in another (``end``).
    """

    def __init__(self, store: SharedStore, *, ttl: float = STATE_TTL) -> None:
        self.store, self.ttl = store, ttl

    @staticmethod
    def _key(user: str) -> str:
        return key("dialogue", user)

    @staticmethod
    def _lock(user: str) -> str:
        return key("lock", "dialogue", user)

    async def load(self, user: str) -> DialogueState:
        return DialogueState.from_json(await self.store.get(self._key(user)))

    async def save(self, user: str, state: DialogueState) -> None:
        await self.store.set(self._key(user), state.to_json(), ttl=self.ttl)

    async def clear(self, user: str) -> None:
        await self.store.delete(self._key(user))

    async def begin(
        self,
        user: str,
        token: str,
        *,
        claim: Write | None = None,
        once: Write | None = None,
        recall: Recall | None = None,
        wait: float = LOCK_WAIT,
    ) -> Locked:
        """Take ``claim`` and ``once`` (if given) and the user's lock, and read the raw state.

        When the claim is someone else's or ``once`` was used, nothing is taken. When another
        turn of the same user holds the lock, wait for it up to ``wait`` seconds (LockTimeout,
        claim and ``once`` given back).
        """
        got = await self.store.lock_get(
            self._lock(user),
            token,
            self._key(user),
            ttl=LOCK_TTL,
            claim=claim,
            once=once,
            recall=recall,
        )
        deadline = time.monotonic() + wait
        while got.claimed and not got.locked:
            if time.monotonic() >= deadline:
                for taken in (claim, once):
                    if taken is not None:
                        await self.store.delete(taken.key)
                raise LockTimeout()
            await asyncio.sleep(LOCK_POLL)
            got = await self.store.lock_get(self._lock(user), token, self._key(user), ttl=LOCK_TTL)
        return got

    def write(self, user: str, state_json: str | None) -> Write:
        """The write that saves a state (``DialogueState.to_json``); None forgets it."""
        return Write(self._key(user), state_json, ttl=None if state_json is None else self.ttl)

    async def end(self, user: str, token: str, writes: Sequence[Write] = ()) -> None:
        """Apply the turn's writes and release the user's lock."""
        await self.store.write_unlock(self._lock(user), token, writes)
