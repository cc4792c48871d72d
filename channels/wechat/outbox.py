"""Replies that missed WeChat's 5-second window, pushed through the customer-service API.

https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from channels.message import Reply
from channels.wechat.client import WeChatClient
from channels.wechat.errors import WeChatApiError, WeChatUnavailable
from channels.wechat.xml import anchor, split_text

log = logging.getLogger("channels.wechat.outbox")

ATTEMPTS = 3
BACKOFF = 0.5


def push_parts(reply: Reply) -> list[str]:
    """The whole reply as customer-service text messages, split at WeChat's size limit."""
    lines = [reply.text] if reply.text else []
    if reply.quick_replies:
        lines.append("  ".join(f"「{q.label}」" for q in reply.quick_replies))
    lines += [anchor(a.title, a.url) for a in reply.articles]
    lines += [anchor(link.label, link.url) for link in reply.links]
    return split_text("\n".join(lines))


class Outbox:
    """Background delivery with retries; ``drain`` waits for pushes still in flight."""

    def __init__(
        self, client: WeChatClient, *, attempts: int = ATTEMPTS, backoff: float = BACKOFF
    ) -> None:
        self.client, self.attempts, self.backoff = client, attempts, backoff
        self._pending: set[asyncio.Task[None]] = set()

    def push_when_done(self, openid: str, reply: Awaitable[Reply]) -> None:
        """Send ``reply`` to ``openid`` once it is ready."""
        task = asyncio.ensure_future(self._after(openid, reply))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _after(self, openid: str, reply: Awaitable[Reply]) -> None:
        try:
            ready = await reply
        except Exception:
            log.exception("late reply failed; nothing pushed")
            return
        await self.deliver(openid, ready)

    async def deliver(self, openid: str, reply: Reply) -> bool:
        """Send now; retry transient failures; ``False`` when WeChat would not take it."""
        if reply.is_empty:
            return True
        for attempt in range(1, self.attempts + 1):
            try:
                if reply.articles and not (reply.text or reply.links or reply.quick_replies):
                    await self.client.send_news(openid, reply.articles[:1])
                else:
                    for part in push_parts(reply):
                        await self.client.send_text(openid, part)
                return True
            except WeChatUnavailable:
                if attempt == self.attempts:
                    break
                await asyncio.sleep(self.backoff * attempt)
            except WeChatApiError as exc:
                log.warning("customer-service push refused: errcode %s", exc.errcode)
                return False
        log.warning("customer-service push gave up after %s attempts", self.attempts)
        return False

    async def drain(self, *, within: float = 10.0) -> None:
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=within)
