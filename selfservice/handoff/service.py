"""The hand-off queue: chat users waiting for a person, numbered in arrival order."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from selfservice.store import SharedStore, key

ENTRY_TTL = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Ticket:
    number: int
    channel: str
    user: str
    summary: str
    at: float


def _entry_key(number: int) -> str:
    return key("handoff", "entry", number)


async def enqueue(*, store: SharedStore, channel: str, user: str, summary: str) -> Ticket:
    """Put a user in the queue; one open ticket per user, asking again keeps the number."""
    open_key = key("handoff", "open", channel, user)
    existing = await store.get(open_key)
    if existing:
        raw = await store.get(_entry_key(int(existing)))
        if raw:
            return Ticket(**json.loads(raw))
    number = await store.incr(key("handoff", "tail"))
    ticket = Ticket(number, channel, user, summary[:200], time.time())
    await store.set(
        _entry_key(number), json.dumps(asdict(ticket), ensure_ascii=False), ttl=ENTRY_TTL
    )
    await store.set(open_key, str(number), ttl=ENTRY_TTL)
    return ticket


async def waiting(*, store: SharedStore, limit: int = 50) -> list[Ticket]:
    """Open tickets, oldest first, from the head of the queue."""
    head = int(await store.get(key("handoff", "head")) or 1)
    tail = int(await store.get(key("handoff", "tail")) or 0)
    tickets: list[Ticket] = []
    for number in range(head, tail + 1):
        raw = await store.get(_entry_key(number))
        if raw:
            tickets.append(Ticket(**json.loads(raw)))
            if len(tickets) >= limit:
                break
    return tickets


async def close(*, store: SharedStore, ticket: Ticket) -> None:
    """Staff took the conversation: drop the ticket and move the head past closed ones."""
    await store.delete(_entry_key(ticket.number))
    await store.delete(key("handoff", "open", ticket.channel, ticket.user))
    head = int(await store.get(key("handoff", "head")) or 1)
    tail = int(await store.get(key("handoff", "tail")) or 0)
    while head <= tail and await store.get(_entry_key(head)) is None:
        head += 1
    await store.set(key("handoff", "head"), str(head))
