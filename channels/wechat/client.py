"""Async client of the WeChat server API: access token, customer-service and subscribe messages,
media download, mini-program login.

https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from channels.message import Article
from channels.wechat.errors import (
    InvalidLoginCode,
    LoginRateLimited,
    RiskyUser,
    WeChatApiError,
    WeChatUnavailable,
)
from selfservice.settings import Secret, Settings
from selfservice.store import SharedStore, key

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
TOKEN_MARGIN = 300
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=3)
ERRORS: dict[int, type[WeChatApiError]] = {
    -1: WeChatUnavailable,
    40029: InvalidLoginCode,
    45011: LoginRateLimited,
    40226: RiskyUser,
}


def raise_for_errcode(data: Mapping[str, Any]) -> None:
    """WeChat signals failure in the body: any ``errcode`` other than 0 becomes a typed error."""
    errcode = int(data.get("errcode") or 0)
    if errcode:
        raise ERRORS.get(errcode, WeChatApiError)(errcode, str(data.get("errmsg", "")))


@dataclass(frozen=True, slots=True)
class LoginSession:
    openid: str
    session_key: str
    unionid: str = ""


class WeChatClient:
    """One WeChat app (official account or mini-program); the token lives in the shared store."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        store: SharedStore,
        *,
        appid: str,
        secret: Secret | str,
        api_base: str = "https://api.weixin.qq.com",
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        stable: bool = False,
    ) -> None:
        self.session, self.store, self.appid = session, store, appid
        self._secret = secret if isinstance(secret, Secret) else Secret(secret)
        self.api_base, self.timeout = api_base.rstrip("/"), timeout
        self.stable = stable

    @classmethod
    def official_account(
        cls, session: aiohttp.ClientSession, store: SharedStore, settings: Settings
    ) -> WeChatClient:
        return cls(
            session,
            store,
            appid=settings.wechat_appid,
            secret=settings.wechat_appsecret,
            api_base=settings.wechat_api_base,
        )

    @classmethod
    def miniprogram(
        cls, session: aiohttp.ClientSession, store: SharedStore, settings: Settings
    ) -> WeChatClient:
        return cls(
            session,
            store,
            appid=settings.miniprogram_appid,
            secret=settings.miniprogram_secret,
            api_base=settings.wechat_api_base,
        )

    async def _call(
        self, method: str, path: str, params: Mapping[str, str], payload: Any = None
    ) -> tuple[bytes, str]:
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"} if body is not None else None
        try:
            async with self.session.request(
                method,
                self.api_base + path,
                params=params,
                data=body,
                headers=headers,
                timeout=self.timeout,
            ) as resp:
                if resp.status >= 500:
                    raise WeChatUnavailable(-1, f"HTTP {resp.status}")
                if resp.status != 200:
                    raise WeChatApiError(-1, f"HTTP {resp.status}")
                return await resp.read(), resp.content_type
        except (aiohttp.ClientError, TimeoutError):
            raise WeChatUnavailable(-1, "network error") from None

    async def _json(
        self, method: str, path: str, params: Mapping[str, str], payload: Any = None
    ) -> dict[str, Any]:
        raw, _ = await self._call(method, path, params, payload)
        try:
            data = json.loads(raw)
        except ValueError:
            raise WeChatApiError(-1, "not JSON") from None
        raise_for_errcode(data)
        return data

    @property
    def _token_key(self) -> str:
        return key("wechat", "token", self.appid)

    async def access_token(self, *, force_refresh: bool = False) -> str:
        """The cached token, fetched once across workers under a store lock."""
        token = await self.store.get(self._token_key)
        if token:
            return token
        async with self.store.lock(f"wechat-token:{self.appid}", ttl=15, wait=12):
            token = await self.store.get(self._token_key)
            if token:
                return token
            params = {
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self._secret.reveal(),
            }
            if self.stable:
                # https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/getStableAccessToken.html
                payload = {**params, "force_refresh": force_refresh}
                data = await self._json("POST", "/cgi-bin/stable_token", {}, payload)
            else:
                data = await self._json("GET", "/cgi-bin/token", params)
            token = str(data["access_token"])
            ttl = max(int(data.get("expires_in", 7200)) - TOKEN_MARGIN, 60)
            await self.store.set(self._token_key, token, ttl=ttl)
            return token

    async def _forget_token(self, token: str) -> None:
        if await self.store.get(self._token_key) == token:
            await self.store.delete(self._token_key)

    async def _authed(
        self, method: str, path: str, params: Mapping[str, str] | None = None, payload: Any = None
    ) -> tuple[bytes, str]:
        """Call with the access token; on an expired or revoked token refetch once and retry."""
        token = await self.access_token()
        raw, content_type = await self._call(
            method, path, {**(params or {}), "access_token": token}, payload
        )
        data = _maybe_json(raw, content_type)
        if data is not None and int(data.get("errcode") or 0) in TOKEN_ERRORS:
            await self._forget_token(token)
            token = await self.access_token(force_refresh=True)
            raw, content_type = await self._call(
                method, path, {**(params or {}), "access_token": token}, payload
            )
            data = _maybe_json(raw, content_type)
        if data is not None:
            raise_for_errcode(data)
        return raw, content_type

    async def send_text(self, openid: str, text: str) -> None:
        """Customer-service text message (within 48 h of the user's last message)."""
        await self._send({"touser": openid, "msgtype": "text", "text": {"content": text}})

    async def send_news(self, openid: str, articles: Iterable[Article]) -> None:
        """Customer-service link card(s)."""
        items = [
            {"title": a.title, "description": a.description, "url": a.url, "picurl": a.pic_url}
            for a in articles
        ]
        await self._send({"touser": openid, "msgtype": "news", "news": {"articles": items}})

    async def _send(self, payload: Mapping[str, Any]) -> None:
        await self._authed("POST", "/cgi-bin/message/custom/send", payload=payload)

    async def send_subscribe_message(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        *,
        page: str = "",
        state: str = "formal",
    ) -> None:
        """Subscribe message; ``data`` maps template keys (``thing1``…) to values."""
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {k: {"value": v} for k, v in data.items()},
            "miniprogram_state": state,
            "lang": "zh_CN",
        }
        if page:
            payload["page"] = page
        await self._authed("POST", "/cgi-bin/message/subscribe/send", payload=payload)

    async def download_media(self, media_id: str) -> tuple[bytes, str]:
        """Temporary media as ``(bytes, content_type)``; a JSON body with errcode is an error."""
        return await self._authed("GET", "/cgi-bin/media/get", {"media_id": media_id})

    async def jscode2session(self, appid: str, secret: str | Secret, code: str) -> LoginSession:
        """Mini-program login: exchange ``wx.login`` code for openid and session key."""
        secret = secret.reveal() if isinstance(secret, Secret) else secret
        params = {"appid": appid, "secret": secret, "js_code": code}
        data = await self._json(
            "GET", "/sns/jscode2session", {**params, "grant_type": "authorization_code"}
        )
        return LoginSession(
            openid=str(data["openid"]),
            session_key=str(data.get("session_key", "")),
            unionid=str(data.get("unionid", "")),
        )


def _maybe_json(raw: bytes, content_type: str) -> dict[str, Any] | None:
    if content_type not in ("application/json", "text/plain") and not raw.startswith(b"{"):
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
