"""The official account's callback URL ``GET|POST /wechat`` (DESIGN §4)."""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, raw, text
from sanic_ext import openapi

from channels.message import Reply
from channels.wechat.client import WeChatClient
from channels.wechat.errors import BodyTooLarge, Replayed
from channels.wechat.official_account import (
    SUCCESS,
    OfficialAccount,
    ParsedRequest,
    dedupe_key,
)
from channels.wechat.outbox import Outbox
from channels.wechat.xml import MAX_BODY_BYTES
from handlers.dialogue import engine_of, open_dialogue
from handlers.schemas import ERROR
from nlp.dialogue.turn import Identity
from selfservice.accounts import service as accounts
from selfservice.accounts.enums import AccountKind
from selfservice.store import Forgotten, OnceUsed

log = logging.getLogger("handlers.wechat")
bp = Blueprint("wechat")
BUSY = "系统繁忙，请稍后再试。"
REPLY_BUDGET = 4.0
"""Seconds to wait for the answer before replying ``success`` and pushing it later (WeChat: 5 s)."""
REDELIVERY = 30.0
"""Seconds after its creation within which WeChat may deliver a message again (three retries,
5 s apart), doubled: one created that long before the store's memory began is not run again."""
HARD_LIMIT = 4.5
"""Seconds after which the request is answered "busy" whatever is still pending (the store, say)."""


@bp.before_server_start
async def open_wechat(app: Sanic) -> None:
    await open_dialogue(app)
    settings = app.ctx.settings
    app.ctx.wechat = OfficialAccount(settings)
    app.ctx.wechat_client = WeChatClient.official_account(app.ctx.http, app.ctx.store, settings)
    app.ctx.wechat_outbox = Outbox(app.ctx.wechat_client)
    app.ctx.wechat_budget = REPLY_BUDGET


@bp.before_server_stop
async def drain_wechat(app: Sanic) -> None:
    await app.ctx.wechat_outbox.drain()


@bp.get("/wechat")
@openapi.summary("WeChat server-address check: echoes echostr when the signature is right")
@openapi.parameter("signature", str, "query")
@openapi.parameter("timestamp", int, "query", required=True)
@openapi.parameter("nonce", str, "query", required=True)
@openapi.parameter("echostr", str, "query", required=True)
@openapi.response(200, {"text/plain": str}, "echostr as received")
@openapi.response(400, {"application/json": ERROR})
@openapi.response(403, {"application/json": ERROR}, "bad signature, stale timestamp or replay")
@openapi.response(503, {"application/json": ERROR}, "account not configured")
async def verify(request: Request) -> HTTPResponse:
    wechat = request.app.ctx.wechat
    echo = wechat.verify_url(request.args)
    once = wechat.once(request.args.get("timestamp", ""), request.args.get("nonce", ""))
    if not await request.app.ctx.store.set_if_absent(once.key, "1", ttl=once.ttl):
        raise Replayed()
    return text(echo)


@bp.post("/wechat", stream=True)
@openapi.summary("WeChat message and event callback (plain, compatible or safe mode)")
@openapi.description(
    "Passive reply in the request's mode within WeChat's 5 s; `success` when the answer is late "
    "(it is then pushed through the customer-service API). Retries are answered once."
)
@openapi.parameter("signature", str, "query")
@openapi.parameter("timestamp", int, "query", required=True)
@openapi.parameter("nonce", str, "query", required=True)
@openapi.parameter("openid", str, "query")
@openapi.parameter("encrypt_type", str, "query")
@openapi.parameter("msg_signature", str, "query")
@openapi.body({"application/xml": str}, description="WeChat XML (or the Encrypt envelope)")
@openapi.response(200, {"application/xml": str, "text/plain": str}, "reply XML or `success`")
@openapi.response(400, {"application/json": ERROR}, "malformed XML or ciphertext")
@openapi.response(
    403,
    {"application/json": ERROR},
    "bad signature, stale timestamp, wrong appid, plaintext in safe mode, replayed nonce",
)
@openapi.response(413, {"application/json": ERROR})
@openapi.response(503, {"application/json": ERROR}, "account not configured")
async def receive(request: Request) -> HTTPResponse:
    started = time.monotonic()
    body = await _read_capped(request, MAX_BODY_BYTES)
    app = request.app
    parsed = app.ctx.wechat.parse(request.args, body)
    left = app.ctx.wechat_budget - (time.monotonic() - started)
    try:
        out = await asyncio.wait_for(
            _answer(app, parsed, left), timeout=max(0.0, left + HARD_LIMIT - REPLY_BUDGET)
        )
    except TimeoutError:
        log.warning("WeChat message answered busy: the store or the dialogue did not answer")
        out = app.ctx.wechat.render(Reply(text=BUSY), parsed)
    if out == SUCCESS:
        return raw(out, content_type="text/plain; charset=utf-8")
    return raw(out, content_type="application/xml; charset=utf-8")


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body, refused by its declared length before reading, and cut off while streaming."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    chunks, size = [], 0
    while (chunk := await request.stream.read()) is not None:
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


async def _answer(app: Sanic, parsed: ParsedRequest, wait: float) -> bytes:
    """The passive reply, kept for WeChat's retries; ``success`` when it will be pushed later."""
    inbound = parsed.inbound
    identity = Identity(
        user=f"wechat:{inbound.user_id}",
        channel="wechat",
        resolve=partial(_account_identity, inbound.user_id),
    )
    wechat, outbox, key = app.ctx.wechat, app.ctx.wechat_outbox, dedupe_key(inbound)
    try:
        out = await engine_of(app).deliver(
            inbound,
            identity,
            key=key,
            render=partial(wechat.render, parsed=parsed),
            wait=max(0.0, wait),
            late=partial(outbox.push_when_done, inbound.user_id, key=key),
            fetch_media=app.ctx.wechat_client.download_media,
            once=wechat.once(parsed.timestamp, parsed.nonce),
            keep=wechat.keep,
            redelivery=REDELIVERY,
        )
    except OnceUsed:
        raise Replayed() from None
    except Forgotten:
        log.warning("a WeChat message from before the store's memory began was not run again")
        return wechat.render(Reply(text=BUSY), parsed)
    except Exception:
        log.exception("dialogue failed on a WeChat message")
        return wechat.render(Reply(text=BUSY), parsed)
    return SUCCESS if out is None else out


async def _account_identity(openid: str) -> Identity:
    """The openid's account (created on first need) and the subject it is bound to."""
    account = await accounts.for_channel_user(openid=openid, kind=AccountKind.OFFICIAL_ACCOUNT)
    return Identity(
        user=f"wechat:{openid}",
        channel="wechat",
        subject_id=account.subject_id,
        account_id=account.id,
    )
