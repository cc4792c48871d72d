"""Chat-channel fixtures: the real app on a loopback socket, a fake WeChat API, both stores."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from chat_fake_wechat import FakeWeChatApi
from chat_vectors import AES_KEY, APPID, PREVIOUS_AES_KEY, TOKEN
from sanic import Sanic

from channels.message import Reply
from handlers.app import create_app
from nlp.dialogue.turn import Turn
from selfservice.settings import Secret, Settings

APP_SECRET = "app-secret"


@dataclass
class Served:
    """A running app: its base URL, the Sanic app (for ``ctx``) and an HTTP session."""

    app: Sanic
    base: str
    http: aiohttp.ClientSession
    calls: list[str] = field(default_factory=list)

    async def post(self, path: str, *, params: dict | None = None, data: Any = None, **kw):
        async with self.http.post(self.base + path, params=params, data=data, **kw) as resp:
            return resp.status, resp.headers.get("content-type", ""), await resp.read()

    async def get(self, path: str, *, params: dict | None = None):
        async with self.http.get(self.base + path, params=params) as resp:
            return resp.status, resp.headers.get("content-type", ""), await resp.read()

    def count_dialogue(self) -> None:
        """Record every turn the dialogue engine executes (``calls`` gets the user ids)."""
        engine = self.app.ctx.dialogue
        route = engine.route

        def counted(turn):
            self.calls.append(turn.identity.user)
            return route(turn)

        engine.route = counted

    def replace_skill(self, name: str, skill: Callable[[Turn], Awaitable[Reply]]) -> None:
        self.app.ctx.dialogue.router.skills[name] = skill


@pytest.fixture
def chat_db_url(sqlite_template, tmp_path) -> str:
    """A migrated, empty SQLite copy (the chat routes do not need PostgreSQL-specific paths)."""
    target = tmp_path / "chat.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite://{target}"


@pytest.fixture
async def fake_api() -> AsyncIterator[tuple[FakeWeChatApi, str]]:
    api = FakeWeChatApi(APPID, APP_SECRET)
    runner = web.AppRunner(api.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield api, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture(params=["memory", "redis"])
def chat_store_url(request) -> str | None:
    return request.getfixturevalue("redis_url") if request.param == "redis" else None


@pytest.fixture
def chat_settings(settings: Settings, chat_db_url, fake_api, chat_store_url) -> Settings:
    return dataclasses.replace(
        settings,
        database_url=chat_db_url,
        redis_url=chat_store_url,
        wechat_token=Secret(TOKEN),
        wechat_appid=APPID,
        wechat_aes_key=Secret(AES_KEY),
        wechat_aes_key_previous=Secret(PREVIOUS_AES_KEY),
        wechat_mode="compat",  # most tests speak plaintext; safe mode has tests of its own
        wechat_appsecret=Secret(APP_SECRET),
        wechat_api_base=fake_api[1],
        public_base_url="https://xy.example.cn",
    )


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Settings], Awaitable[Served]]]:
    """Start ``create_app(settings)`` on a loopback port; stopped (outbox drained) at the end."""
    running: list[tuple[Any, aiohttp.ClientSession]] = []

    async def start(settings: Settings) -> Served:
        app = create_app(settings, name=f"chat_{uuid.uuid4().hex[:12]}")
        app.config.TOUCHUP = False  # touch-up rewrites shared classes; once per process is enough
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        running.append((server, http))
        return Served(app, f"http://127.0.0.1:{port}", http)

    yield start
    for server, http in running:
        await http.close()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
    await asyncio.sleep(0)


@pytest.fixture
async def served(serve, chat_settings) -> Served:
    return await serve(chat_settings)
