"""Attempt counters and lockouts that hold under concurrency and survive a store flush.

An attempt is counted (atomic increment in the shared store) *before* the slow check, so a burst
of parallel guesses cannot all be evaluated; a lock is written to the database as well, so losing
the store's counters cannot lift it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from selfservice.auth.models import SecurityLock
from selfservice.store import SharedStore, key


def _now() -> datetime:
    return datetime.now(UTC)


async def is_locked(*, scope: str, target: str) -> bool:
    """True while a database lock of ``target`` in ``scope`` is in force."""
    return await SecurityLock.filter(scope=scope, target=target, locked_until__gt=_now()).exists()


async def lock(*, scope: str, target: str, seconds: int) -> None:
    """Lock ``target`` for ``seconds`` (extending, never shortening, a lock in force)."""
    until = _now() + timedelta(seconds=seconds)
    await SecurityLock.filter(locked_until__lt=_now() - timedelta(days=1)).delete()
    row = await SecurityLock.get_or_none(scope=scope, target=target)
    if row is None:
        try:
            await SecurityLock.create(scope=scope, target=target, locked_until=until)
            return
        except IntegrityError:
            row = await SecurityLock.get(scope=scope, target=target)
    await SecurityLock.filter(id=row.id, locked_until__lt=until).update(locked_until=until)


async def attempt(*, store: SharedStore, scope: str, target: str, window: int) -> int:
    """Count one attempt on ``target`` and return its number in the window (1 is the first)."""
    return await store.incr(key(scope, "attempts", target), ttl=window)


async def forget(*, store: SharedStore, scope: str, target: str) -> None:
    """A success: the failures counted on ``target`` no longer count."""
    await store.delete(key(scope, "attempts", target))


async def refund(*, store: SharedStore, scope: str, target: str) -> None:
    """Give back one counted attempt (a success behind a shared address is not a failure)."""
    await store.incr(key(scope, "attempts", target), amount=-1)
