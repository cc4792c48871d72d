"""The WeChat API client against a local fake WeChat server speaking errcode/errmsg JSON."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from wechat_sample import APPID

from channels.message import Article
from channels.wechat.client import TOKEN_MARGIN, LoginSession, WeChatClient
from channels.wechat.errors import (
    InvalidLoginCode,
    LoginRateLimited,
    RiskyUser,
    WeChatApiError,
    WeChatUnavailable,
)
from handlers.redis_store import RedisStore
from selfservice.store import MemoryStore, SharedStore, key

SECRET = "app-secret"
MINI_APPID, MINI_SECRET = "wxmini0000000001", "mini-secret"
JPEG = b"\xff\xd8\xff\xe0fake-jpeg-bytes"


class FakeWeChat:
    """Just enough of api.weixin.qq.com: tokens, customer-service/subscribe send, media, login."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.sent: list[tuple[str, dict]] = []
        self.stale_errcode = 40001
        self.token_delay = 0.05
        self.delay = 0.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/message/custom/send", self.send)
        app.router.add_post("/cgi-bin/message/subscribe/send", self.send)
        app.router.add_get("/cgi-bin/media/get", self.media)
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        app.router.add_get("/broken/cgi-bin/token", self.broken)
        return app

    @staticmethod
    def error(errcode: int, errmsg: str, content_type: str = "application/json") -> web.Response:
        body = json.dumps({"errcode": errcode, "errmsg": errmsg})
        return web.Response(text=body, content_type=content_type)

    async def token(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("grant_type") != "client_credential":
            return self.error(40002, "invalid grant_type")
        if (q.get("appid"), q.get("secret")) != (APPID, SECRET):
            return self.error(40125, "invalid appsecret")
        await asyncio.sleep(self.token_delay)
        token = f"TOKEN_{len(self.issued) + 1}"
        self.issued.append(token)
        self.valid.add(token)
        body = json.dumps({"access_token": token, "expires_in": 7200})
        return web.Response(text=body, content_type="text/plain")

    def _stale(self, request: web.Request) -> web.Response | None:
        if request.query.get("access_token") not in self.valid:
            return self.error(self.stale_errcode, "invalid credential, access_token is invalid")
        return None

    async def send(self, request: web.Request) -> web.Response:
        if stale := self._stale(request):
            return stale
        await asyncio.sleep(self.delay)
        self.sent.append((request.path, await request.json()))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def media(self, request: web.Request) -> web.Response:
        if stale := self._stale(request):
            return stale
        if request.query.get("media_id") != "MEDIA_1":
            return self.error(40007, "invalid media_id", content_type="text/plain")
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def jscode2session(self, request: web.Request) -> web.Response:
        q = request.query
        if (q.get("appid"), q.get("secret"), q.get("grant_type")) != (
            MINI_APPID,
            MINI_SECRET,
            "authorization_code",
        ):
            return self.error(40013, "invalid appid")
        errors = {
            "used": (40029, "invalid code"),
            "flood": (45011, "api minute-quota reach limit"),
            "risky": (40226, "high risk user"),
            "busy": (-1, "system error"),
            "other": (40163, "code been used"),
        }
        if q["js_code"] in errors:
            return self.error(*errors[q["js_code"]])
        body = {"openid": "oMini1", "session_key": "c2Vzc2lvbg==", "unionid": "oUnion1"}
        if q["js_code"] == "no-union":
            body.pop("unionid")
        return web.Response(text=json.dumps(body), content_type="text/plain")

    async def broken(self, request: web.Request) -> web.Response:
        return web.Response(status=502, text="bad gateway")


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeWeChat, str]]:
    server = FakeWeChat()
    runner = web.AppRunner(server.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield server, f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def server(fake) -> FakeWeChat:
    return fake[0]


@pytest.fixture
def client(fake, session, store, wechat_settings) -> WeChatClient:
    settings = dataclasses.replace(wechat_settings, wechat_api_base=fake[1] + "/")
    return WeChatClient.official_account(session, store, settings)


async def test_token_is_fetched_once_and_cached(client, server, store):
    await client.send_text("oUser", "一")
    await client.send_text("oUser", "二")
    assert server.issued == ["TOKEN_1"]
    assert await store.get(key("wechat", "token", APPID)) == "TOKEN_1"
    ttl = await store.ttl(key("wechat", "token", APPID))
    assert 7200 - TOKEN_MARGIN - 5 < ttl <= 7200 - TOKEN_MARGIN


@pytest.fixture
async def worker_stores(store_url, shared_store) -> AsyncIterator[list[SharedStore]]:
    """Two handles on one shared store, as two worker processes would hold."""
    second = RedisStore(store_url) if store_url else shared_store
    try:
        yield [shared_store, second]
    finally:
        if second is not shared_store:
            await second.close()


async def test_concurrent_workers_fetch_the_token_once(fake, session, worker_stores):
    server, base = fake
    server.token_delay = 0.2
    clients = [
        WeChatClient(session, handle, appid=APPID, secret=SECRET, api_base=base)
        for handle in worker_stores
    ]
    tokens = await asyncio.gather(*(clients[i % 2].access_token() for i in range(10)))
    assert set(tokens) == {"TOKEN_1"}
    assert server.issued == ["TOKEN_1"]


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
async def test_token_refreshed_once_when_wechat_rejects_it(client, server, errcode):
    server.stale_errcode = errcode
    await client.send_text("oUser", "first")
    server.valid.clear()
    await client.send_text("oUser", "second")
    assert server.issued == ["TOKEN_1", "TOKEN_2"]
    assert [p["text"]["content"] for _, p in server.sent] == ["first", "second"]


async def test_token_refresh_is_not_a_loop(client, server):
    server.valid = _NeverValid()
    with pytest.raises(WeChatApiError) as caught:
        await client.send_text("oUser", "x")
    assert caught.value.errcode == 40001
    assert server.issued == ["TOKEN_1", "TOKEN_2"]


class _NeverValid(set):
    def __contains__(self, item: object) -> bool:
        return False


async def test_customer_service_payload_shapes(client, server):
    await client.send_text("oUser", "您的异议已受理：YY20261122-0042")
    await client.send_news(
        "oUser", [Article("信用报告", "点击查看", "https://h5/r", "https://h5/p.png")]
    )
    assert server.sent == [
        (
            "/cgi-bin/message/custom/send",
            {
                "touser": "oUser",
                "msgtype": "text",
                "text": {"content": "您的异议已受理：YY20261122-0042"},
            },
        ),
        (
            "/cgi-bin/message/custom/send",
            {
                "touser": "oUser",
                "msgtype": "news",
                "news": {
                    "articles": [
                        {
                            "title": "信用报告",
                            "description": "点击查看",
                            "url": "https://h5/r",
                            "picurl": "https://h5/p.png",
                        }
                    ]
                },
            },
        ),
    ]


async def test_subscribe_message_payload(client, server):
    await client.send_subscribe_message(
        "oUser", "TPL_1", {"thing1": "异议申诉", "time2": "2026-11-22 10:00"}, page="pages/me"
    )
    assert server.sent == [
        (
            "/cgi-bin/message/subscribe/send",
            {
                "touser": "oUser",
                "template_id": "TPL_1",
                "data": {"thing1": {"value": "异议申诉"}, "time2": {"value": "2026-11-22 10:00"}},
                "miniprogram_state": "formal",
                "lang": "zh_CN",
                "page": "pages/me",
            },
        )
    ]


async def test_media_download(client):
    assert await client.download_media("MEDIA_1") == (JPEG, "image/jpeg")


async def test_media_download_error_body(client):
    with pytest.raises(WeChatApiError) as caught:
        await client.download_media("MEDIA_404")
    assert (caught.value.errcode, caught.value.status) == (40007, 502)
    assert caught.value.errmsg == "invalid media_id"


async def test_media_download_refreshes_token(client, server):
    await client.access_token()
    server.valid.clear()
    assert (await client.download_media("MEDIA_1"))[0] == JPEG
    assert len(server.issued) == 2


async def test_wrong_secret(fake, session, store):
    bad = WeChatClient(session, store, appid=APPID, secret="wrong", api_base=fake[1])
    with pytest.raises(WeChatApiError) as caught:
        await bad.send_text("oUser", "x")
    assert caught.value.errcode == 40125
    assert caught.value.to_dict()["details"] == {"errcode": 40125, "errmsg": "invalid appsecret"}


async def test_jscode2session_success(client):
    login = await client.jscode2session(MINI_APPID, MINI_SECRET, "good-code")
    assert login == LoginSession(openid="oMini1", session_key="c2Vzc2lvbg==", unionid="oUnion1")
    assert (await client.jscode2session(MINI_APPID, MINI_SECRET, "no-union")).unionid == ""


@pytest.mark.parametrize(
    ("code", "error", "status", "errcode"),
    [
        ("used", InvalidLoginCode, 401, 40029),
        ("flood", LoginRateLimited, 429, 45011),
        ("risky", RiskyUser, 403, 40226),
        ("busy", WeChatUnavailable, 503, -1),
        ("other", WeChatApiError, 502, 40163),
    ],
)
async def test_jscode2session_errors(client, code, error, status, errcode):
    with pytest.raises(error) as caught:
        await client.jscode2session(MINI_APPID, MINI_SECRET, code)
    assert type(caught.value) is error
    assert (caught.value.status, caught.value.errcode) == (status, errcode)
    assert caught.value.message_zh and caught.value.message_en


async def test_miniprogram_client_from_settings(fake, session, store, wechat_settings):
    settings = dataclasses.replace(
        wechat_settings, miniprogram_appid=MINI_APPID, wechat_api_base=fake[1]
    )
    mini = WeChatClient.miniprogram(session, store, settings)
    assert mini.appid == MINI_APPID


async def test_http_failure_is_503(fake, session, store):
    broken = WeChatClient(session, store, appid=APPID, secret=SECRET, api_base=fake[1] + "/broken")
    with pytest.raises(WeChatUnavailable) as caught:
        await broken.access_token()
    assert caught.value.status == 503


async def test_timeout_is_503(fake, session, store):
    server, base = fake
    server.token_delay = 1.0
    slow = WeChatClient(
        session,
        store,
        appid=APPID,
        secret=SECRET,
        api_base=base,
        timeout=aiohttp.ClientTimeout(total=0.2),
    )
    with pytest.raises(WeChatUnavailable):
        await slow.access_token()


async def test_unreachable_server_is_503(session, store):
    gone = WeChatClient(session, store, appid=APPID, secret=SECRET, api_base="http://127.0.0.1:9")
    with pytest.raises(WeChatUnavailable):
        await gone.access_token()
