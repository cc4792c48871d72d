"""The official-account adapter: verify the URL, parse a callback to ``Inbound``, render a reply.

https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from channels.message import Inbound, Reply
from channels.wechat.crypto import WeChatCrypto, check_signature, check_timestamp
from channels.wechat.errors import (
    BadXml,
    EncryptedRefused,
    NotConfigured,
    PlaintextRefused,
    WeChatProtocolError,
)
from channels.wechat.xml import parse_xml, render_reply, to_inbound
from selfservice.settings import Settings
from selfservice.store import Write, key

SUCCESS = b"success"


class Mode(StrEnum):
    """A request's ``encrypt_type``."""

    PLAIN = "raw"
    AES = "aes"


class AccountMode(StrEnum):
    """What the account accepts (``WECHAT_MODE``): safe refuses plaintext, plain refuses AES."""

    PLAIN = "plain"
    COMPAT = "compat"
    SAFE = "safe"


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    inbound: Inbound
    mode: Mode
    crypto_used: int | None = None
    timestamp: str = ""
    nonce: str = ""


def _arg(query: Mapping[str, Any], name: str) -> str:
    value = query.get(name) or ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value)


def dedupe_key(inbound: Inbound) -> str:
    """WeChat's retry identity: MsgId+From+CreateTime, or From+CreateTime+Event+EventKey."""
    if inbound.is_event:
        parts = ["event", inbound.user_id, inbound.created_at, inbound.event, inbound.event_key]
    else:
        parts = ["msg", inbound.msg_id, inbound.user_id, inbound.created_at]
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]
    return key("wechat", "dedupe", digest)


class OfficialAccount:
    """One WeChat official account, configured from settings; no I/O of its own."""

    channel = "wechat"

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.token = settings.wechat_token.reveal()
        self.max_skew = settings.wechat_max_skew
        self._clock = clock
        self.crypto: WeChatCrypto | None = None
        if settings.wechat_aes_key:
            keys = [settings.wechat_aes_key.reveal(), settings.wechat_aes_key_previous.reveal()]
            self.crypto = WeChatCrypto(self.token, keys, settings.wechat_appid)
        self.mode = AccountMode(
            settings.wechat_mode or (AccountMode.SAFE if self.crypto else AccountMode.PLAIN)
        )
        self.keep = 2 * self.max_skew + 5
        """Seconds a request's nonce and a message's dedupe entry are kept: as long as its
        timestamp can be accepted (up to ``max_skew`` either side of now)."""

    def _check_fresh(self, query: Mapping[str, Any]) -> tuple[str, str]:
        timestamp, nonce = _arg(query, "timestamp"), _arg(query, "nonce")
        check_timestamp(timestamp, max_skew=self.max_skew, now=self._clock())
        return timestamp, nonce

    def verify_url(self, query: Mapping[str, Any]) -> str:
        """The server-address check (GET): the ``echostr`` to echo back, as received."""
        timestamp, nonce = self._check_fresh(query)
        check_signature(self.token, _arg(query, "signature"), timestamp, nonce)
        return _arg(query, "echostr")

    def parse(self, query: Mapping[str, Any], body: bytes) -> ParsedRequest:
        """Authenticate and decode a callback (POST) in plain, compatible or safe mode."""
        timestamp, nonce = self._check_fresh(query)
        mode = _arg(query, "encrypt_type") or Mode.PLAIN
        if mode == Mode.AES:
            if self.crypto is None:
                raise NotConfigured(code="wechat_aes_not_configured")
            if self.mode is AccountMode.PLAIN:
                raise EncryptedRefused()
            encrypted = parse_xml(body).get("Encrypt")
            if not encrypted:
                raise BadXml(code="wechat_missing_encrypt")
            msg_sig = _arg(query, "msg_signature")
            decrypted = self.crypto.decrypt_message(encrypted, msg_sig, timestamp, nonce)
            inbound = to_inbound(parse_xml(decrypted.xml))
            return ParsedRequest(inbound, Mode.AES, decrypted.key_slot, timestamp, nonce)
        if mode != Mode.PLAIN:
            raise WeChatProtocolError(code="wechat_bad_encrypt_type")
        if self.mode is AccountMode.SAFE:
            raise PlaintextRefused()
        check_signature(self.token, _arg(query, "signature"), timestamp, nonce)
        inbound = to_inbound(parse_xml(body))
        return ParsedRequest(inbound, Mode.PLAIN, timestamp=timestamp, nonce=nonce)

    def once(self, timestamp: str, nonce: str) -> Write:
        """The replay guard of a request: its (timestamp, nonce) pair may be used only once,
        remembered for as long as the timestamp would still be accepted."""
        digest = hashlib.sha256(f"{timestamp}\x1f{nonce}".encode()).hexdigest()[:40]
        ttl = max(1.0, int(timestamp) + self.max_skew + 1 - self._clock())
        return Write(key("wechat", "nonce", digest), "1", ttl=ttl)

    def render(
        self,
        reply: Reply,
        parsed: ParsedRequest,
        to_user: str | None = None,
        from_user: str | None = None,
    ) -> bytes:
        """The passive reply in the request's mode; ``success`` when there is nothing to say."""
        if reply.is_empty:
            return SUCCESS
        xml = render_reply(
            reply,
            to_user=to_user or parsed.inbound.user_id,
            from_user=from_user or parsed.inbound.recipient,
            created_at=int(self._clock()),
        )
        if parsed.mode is Mode.AES and self.crypto is not None:
            return self.crypto.encrypt_message(
                xml, key_slot=parsed.crypto_used or 0, timestamp=str(int(self._clock()))
            )
        return xml
