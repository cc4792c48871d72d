"""``selfservice worker``: outbox delivery and deadline sweeps, as a command or an in-app task.

Composition root for background work: it wires the WeChat client (``channels``) into the
outbox senders the domain defines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
import uuid

import aiohttp
from sanic import Sanic

from channels.sms import make_sms_gateway
from channels.wechat.client import WeChatClient
from channels.wechat.notify import WeChatSubscribeSender
from channels.wechat.outbox import CustomerServiceSender
from handlers.redis_store import make_store
from selfservice import db
from selfservice.calendar import set_calendar
from selfservice.calendar.service import load_calendar, refresh_calendar
from selfservice.cases.sweeps import sweep
from selfservice.clock import Clock
from selfservice.evidence import service as evidence
from selfservice.evidence.storage import LocalStorage
from selfservice.notifications import outbox
from selfservice.policy import Policy, load_policy
from selfservice.reports.notices import TIP_SMS, TipSmsSender
from selfservice.settings import Settings, get_settings
from selfservice.store import SharedStore

log = logging.getLogger("handlers.worker")
INTERVAL = 2.0
SWEEP_EVERY = 300.0


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def senders(
    settings: Settings, session: aiohttp.ClientSession, store: SharedStore
) -> dict[str, outbox.Sender]:
    """In-app always; WeChat subscribe messages when an app id is configured, and late chat
    replies (customer-service messages) when the official account is; a named reporter's SMS."""
    out: dict[str, outbox.Sender] = {
        outbox.INAPP: outbox.InAppSender(),
        TIP_SMS: TipSmsSender(make_sms_gateway(settings, session), settings.report_seal_key),
    }
    account = WeChatClient.official_account(session, store, settings)
    if settings.wechat_appid:
        out[outbox.WECHAT_CS] = CustomerServiceSender(account)
    if settings.miniprogram_appid:
        client = WeChatClient.miniprogram(session, store, settings)
    elif settings.wechat_appid:
        client = account
    else:
        return out
    account.stable = client.stable = True
    out[outbox.WECHAT] = WeChatSubscribeSender(client, template_id=settings.wechat_notify_template)
    return out


async def work(
    *,
    settings: Settings,
    session: aiohttp.ClientSession,
    store: SharedStore,
    policy: Policy,
    stop: asyncio.Event,
    interval: float = INTERVAL,
    sweep_every: float = SWEEP_EVERY,
    once: bool = False,
) -> None:
    """Deliver the outbox every ``interval`` seconds and sweep deadlines every ``sweep_every``;
    once a day reload the holiday table (with its December warning)."""
    me, chosen, last_sweep = worker_id(), senders(settings, session, store), 0.0
    last_day = None
    while not stop.is_set():
        try:
            if Clock().today() != last_day:
                last_day = Clock().today()
                await refresh_calendar(today=last_day)
            if time.monotonic() - last_sweep >= sweep_every:
                last_sweep = time.monotonic()
                counts = await sweep(today=Clock().today(), policy=policy)
                counts["evidence_purged"] = await evidence.purge_unattached(
                    storage=LocalStorage(settings.upload_dir)
                )
                if any(counts.values()):
                    log.info("deadline sweep: %s", counts)
            counts = await outbox.run_once(senders=chosen, worker=me)
            if counts:
                log.info("outbox: %s", counts)
        except Exception:
            log.exception("worker loop failed; retrying")
        if once:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


def install(app: Sanic, settings: Settings) -> None:
    """Run the worker inside the server process unless ``BACKGROUND_WORKER=0`` (then a separate
    ``selfservice worker`` process does it)."""
    if not settings.background_worker:
        return

    @app.after_server_start
    async def start_worker(app: Sanic) -> None:
        app.ctx.worker_stop = asyncio.Event()
        app.ctx.worker_task = asyncio.create_task(
            work(
                settings=settings,
                session=app.ctx.http,
                store=app.ctx.store,
                policy=app.ctx.policy,
                stop=app.ctx.worker_stop,
            )
        )

    @app.before_server_stop
    async def stop_worker(app: Sanic) -> None:
        app.ctx.worker_stop.set()
        await app.ctx.worker_task


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--once", action="store_true", help="one delivery pass and sweep, then exit"
    )
    parser.add_argument("--interval", type=float, default=INTERVAL, help="seconds between passes")


def run(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def _run() -> None:
        await db.connect(settings.database_url)
        set_calendar(await load_calendar())
        store = make_store(settings.redis_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signame in ("SIGINT", "SIGTERM"):
            with contextlib.suppress(NotImplementedError, AttributeError):
                loop.add_signal_handler(getattr(signal, signame), stop.set)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
                await work(
                    settings=settings,
                    session=session,
                    store=store,
                    policy=load_policy(settings.jurisdiction),
                    stop=stop,
                    interval=args.interval,
                    sweep_every=0 if args.once else SWEEP_EVERY,
                    once=args.once,
                )
        finally:
            await store.close()
            await db.close()

    asyncio.run(_run())
    return 0
