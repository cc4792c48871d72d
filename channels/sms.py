"""HTTP SMS gateway (aiohttp): POSTs the template id, parameters and number as JSON.

Protocol: ``POST SMS_GATEWAY_URL`` with ``{"phone", "template", "params", "request_id"}`` and
``Authorization: Bearer SMS_GATEWAY_TOKEN``; success is HTTP 2xx with ``{"code": "OK"}``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping

import aiohttp

from selfservice.identifiers import mask_phone
from selfservice.notifications.sms import ConsoleSmsGateway, SmsGateway, SmsUnavailable
from selfservice.settings import Secret, Settings

log = logging.getLogger("channels.sms")
TIMEOUT = aiohttp.ClientTimeout(total=8, connect=3)


class HttpSmsGateway:
    def __init__(self, session: aiohttp.ClientSession, *, url: str, token: Secret) -> None:
        self.session, self.url, self._token = session, url, token

    async def send(self, *, phone: str, template: str, params: Mapping[str, str]) -> None:
        request_id = uuid.uuid4().hex
        body = {
            "phone": phone,
            "template": template,
            "params": dict(params),
            "request_id": request_id,
        }
        headers = {"Authorization": f"Bearer {self._token.reveal()}"} if self._token else {}
        try:
            async with self.session.post(
                self.url, json=body, headers=headers, timeout=TIMEOUT
            ) as resp:
                data = await resp.json(content_type=None) if resp.status < 500 else {}
                ok = (
                    200 <= resp.status < 300 and isinstance(data, dict) and data.get("code") == "OK"
                )
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, ValueError):
            ok, status, data = False, 0, {}
        if not ok:
            reason = data.get("code") if isinstance(data, dict) else None
            log.warning(
                "SMS to %s failed: HTTP %s %s (%s)", mask_phone(phone), status, reason, request_id
            )
            raise SmsUnavailable()
        log.info("SMS %s sent to %s (%s)", template, mask_phone(phone), request_id)


def make_sms_gateway(settings: Settings, session: aiohttp.ClientSession) -> SmsGateway:
    """The HTTP gateway when ``SMS_GATEWAY_URL`` is set, else the console one (dev and tests)."""
    if settings.sms_gateway_url:
        return HttpSmsGateway(
            session, url=settings.sms_gateway_url, token=settings.sms_gateway_token
        )
    return ConsoleSmsGateway(env=settings.env)
