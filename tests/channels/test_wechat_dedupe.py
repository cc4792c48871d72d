"""Retry dedupe, run against the in-process store and real Redis (one contract, two stores)."""

from __future__ import annotations

import asyncio

import pytest

from channels.wechat.dedupe import once
from selfservice.store import key


class Producer:
    def __init__(self, body: bytes = b"<xml>reply</xml>", delay: float = 0.0) -> None:
        self.body, self.delay, self.calls = body, delay, 0

    async def __call__(self) -> bytes:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return self.body


K = key("wechat", "dedupe", "test")


async def test_first_delivery_runs_produce(shared_store):
    produce = Producer()
    delivery = await once(shared_store, K, produce)
    assert (delivery.body, delivery.fresh, delivery.pending) == (b"<xml>reply</xml>", True, False)
    assert produce.calls == 1


async def test_sequential_retry_gets_first_reply(shared_store):
    produce = Producer("您好 \x00 binary-safe".encode() + b"\xff")
    first = await once(shared_store, K, produce)
    again = await once(shared_store, K, Producer(b"other"))
    assert again.body == first.body and not again.fresh
    assert produce.calls == 1


async def test_concurrent_retry_runs_produce_once(shared_store):
    produce = Producer(delay=0.3)
    deliveries = await asyncio.gather(
        *(once(shared_store, K, produce, poll=0.01) for _ in range(3))
    )
    assert produce.calls == 1
    assert [d.body for d in deliveries] == [b"<xml>reply</xml>"] * 3
    assert sorted(d.fresh for d in deliveries) == [False, False, True]


async def test_retry_gives_up_before_wechat_window(shared_store):
    slow = Producer(delay=0.5)
    first = asyncio.create_task(once(shared_store, K, slow))
    await asyncio.sleep(0.05)
    retry = await once(shared_store, K, Producer(b"never"), wait=0.1, poll=0.01)
    assert retry.pending and retry.body is None and not retry.fresh
    assert (await first).body == b"<xml>reply</xml>"
    assert (await once(shared_store, K, Producer(b"never"))).body == b"<xml>reply</xml>"
    assert slow.calls == 1


async def test_failed_first_delivery_lets_the_retry_work(shared_store):
    async def broken() -> bytes:
        raise RuntimeError("db down")

    with pytest.raises(RuntimeError):
        await once(shared_store, K, broken)
    produce = Producer(b"second try")
    assert (await once(shared_store, K, produce)).body == b"second try"
    assert produce.calls == 1


async def test_keys_are_independent_and_expire(shared_store):
    await once(shared_store, K, Producer(b"a"), ttl=0.2)
    other = await once(shared_store, key("wechat", "dedupe", "other"), Producer(b"b"))
    assert other.body == b"b" and other.fresh
    await asyncio.sleep(0.3)
    assert (await once(shared_store, K, Producer(b"c"))).fresh


async def test_cancelled_first_delivery_still_finishes_for_the_retry(shared_store):
    produce = Producer(delay=0.2)
    first = asyncio.create_task(once(shared_store, K, produce))
    await asyncio.sleep(0.05)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    retry = await once(shared_store, K, Producer(b"never"), poll=0.01)
    assert (retry.body, retry.fresh, produce.calls) == (b"<xml>reply</xml>", False, 1)
