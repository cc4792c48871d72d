"""Answer WeChat's retries of one message once: the first delivery's reply is shared.

WeChat retries a callback up to three times when no answer comes within 5 s.
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from selfservice.store import SharedStore

PENDING = "pending"
DONE = "done:"
DEFAULT_TTL = 60.0
DEFAULT_WAIT = 4.0

_running: set[asyncio.Task[bytes]] = set()


@dataclass(frozen=True, slots=True)
class Delivery:
    """``body`` is None when the first delivery is still working: answer ``success`` and move on."""

    body: bytes | None
    fresh: bool

    @property
    def pending(self) -> bool:
        return self.body is None


async def _produce_and_keep(
    store: SharedStore, key: str, produce: Callable[[], Awaitable[bytes]], ttl: float
) -> bytes:
    try:
        body = await produce()
    except BaseException:
        await store.delete(key)
        raise
    await store.set(key, DONE + base64.b64encode(body).decode(), ttl=ttl)
    return body


def _settled(task: asyncio.Task[bytes]) -> None:
    _running.discard(task)
    if not task.cancelled():
        task.exception()


async def once(
    store: SharedStore,
    key: str,
    produce: Callable[[], Awaitable[bytes]],
    *,
    ttl: float = DEFAULT_TTL,
    wait: float = DEFAULT_WAIT,
    poll: float = 0.05,
) -> Delivery:
    """Run ``produce`` for the first delivery of ``key``; retries get its cached reply.

    ``produce`` is shielded: if WeChat hangs up and the request is cancelled, the reply is still
    finished and kept for the retry.
    """
    deadline = time.monotonic() + wait
    while True:
        if await store.set_if_absent(key, PENDING, ttl=ttl):
            task = asyncio.ensure_future(_produce_and_keep(store, key, produce, ttl))
            _running.add(task)
            task.add_done_callback(_settled)
            return Delivery(await asyncio.shield(task), fresh=True)
        while True:
            value = await store.get(key)
            if value is None:
                break
            if value.startswith(DONE):
                return Delivery(base64.b64decode(value[len(DONE) :]), fresh=False)
            if time.monotonic() >= deadline:
                return Delivery(None, fresh=False)
            await asyncio.sleep(poll)
