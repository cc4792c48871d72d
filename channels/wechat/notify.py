"""Outbox sender for WeChat subscribe messages: maps WeChat errors to retry or give up.

https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
"""

from __future__ import annotations

from channels.wechat.client import TOKEN_ERRORS, WeChatClient
from channels.wechat.errors import WeChatApiError, WeChatUnavailable
from selfservice.notifications.models import OutboxMessage
from selfservice.notifications.outbox import GiveUp, RetryLater

# busy, rate limits and token trouble clear up by themselves; anything else will not
RETRYABLE = frozenset({-1, 45009, 45047, *TOKEN_ERRORS})


class WeChatSubscribeSender:
    """Pushes an outbox row as a subscribe message opening the case's progress page."""

    idempotent = False

    def __init__(self, client: WeChatClient, *, template_id: str, page: str = "pages/cases/detail"):
        self.client, self.template_id, self.page = client, template_id, page

    async def send(self, message: OutboxMessage) -> None:
        if not message.openid:
            raise GiveUp("no openid")
        if not self.template_id:
            raise RetryLater("WECHAT_NOTIFY_TEMPLATE is not configured")
        page = f"{self.page}?receipt={message.receipt}" if message.receipt else self.page
        try:
            await self.client.send_subscribe_message(
                message.openid, self.template_id, message.data, page=page
            )
        except WeChatUnavailable as exc:
            raise RetryLater(f"wechat unavailable: {exc.errmsg}") from None
        except WeChatApiError as exc:
            reason = f"wechat errcode {exc.errcode}: {exc.errmsg}"
            if exc.errcode in RETRYABLE:
                raise RetryLater(reason) from None
            raise GiveUp(reason) from None
