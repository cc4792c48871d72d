"""A local stand-in for api.weixin.qq.com: token, customer-service send, media download."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

JPEG = b"\xff\xd8\xff\xe0evidence-photo-bytes"


class FakeWeChatApi:
    def __init__(self, appid: str, secret: str) -> None:
        self.appid, self.secret = appid, secret
        self.sent: list[dict] = []
        self.media_requests: list[str] = []
        self.arrived = asyncio.Event()
        self.fail_sends = 0
        self.fail_after: int | None = None  # sends past this many delivered ones fail (502)
        self.refuse_with: int | None = None  # an errcode every send is refused with

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/message/custom/send", self.send)
        app.router.add_get("/cgi-bin/media/get", self.media)
        return app

    async def token(self, request: web.Request) -> web.Response:
        q = request.query
        if (q.get("appid"), q.get("secret")) != (self.appid, self.secret):
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        return web.json_response({"access_token": "FAKE_TOKEN", "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != "FAKE_TOKEN":
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if self.refuse_with is not None:
            return web.json_response({"errcode": self.refuse_with, "errmsg": "refused"})
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            return web.Response(status=502, text="bad gateway")
        if self.fail_sends:
            self.fail_sends -= 1
            return web.Response(status=502, text="bad gateway")
        self.sent.append(json.loads(await request.read()))
        self.arrived.set()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def media(self, request: web.Request) -> web.Response:
        media_id = request.query.get("media_id", "")
        self.media_requests.append(media_id)
        if media_id != "MEDIA_OK":
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=JPEG, content_type="image/jpeg")
