"""Replies that missed WeChat's 5-second window, pushed through the customer-service API.

Each late reply is written to the durable outbox (``selfservice.notifications``) and sent at once,
with a few quick retries; what still fails (WeChat busy, a restart) is retried by
``selfservice worker`` with backoff. Long replies go out in parts and the row counts the parts
sent, so a retry resumes instead of repeating them.
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Awaitable
from dataclasses import asdict
from typing import Any

from channels.message import Article, Reply
from channels.wechat.client import WeChatClient
from channels.wechat.errors import WeChatApiError, WeChatUnavailable
from channels.wechat.notify import RETRYABLE
from channels.wechat.xml import anchor, split_text
from selfservice.notifications import outbox
from selfservice.notifications.models import OutboxMessage

log = logging.getLogger("channels.wechat.outbox")

ATTEMPTS = 3
BACKOFF = 0.5
TEMPLATE = "chat_late_reply"


def push_parts(reply: Reply) -> list[str]:
    """The whole reply as customer-service text messages, split at WeChat's size limit."""
    lines = [reply.text] if reply.text else []
    if reply.quick_replies:
        lines.append("  ".join(f"「{q.label}」" for q in reply.quick_replies))
    lines += [anchor(a.title, a.url) for a in reply.articles]
    lines += [anchor(link.label, link.url) for link in reply.links]
    return split_text("\n".join(lines))


def payload(reply: Reply) -> dict[str, Any]:
    """What the outbox row keeps: one news card alone, else the text parts."""
    if reply.articles and not (reply.text or reply.links or reply.quick_replies):
        return {"articles": [asdict(a) for a in reply.articles[:1]]}
    return {"parts": push_parts(reply), "sent": 0}


class CustomerServiceSender:
    """Outbox sender for late chat replies (channel ``wechat_cs``)."""

    idempotent = False

    def __init__(self, client: WeChatClient) -> None:
        self.client = client

    async def send(self, message: OutboxMessage) -> None:
        if not message.openid:
            raise outbox.GiveUp("no openid")
        data = dict(message.data)
        try:
            if "articles" in data:
                cards = tuple(Article(**a) for a in data["articles"])
                await self.client.send_news(message.openid, cards)
                return
            parts = list(data.get("parts", ()))
            for n in range(int(data.get("sent", 0)), len(parts)):
                await self.client.send_text(message.openid, parts[n])
                data["sent"] = n + 1
                await OutboxMessage.filter(id=message.id).update(data=data)
        except WeChatUnavailable as exc:
            raise outbox.RetryLater(f"wechat unavailable: {exc.errmsg}") from None
        except WeChatApiError as exc:
            reason = f"wechat errcode {exc.errcode}: {exc.errmsg}"
            if exc.errcode in RETRYABLE:
                raise outbox.RetryLater(reason) from None
            raise outbox.GiveUp(reason) from None


class Outbox:
    """Late replies: kept in the durable outbox first, then sent at once; ``drain`` waits."""

    def __init__(
        self, client: WeChatClient, *, attempts: int = ATTEMPTS, backoff: float = BACKOFF
    ) -> None:
        self.sender = CustomerServiceSender(client)
        self.attempts, self.backoff = attempts, backoff
        self.worker = f"late-reply:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._pending: set[asyncio.Task[None]] = set()

    def push_when_done(self, openid: str, reply: Awaitable[Reply], *, key: str) -> None:
        """Send ``reply`` to ``openid`` once it is ready; ``key`` names the message it answers."""
        task = asyncio.ensure_future(self._after(openid, reply, key))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _after(self, openid: str, reply: Awaitable[Reply], key: str) -> None:
        try:
            ready = await reply
        except Exception:
            log.exception("late reply failed; nothing pushed")
            return
        if ready.is_empty:
            return
        message = await outbox.enqueue(
            channel=outbox.WECHAT_CS,
            template=TEMPLATE,
            title="对话回复",
            send_key=f"wechat-late:{key}",
            openid=openid,
            data=payload(ready),
        )
        await self.deliver(message.id)

    async def deliver(self, message_id: int) -> str:
        """A few quick attempts now; a row left pending is the worker's to retry."""
        senders = {outbox.WECHAT_CS: self.sender}
        for attempt in range(1, self.attempts + 1):
            result = await outbox.deliver_now(
                message_id=message_id, senders=senders, worker=self.worker
            )
            if result != "retry" or attempt == self.attempts:
                if result != "delivered":
                    log.warning("late reply %s: %s; the worker retries it", message_id, result)
                return result
            await asyncio.sleep(self.backoff * attempt)
        return "retry"

    async def drain(self, *, within: float = 10.0) -> None:
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=within)
