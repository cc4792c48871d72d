"""The outbox against a local fake WeChat API: delivery, retries, shared token refresh, restarts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta

import aiohttp
import pytest
from aiohttp import web
from objection_factories import World, make_world

from channels.wechat.client import WeChatClient
from channels.wechat.notify import WeChatSubscribeSender
from handlers.redis_store import RedisStore
from selfservice.accounts.enums import AccountKind
from selfservice.accounts.models import Account
from selfservice.notifications import outbox
from selfservice.notifications.models import Notification, OutboxMessage
from selfservice.objections import service
from selfservice.policy import load_policy

APPID, SECRET, TEMPLATE = "wxmini0000000042", "mini-secret", "TPL_CASE_STATUS"


class FakeWeChat:
    """stable_token and subscribe/send, with injectable 5xx, token errors and slow sends."""

    def __init__(self) -> None:
        self.token_calls: list[dict] = []
        self.valid: set[str] = set()
        self.pushed: list[dict] = []
        self.fail_5xx = 0
        self.stale_errcode = 40001
        self.hang = False
        self.received = asyncio.Event()
        self.release = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        app.router.add_post("/cgi-bin/message/subscribe/send", self.send)
        return app

    async def stable_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if (body.get("appid"), body.get("secret")) != (APPID, SECRET):
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        await asyncio.sleep(0.05)  # long enough for two workers to race for it
        self.token_calls.append(body)
        token = f"STABLE_{len(self.token_calls)}"
        self.valid.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        if self.fail_5xx:
            self.fail_5xx -= 1
            return web.Response(status=503, text="busy")
        if request.query.get("access_token") not in self.valid:
            return web.json_response({"errcode": self.stale_errcode, "errmsg": "invalid token"})
        body = await request.json()
        self.pushed.append(body)
        self.received.set()
        if self.hang:
            await self.release.wait()
        return web.json_response({"errcode": 0, "errmsg": "ok"})


@pytest.fixture
async def fake_wechat() -> AsyncIterator[tuple[FakeWeChat, str]]:
    fake = FakeWeChat()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield fake, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


class Worker:
    """One worker process: its own HTTP session and Redis connection, the shared Redis behind."""

    def __init__(self, name: str, base: str, redis_url: str) -> None:
        self.name, self.base, self.redis_url = name, base, redis_url

    async def __aenter__(self) -> Worker:
        self.session = aiohttp.ClientSession()
        self.store = RedisStore(self.redis_url)
        client = WeChatClient(
            self.session, self.store, appid=APPID, secret=SECRET, api_base=self.base, stable=True
        )
        self.senders = {
            outbox.INAPP: outbox.InAppSender(),
            outbox.WECHAT: WeChatSubscribeSender(client, template_id=TEMPLATE),
        }
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.close()
        await self.store.close()

    async def run(self, now=None, limit: int = 50) -> dict[str, int]:
        return await outbox.run_once(senders=self.senders, worker=self.name, now=now, limit=limit)


async def filed(w: World, *, openids=("oUser1",), records=1) -> list[str]:
    for openid in openids:
        await Account.create(kind=AccountKind.MINIPROGRAM, openid=openid, subject=w.subject)
    receipts = [
        (
            await service.file(
                actor=w.subject_actor(),
                filing=service.Filing(w.record.id, "content_wrong", "处罚金额记载错误"),
                policy=load_policy("kunming"),
                today=date(2026, 11, 20),
            )
        )[0].receipt
    ]
    return receipts


async def test_status_change_delivered_in_app_and_by_wechat(database, redis_url, fake_wechat):
    fake, base = fake_wechat
    w = await make_world()
    (receipt,) = await filed(w)
    rows = await OutboxMessage.filter(receipt=receipt).order_by("id")
    assert [r.channel for r in rows] == ["inapp", "wechat"]
    async with Worker("w1", base, redis_url) as worker:
        assert await worker.run() == {"delivered": 2}
        assert await worker.run() == {}
    assert len(fake.pushed) == 1
    push = fake.pushed[0]
    assert push["touser"] == "oUser1" and push["template_id"] == TEMPLATE
    assert push["data"]["character_string2"] == {"value": receipt}
    assert push["page"].endswith(f"receipt={receipt}")
    notes = await Notification.filter(subject_id=w.subject.id)
    assert [n.title for n in notes] == ["异议申请已提交"] and receipt in notes[0].body
    assert fake.token_calls == [
        {
            "grant_type": "client_credential",
            "appid": APPID,
            "secret": SECRET,
            "force_refresh": False,
        }
    ]


async def test_retry_after_5xx_with_backoff(database, redis_url, fake_wechat):
    fake, base = fake_wechat
    w = await make_world()
    await filed(w)
    fake.fail_5xx = 2
    async with Worker("w1", base, redis_url) as worker:
        now = outbox.utcnow()
        assert await worker.run(now=now) == {"delivered": 1, "retry": 1}
        row = await OutboxMessage.get(channel="wechat")
        assert row.status == "pending" and row.attempts == 1 and "unavailable" in row.last_error
        assert row.next_attempt_at >= now + timedelta(seconds=29)
        assert await worker.run(now=now + timedelta(seconds=10)) == {}  # not due yet
        assert await worker.run(now=now + timedelta(seconds=31)) == {"retry": 1}
        assert await worker.run(now=now + timedelta(seconds=31 + 61)) == {"delivered": 1}
    row = await OutboxMessage.get(channel="wechat")
    assert row.status == "delivered" and row.attempts == 3
    assert len(fake.pushed) == 1


@pytest.mark.parametrize("errcode", [40001, 42001])
async def test_token_refreshed_once_across_two_workers(database, redis_url, fake_wechat, errcode):
    fake, base = fake_wechat
    fake.stale_errcode = errcode
    w = await make_world()
    await filed(w, openids=("oA", "oB", "oC", "oD"))
    async with Worker("w1", base, redis_url) as one, Worker("w2", base, redis_url) as two:
        # both workers start with a token WeChat has since expired
        await one.store.set("xy:wechat:token:" + APPID, "EXPIRED", ttl=600)
        results = await asyncio.gather(one.run(limit=3), two.run(limit=3))
    counts = [r.get("delivered", 0) for r in results]
    assert sum(counts) == 5 and all(counts), results  # 4 pushes + 1 in-app, shared by both workers
    assert len(fake.token_calls) == 1  # one refresh, whichever worker noticed first
    assert sorted(p["touser"] for p in fake.pushed) == ["oA", "oB", "oC", "oD"]


async def test_no_duplicate_push_after_worker_restart_mid_delivery(
    database, redis_url, fake_wechat
):
    fake, base = fake_wechat
    w = await make_world()
    await filed(w)
    await OutboxMessage.filter(channel="inapp").update(status="delivered")
    fake.hang = True  # WeChat takes the push but the worker dies before hearing back
    start = outbox.utcnow()
    async with Worker("w1", base, redis_url) as first:
        task = asyncio.create_task(first.run(now=start))
        await asyncio.wait_for(fake.received.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    row = await OutboxMessage.get(channel="wechat")
    assert row.status == "pending" and row.send_started_at is not None
    fake.hang = False
    fake.release.set()
    async with Worker("w2", base, redis_url) as second:
        assert await second.run(now=start + timedelta(seconds=30)) == {}  # lease still held
        after_lease = start + timedelta(seconds=outbox.LEASE_SECONDS + 1)
        assert await second.run(now=after_lease) == {"uncertain": 1}
        assert await second.run(now=after_lease + timedelta(hours=2)) == {}
    assert len(fake.pushed) == 1
    row = await OutboxMessage.get(channel="wechat")
    assert row.status == "delivered" and row.last_error.startswith("uncertain")


async def test_in_app_delivery_is_exactly_once_even_if_repeated(database):
    w = await make_world()
    await filed(w, openids=())
    (row,) = await OutboxMessage.all()
    sender = outbox.InAppSender()
    await asyncio.gather(*(sender.send(row) for _ in range(3)))
    assert await Notification.all().count() == 1
    assert await outbox.run_once(senders={"inapp": sender}, worker="w") == {"delivered": 1}
    assert await Notification.all().count() == 1


async def test_wechat_down_then_delivered_later_and_permanent_errors_give_up(database, redis_url):
    w = await make_world()
    await filed(w, openids=("oGone",))
    async with aiohttp.ClientSession() as session:
        store = RedisStore(redis_url)
        client = WeChatClient(
            session, store, appid=APPID, secret=SECRET, api_base="http://127.0.0.1:9", stable=True
        )
        senders = {
            "inapp": outbox.InAppSender(),
            "wechat": WeChatSubscribeSender(client, template_id=TEMPLATE),
        }
        now = outbox.utcnow()
        assert await outbox.run_once(senders=senders, worker="w", now=now) == {
            "delivered": 1,
            "retry": 1,
        }
        await store.close()
    row = await OutboxMessage.get(channel="wechat")
    assert row.status == "pending" and row.send_started_at is None

    class Refused:
        idempotent = False

        async def send(self, message):
            raise outbox.GiveUp("wechat errcode 43101: user refuse to accept the msg")

    later = now + timedelta(minutes=5)
    assert await outbox.run_once(senders={"wechat": Refused()}, worker="w", now=later) == {
        "dead": 1
    }
    assert (await OutboxMessage.get(channel="wechat")).status == "dead"
    assert json.dumps(outbox.backoff(30).total_seconds()) == "3600.0"
