"""Retry dedupe, run against the in-process store and real Redis (one contract, two stores)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from channels.wechat.dedupe import once
from handlers.redis_store import RedisStore
from selfservice.store import MemoryStore, SharedStore, key


@pytest.fixture(params=["memory", "redis"])
def store_url(request) -> str | None:
    return request.getfixturevalue("redis_url") if request.param == "redis" else None


@pytest.fixture
async def store(store_url) -> AsyncIterator[SharedStore]:
    shared = RedisStore(store_url) if store_url else MemoryStore()
    try:
        yield shared
    finally:
        await shared.close()


class Producer:
    def __init__(self, body: bytes = b"<xml>reply</xml>", delay: float = 0.0) -> None:
        self.body, self.delay, self.calls = body, delay, 0

    async def __call__(self) -> bytes:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return self.body


K = key("wechat", "dedupe", "test")


async def test_first_delivery_runs_produce(store):
    produce = Producer()
    delivery = await once(store, K, produce)
    assert (delivery.body, delivery.fresh, delivery.pending) == (b"<xml>reply</xml>", True, False)
    assert produce.calls == 1


async def test_sequential_retry_gets_first_reply(store):
    produce = Producer("您好 \x00 binary-safe".encode() + b"\xff")
    first = await once(store, K, produce)
    again = await once(store, K, Producer(b"other"))
    assert again.body == first.body and not again.fresh
    assert produce.calls == 1


async def test_concurrent_retry_runs_produce_once(store):
    produce = Producer(delay=0.3)
    deliveries = await asyncio.gather(*(once(store, K, produce, poll=0.01) for _ in range(3)))
    assert produce.calls == 1
    assert [d.body for d in deliveries] == [b"<xml>reply</xml>"] * 3
    assert sorted(d.fresh for d in deliveries) == [False, False, True]


async def test_retry_gives_up_before_wechat_window(store):
    slow = Producer(delay=0.5)
    first = asyncio.create_task(once(store, K, slow))
    await asyncio.sleep(0.05)
    retry = await once(store, K, Producer(b"never"), wait=0.1, poll=0.01)
    assert retry.pending and retry.body is None and not retry.fresh
    assert (await first).body == b"<xml>reply</xml>"
    assert (await once(store, K, Producer(b"never"))).body == b"<xml>reply</xml>"
    assert slow.calls == 1


async def test_failed_first_delivery_lets_the_retry_work(store):
    async def broken() -> bytes:
        raise RuntimeError("db down")

    with pytest.raises(RuntimeError):
        await once(store, K, broken)
    produce = Producer(b"second try")
    assert (await once(store, K, produce)).body == b"second try"
    assert produce.calls == 1


async def test_keys_are_independent_and_expire(store):
    await once(store, K, Producer(b"a"), ttl=0.2)
    other = await once(store, key("wechat", "dedupe", "other"), Producer(b"b"))
    assert other.body == b"b" and other.fresh
    await asyncio.sleep(0.3)
    assert (await once(store, K, Producer(b"c"))).fresh
