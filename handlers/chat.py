"""Web chat ``POST /api/v1/chat``, the H5 page at ``/`` and its files under ``/static/``."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, JSONResponse, file, json
from sanic_ext import openapi

from channels.message import Inbound, Kind, Reply
from handlers.auth import authenticate, client_ip
from handlers.dialogue import engine_of, open_dialogue
from handlers.schemas import ERROR
from nlp.dialogue.turn import Identity
from selfservice.store import rate_limit

bp = Blueprint("chat")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
INDEX = STATIC_DIR / "index.html"
bp.static("/static", STATIC_DIR, name="h5_files")
SESSION_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
CHAT_WINDOW = 60
CHAT_PER_USER = 30  # a person types far fewer; a script does not
CHAT_PER_ADDRESS = 300  # many phones can share one carrier NAT address


class ChatIn(BaseModel):
    text: str = Field(min_length=1, max_length=500, description="what the user typed or tapped")
    session_id: str | None = Field(
        None,
        pattern=SESSION_PATTERN,
        description="anonymous conversation id returned by the previous reply; omit to start one",
    )
    channel: str = Field("web", pattern="^(web|miniprogram)$")


class QuickReplyOut(BaseModel):
    label: str
    payload: str = Field(description="text to send back when the button is tapped")


class LinkOut(BaseModel):
    label: str
    url: str


class ArticleOut(BaseModel):
    title: str
    description: str
    url: str


class ReplyOut(BaseModel):
    text: str
    quick_replies: list[QuickReplyOut]
    links: list[LinkOut]
    articles: list[ArticleOut]


class ChatOut(BaseModel):
    session_id: str | None = Field(description="anonymous conversation id (null when signed in)")
    reply: ReplyOut


@bp.before_server_start
async def open_chat(app: Sanic) -> None:
    await open_dialogue(app)


def serialise(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "quick_replies": [
            {"label": q.label, "payload": q.payload or q.label} for q in reply.quick_replies
        ],
        "links": [{"label": link.label, "url": link.url} for link in reply.links],
        "articles": [
            {"title": a.title, "description": a.description, "url": a.url} for a in reply.articles
        ],
    }


async def _identity(request: Request, body: ChatIn) -> tuple[Identity, str | None]:
    """Signed in: the account (and its subject once verified); else an anonymous session."""
    if request.headers.get("authorization"):
        p = await authenticate(request)
        who = (
            f"account:{p.account_id}" if p.account_id else f"{p.kind}:{p.subject_id or p.staff_id}"
        )
        subject = p.subject_id if p.kind == "subject" else None
        identity = Identity(
            who, body.channel, subject_id=subject, account_id=p.account_id, scopes=p.scopes
        )
        return identity, None
    session = body.session_id or secrets.token_urlsafe(18)
    return Identity(f"{body.channel}:{session}", body.channel), session


async def _limit(request: Request, user: str) -> None:
    """Flood protection across workers; the address is a keyed hash kept one window only."""
    store = request.app.ctx.store
    address = client_ip(request)
    await rate_limit(store, f"chat:u:{user}", limit=CHAT_PER_USER, window=CHAT_WINDOW)
    await rate_limit(store, f"chat:ip:{address}", limit=CHAT_PER_ADDRESS, window=CHAT_WINDOW)


@bp.post("/api/v1/chat")
@openapi.summary("Chat with the assistant (H5 page, mini-program); anonymous or signed in")
@openapi.description(
    "Anonymous callers keep the returned `session_id` and send it back; a bearer token makes the "
    "conversation the account's (records and cases need a verified subject)."
)
@openapi.secured("bearer")
@openapi.body({"application/json": ChatIn}, required=True)
@openapi.response(200, {"application/json": ChatOut})
@openapi.response(401, {"application/json": ERROR}, "invalid or revoked token")
@openapi.response(422, {"application/json": ERROR}, "validation_failed")
@openapi.response(429, {"application/json": ERROR}, "rate_limited (too many messages a minute)")
@openapi.response(503, {"application/json": ERROR}, "busy (another message still in progress)")
async def chat(request: Request) -> JSONResponse:
    body = ChatIn.model_validate(request.json if isinstance(request.json, dict) else {})
    identity, session = await _identity(request, body)
    await _limit(request, identity.user)
    inbound = Inbound(
        channel=body.channel, user_id=identity.user, kind=Kind.TEXT, text=body.text.strip()
    )
    reply = await engine_of(request.app).handle(inbound, identity)
    return json({"session_id": session, "reply": serialise(reply)})


@bp.get("/")
@openapi.summary("The H5 chat page")
@openapi.response(200, {"text/html": str})
async def index(request: Request) -> HTTPResponse:
    return await file(INDEX, mime_type="text/html; charset=utf-8")
