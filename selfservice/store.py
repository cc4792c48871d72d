"""Shared state (codes, rate limits, dedupe, dialogue) behind one small interface.

The in-process implementation lives here; the Redis one (``handlers.redis_store``) implements the
same protocol, and one contract test suite runs against both.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from selfservice.errors import Forbidden, ServiceUnavailable, TooManyRequests

KEY_PREFIX = "xy:"
CLAIM_TTL = 60.0
"""Seconds a ``lock_get`` claim lives when it names no ttl: claims must never be permanent."""


def key(*parts: str | int) -> str:
    """The one place shared-state keys are built: ``xy:otp:phone:138…``."""
    return KEY_PREFIX + ":".join(str(p) for p in parts)


EPOCH_KEY = key("epoch")
"""When the store's memory began (unix seconds, set on first use): a flush or a restart moves it."""
EPOCH_GRACE = 1


class LockTimeout(ServiceUnavailable):
    code = "lock_timeout"
    message_zh, message_en = "系统繁忙，请稍后重试", "Busy, please retry shortly"


async def acquire(
    store: SharedStore, lock_key: str, token: str, *, ttl: float, wait: float
) -> None:
    """Spin on set-if-absent until the lock is ours or ``wait`` runs out (LockTimeout)."""
    deadline = time.monotonic() + wait
    while not await store.set_if_absent(lock_key, token, ttl=ttl):
        if time.monotonic() >= deadline:
            raise LockTimeout()
        await asyncio.sleep(0.01)


class StoreUnavailable(ServiceUnavailable):
    code = "store_unavailable"


class RateLimited(TooManyRequests):
    code = "rate_limited"


class Forgotten(ServiceUnavailable):
    """A redelivery from before the store's memory began: it may have been handled already."""

    code = "store_forgotten"


@dataclass(frozen=True, slots=True)
class Recall:
    """A message that may come again: created at ``born``; redeliveries come up to ``window``
    seconds later. One born before the store's epoch (but within the window) is not run again."""

    born: int
    window: float
    now: float

    def forgotten(self, epoch: int) -> bool:
        return epoch - self.window <= self.born < epoch - EPOCH_GRACE


class OnceUsed(Forbidden):
    """A key that may be taken only once (e.g. a request's nonce) was taken before."""

    code = "replayed"
    message_zh, message_en = "重复的请求", "Request replayed"


async def rate_limit(store: SharedStore, bucket: str, *, limit: int, window: float) -> None:
    """Count one hit in a fixed window shared by all workers; RateLimited past ``limit``."""
    if await store.incr(key("rl", bucket), ttl=window) > limit:
        raise RateLimited(details={"retry_after": int(window)})


@dataclass(frozen=True, slots=True)
class Write:
    """One key written on unlock: ``value`` None deletes; ``expect`` makes it conditional."""

    key: str
    value: str | None
    ttl: float | None = None
    expect: str | None = None


@dataclass(frozen=True, slots=True)
class Locked:
    """What ``lock_get`` found: ``claimed`` False means ``claim`` was taken (``prior`` its value)."""

    claimed: bool
    locked: bool
    value: str | None = None
    prior: str | None = None
    replayed: bool = False
    """``once`` was already used: nothing was taken."""
    forgotten: bool = False
    """``recall`` predates the store's memory: nothing was taken."""


class SharedStore(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None: ...
    async def set_if_absent(self, key: str, value: str, *, ttl: float | None = None) -> bool: ...
    async def incr(self, key: str, *, ttl: float | None = None, amount: int = 1) -> int: ...
    async def delete(self, key: str) -> None: ...
    async def ttl(self, key: str) -> float | None: ...
    def lock(self, name: str, *, ttl: float = 10.0, wait: float = 5.0): ...
    async def lock_get(
        self,
        lock: str,
        token: str,
        read: str,
        *,
        ttl: float,
        claim: Write | None = None,
        once: Write | None = None,
        recall: Recall | None = None,
    ) -> Locked: ...
    async def write_unlock(self, lock: str, token: str, writes: Sequence[Write]) -> None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class MemoryStore:
    """Single-process store; expiry is checked on read, so no background task is needed."""

    def __init__(self, clock=time.monotonic) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._clock = clock

    def _live(self, key: str) -> tuple[str, float | None] | None:
        item = self._data.get(key)
        if item is not None and item[1] is not None and item[1] <= self._clock():
            del self._data[key]
            return None
        return item

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock() + ttl

    async def get(self, key: str) -> str | None:
        item = self._live(key)
        return None if item is None else item[0]

    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        self._data[key] = (value, self._expiry(ttl))

    async def set_if_absent(self, key: str, value: str, *, ttl: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        self._data[key] = (value, self._expiry(ttl))
        return True

    async def incr(self, key: str, *, ttl: float | None = None, amount: int = 1) -> int:
        """Add ``amount``; ``ttl`` applies to a new key; a negative amount creates nothing."""
        item = self._live(key)
        if item is None:
            if amount < 0:
                return 0
            self._data[key] = (str(amount), self._expiry(ttl))
            return amount
        value = int(item[0]) + amount
        self._data[key] = (str(value), item[1])
        return value

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def ttl(self, key: str) -> float | None:
        item = self._live(key)
        if item is None or item[1] is None:
            return None
        return item[1] - self._clock()

    @asynccontextmanager
    async def lock(self, name: str, *, ttl: float = 10.0, wait: float = 5.0) -> AsyncIterator[None]:
        lock_key, token = key("lock", name), uuid.uuid4().hex
        await acquire(self, lock_key, token, ttl=ttl, wait=wait)
        try:
            yield
        finally:
            if await self.get(lock_key) == token:
                await self.delete(lock_key)

    async def lock_get(
        self,
        lock: str,
        token: str,
        read: str,
        *,
        ttl: float,
        claim: Write | None = None,
        once: Write | None = None,
        recall: Recall | None = None,
    ) -> Locked:
        """In one step: check ``recall`` against the store's epoch, take ``claim``
        (set-if-absent), then ``once`` (set-if-absent, with the claim), take ``lock``, read
        ``read``.

        Nothing is taken for a message from before the store's memory, when the claim is held by
        someone else (a retried message), or when ``once`` was used before (a replay: the claim
        is given back).
        """
        if recall is not None:
            await self.set_if_absent(EPOCH_KEY, str(int(recall.now)))
            if recall.forgotten(int(await self.get(EPOCH_KEY) or recall.now)):
                return Locked(claimed=False, locked=False, forgotten=True)
        if claim is not None and not await self.set_if_absent(
            claim.key, claim.value or "", ttl=claim.ttl or CLAIM_TTL
        ):
            return Locked(claimed=False, locked=False, prior=await self.get(claim.key))
        if once is not None and not await self.set_if_absent(
            once.key, once.value or "1", ttl=once.ttl or CLAIM_TTL
        ):
            if claim is not None:
                await self.delete(claim.key)
            return Locked(claimed=False, locked=False, replayed=True)
        if not await self.set_if_absent(lock, token, ttl=ttl):
            return Locked(claimed=True, locked=False)
        return Locked(claimed=True, locked=True, value=await self.get(read))

    async def write_unlock(self, lock: str, token: str, writes: Sequence[Write]) -> None:
        """In one step: apply ``writes`` (each only if its ``expect`` holds), release ``lock``."""
        for w in writes:
            if w.expect is not None and await self.get(w.key) != w.expect:
                continue
            if w.value is None:
                await self.delete(w.key)
            else:
                await self.set(w.key, w.value, ttl=w.ttl)
        if await self.get(lock) == token:
            await self.delete(lock)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()
