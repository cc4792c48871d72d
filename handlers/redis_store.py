"""Redis implementation of ``selfservice.store.SharedStore`` (shared across workers and hosts)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from handlers.redis_conn import Connection, RedisError, Script
from selfservice.store import (
    CLAIM_TTL,
    EPOCH_GRACE,
    EPOCH_KEY,
    Locked,
    MemoryStore,
    Recall,
    SharedStore,
    Write,
    acquire,
    key,
)

_INCR_WITH_TTL = """
local by = tonumber(ARGV[2])
if by < 0 and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local v = redis.call('INCRBY', KEYS[1], by)
if ARGV[1] ~= '' and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return v
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: lock, read[, claim[, once[, epoch]]]
# ARGV: token, lock ms[, claim value, claim ms[, once ms[, born, window, now, grace]]]
_LOCK_GET = """
if KEYS[5] then
  redis.call('SET', KEYS[5], ARGV[8], 'NX')
  local epoch, born = tonumber(redis.call('GET', KEYS[5])), tonumber(ARGV[6])
  if born >= epoch - tonumber(ARGV[7]) and born < epoch - tonumber(ARGV[9]) then
    return {0, 0, false, false, 0, 1}
  end
end
if KEYS[3] and not redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) then
  return {0, 0, false, redis.call('GET', KEYS[3])}
end
if KEYS[4] and not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[5]) then
  redis.call('DEL', KEYS[3])
  return {0, 0, false, false, 1}
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, 0} end
return {1, 1, redis.call('GET', KEYS[2])}
"""
# KEYS: lock, written...  ARGV: token, then per written key: value ('' deletes), ms, expect
# (values are prefixed with '=' so that an empty string differs from 'none')
_WRITE_UNLOCK = """
for i = 2, #KEYS do
  local value, ms, expect = ARGV[3 * i - 4], ARGV[3 * i - 3], ARGV[3 * i - 2]
  if expect == '' or redis.call('GET', KEYS[i]) == string.sub(expect, 2) then
    if value == '' then redis.call('DEL', KEYS[i])
    elseif ms == '' then redis.call('SET', KEYS[i], string.sub(value, 2))
    else redis.call('SET', KEYS[i], string.sub(value, 2), 'PX', ms) end
  end
end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


def _ms(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, int(ttl * 1000))


class RedisStore:
    """The shared store on one auto-pipelined connection per worker (``redis_conn``)."""

    def __init__(self, url: str) -> None:
        self._redis = Connection(url)
        self._incr = Script.of(_INCR_WITH_TTL)
        self._release = Script.of(_RELEASE)
        self._lock_get = Script.of(_LOCK_GET)
        self._write_unlock = Script.of(_WRITE_UNLOCK)

    async def get(self, key: str) -> str | None:
        return await self._redis.execute("GET", key)

    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        ms = _ms(ttl)
        if ms is None:
            await self._redis.execute("SET", key, value)
        else:
            await self._redis.execute("SET", key, value, "PX", ms)

    async def set_if_absent(self, key: str, value: str, *, ttl: float | None = None) -> bool:
        ms = _ms(ttl)
        expiry = () if ms is None else ("PX", ms)
        return await self._redis.execute("SET", key, value, "NX", *expiry) is not None

    async def incr(self, key: str, *, ttl: float | None = None, amount: int = 1) -> int:
        ms = _ms(ttl)
        args = ["" if ms is None else ms, amount]
        return int(await self._redis.evalsha(self._incr, [key], args))

    async def delete(self, key: str) -> None:
        await self._redis.execute("DEL", key)

    async def ttl(self, key: str) -> float | None:
        ms = await self._redis.execute("PTTL", key)
        return None if ms < 0 else ms / 1000

    @asynccontextmanager
    async def lock(self, name: str, *, ttl: float = 10.0, wait: float = 5.0) -> AsyncIterator[None]:
        lock_key, token = key("lock", name), uuid.uuid4().hex
        await acquire(self, lock_key, token, ttl=ttl, wait=wait)
        try:
            yield
        finally:
            await self._redis.evalsha(self._release, [lock_key], [token])

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
        keys, args = [lock, read], [token, _ms(ttl)]
        if claim is not None:
            keys.append(claim.key)
            args += [claim.value or "", _ms(claim.ttl or CLAIM_TTL)]
        if once is not None or recall is not None:
            if claim is None or once is None:
                raise ValueError("lock_get: once rides with a claim, recall with both")
            keys.append(once.key)
            args.append(_ms(once.ttl or CLAIM_TTL))
        if recall is not None:
            keys.append(EPOCH_KEY)
            args += [recall.born, int(recall.window), int(recall.now), EPOCH_GRACE]
        found = await self._redis.evalsha(self._lock_get, keys, args)
        found += [None] * (6 - len(found))
        return Locked(
            claimed=bool(found[0]),
            locked=bool(found[1]),
            value=found[2],
            prior=found[3],
            replayed=bool(found[4]),
            forgotten=bool(found[5]),
        )

    async def write_unlock(self, lock: str, token: str, writes: Sequence[Write]) -> None:
        args: list[str | int] = [token]
        for w in writes:
            ms = _ms(w.ttl)
            args += [
                "" if w.value is None else "=" + w.value,
                "" if ms is None else ms,
                "" if w.expect is None else "=" + w.expect,
            ]
        await self._redis.evalsha(self._write_unlock, [lock, *(w.key for w in writes)], args)

    async def ping(self) -> bool:
        try:
            return await self._redis.execute("PING") == "PONG"
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._redis.close()


def make_store(redis_url: str | None) -> SharedStore:
    """Redis when configured, else the in-process store (single worker only)."""
    return RedisStore(redis_url) if redis_url else MemoryStore()
