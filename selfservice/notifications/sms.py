"""SMS gateway interface and the console gateway used in development and tests."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from selfservice.errors import ServiceUnavailable
from selfservice.identifiers import mask_phone

log = logging.getLogger("selfservice.sms")

# template id -> Chinese text; the gateway receives the id and the parameters, never free text
TEMPLATES: dict[str, str] = {
    "otp_login": "【信用自助服务】您的登录验证码为{code}，5分钟内有效，请勿泄露。",
    "otp_verify": "【信用自助服务】您正在进行身份核验，验证码{code}，5分钟内有效。",
    "tip_update": "【信用自助服务】您的举报（受理编号{receipt}）有新进展，请凭受理编号和查询密码查看。",
}


class SmsUnavailable(ServiceUnavailable):
    code = "sms_unavailable"
    message_zh, message_en = (
        "短信发送失败，请稍后再试",
        "The SMS could not be sent, try again later",
    )


class SmsGateway(Protocol):
    async def send(self, *, phone: str, template: str, params: Mapping[str, str]) -> None: ...


class ConsoleSmsGateway:
    """Writes the message to the log with the phone masked; refuses to run in production."""

    def __init__(self, *, env: str) -> None:
        self.env = env

    async def send(self, *, phone: str, template: str, params: Mapping[str, str]) -> None:
        if self.env == "prod":
            log.error("SMS_GATEWAY_URL is not set: message to %s not sent", mask_phone(phone))
            raise SmsUnavailable()
        text = TEMPLATES[template].format(**params)
        log.info("SMS to %s: %s", mask_phone(phone), text)
