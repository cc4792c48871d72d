"""Redis implementation of ``selfservice.store.SharedStore`` (shared across workers and hosts)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from selfservice.store import MemoryStore, SharedStore, acquire, key

_INCR_WITH_TTL = """
local v = redis.call('INCR', KEYS[1])
if v == 1 and ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return v
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _ms(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, int(ttl * 1000))


class RedisStore:
    def __init__(self, url: str) -> None:
        self._redis = aioredis.from_url(url, decode_responses=True, health_check_interval=30)
        self._incr = self._redis.register_script(_INCR_WITH_TTL)
        self._release = self._redis.register_script(_RELEASE)

    async def get(self, key: str) -> str | None:
        return await self._redis.get(key)

    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        await self._redis.set(key, value, px=_ms(ttl))

    async def set_if_absent(self, key: str, value: str, *, ttl: float | None = None) -> bool:
        return bool(await self._redis.set(key, value, px=_ms(ttl), nx=True))

    async def incr(self, key: str, *, ttl: float | None = None) -> int:
        ms = _ms(ttl)
        return int(await self._incr(keys=[key], args=["" if ms is None else ms]))

    async def delete(self, key: str) -> None:
        await self._redis.delete(key)

    async def ttl(self, key: str) -> float | None:
        ms = await self._redis.pttl(key)
        return None if ms < 0 else ms / 1000

    @asynccontextmanager
    async def lock(self, name: str, *, ttl: float = 10.0, wait: float = 5.0) -> AsyncIterator[None]:
        lock_key, token = key("lock", name), uuid.uuid4().hex
        await acquire(self, lock_key, token, ttl=ttl, wait=wait)
        try:
            yield
        finally:
            await self._release(keys=[lock_key], args=[token])

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._redis.aclose()


def make_store(redis_url: str | None) -> SharedStore:
    """Redis when configured, else the in-process store (single worker only)."""
    return RedisStore(redis_url) if redis_url else MemoryStore()
