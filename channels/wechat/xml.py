"""WeChat XML ⇄ ``Inbound`` / ``Reply``: safe parsing, a message-type registry, passive replies.

https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as StdET
from collections.abc import Callable
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from channels.message import Article, Event, Inbound, Kind, Location, Reply
from channels.wechat.errors import BadXml, BodyTooLarge, ForbiddenXml

CHANNEL = "wechat"
MAX_BODY_BYTES = 64 * 1024
TEXT_REPLY_LIMIT = 2048
MAX_ARTICLES = 8
ELLIPSIS = "…"
MORE_PREFIX = "查看全文："

Fields = dict[str, str]
Parser = Callable[[Fields], dict[str, Any]]

_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def parse_xml(body: bytes) -> Fields:
    """Flat ``{tag: text}`` of a WeChat ``<xml>`` body; nested tags become ``Parent/Child``."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge()
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise ForbiddenXml() from None
    except (StdET.ParseError, ValueError):
        raise BadXml() from None
    if root.tag != "xml":
        raise BadXml()
    fields: Fields = {}
    for child in root:
        if len(child):
            fields.update((f"{child.tag}/{g.tag}", (g.text or "").strip()) for g in child.iter())
            fields.pop(f"{child.tag}/{child.tag}", None)
        else:
            fields[child.tag] = (child.text or "").strip()
    return fields


def _float(value: str | None) -> float:
    try:
        return float(value or "")
    except ValueError:
        raise BadXml(code="wechat_bad_location") from None


def _text(f: Fields) -> dict[str, Any]:
    return {"kind": Kind.TEXT, "text": f.get("Content", "")}


def _voice(f: Fields) -> dict[str, Any]:
    return {"kind": Kind.VOICE, "text": f.get("Recognition", ""), "media_id": f.get("MediaId", "")}


def _image(f: Fields) -> dict[str, Any]:
    return {"kind": Kind.IMAGE, "media_id": f.get("MediaId", ""), "pic_url": f.get("PicUrl", "")}


def _location(f: Fields) -> dict[str, Any]:
    where = Location(_float(f.get("Location_X")), _float(f.get("Location_Y")), f.get("Label", ""))
    return {"kind": Kind.LOCATION, "location": where, "text": where.label}


def _link(f: Fields) -> dict[str, Any]:
    return {
        "kind": Kind.LINK,
        "title": f.get("Title", ""),
        "text": f.get("Description", ""),
        "url": f.get("Url", ""),
    }


def _video(f: Fields) -> dict[str, Any]:
    return {"kind": Kind.VIDEO, "media_id": f.get("MediaId", "")}


def _subscribe(f: Fields) -> dict[str, Any]:
    key = f.get("EventKey", "")
    scene = key.removeprefix("qrscene_") if key.startswith("qrscene_") else ""
    return {"event": Event.SUBSCRIBE, "event_key": key, "scene": scene}


def _scan(f: Fields) -> dict[str, Any]:
    key = f.get("EventKey", "")
    return {"event": Event.SCAN, "event_key": key, "scene": key}


def _location_event(f: Fields) -> dict[str, Any]:
    where = Location(
        _float(f.get("Latitude")), _float(f.get("Longitude")), "", _float(f.get("Precision") or "0")
    )
    return {"event": Event.LOCATION, "location": where}


def _keyed(event: Event) -> Parser:
    return lambda f: {"event": event, "event_key": f.get("EventKey", "")}


EVENTS: dict[str, Parser] = {
    "subscribe": _subscribe,
    "unsubscribe": _keyed(Event.UNSUBSCRIBE),
    "CLICK": _keyed(Event.CLICK),
    "VIEW": _keyed(Event.VIEW),
    "SCAN": _scan,
    "LOCATION": _location_event,
}


def _event(f: Fields) -> dict[str, Any]:
    name = f.get("Event", "")
    parser = EVENTS.get(name) or (
        lambda f: {"event": name.lower(), "event_key": f.get("EventKey", "")}
    )
    return {"kind": Kind.EVENT, **parser(f)}


MESSAGES: dict[str, Parser] = {
    "text": _text,
    "voice": _voice,
    "image": _image,
    "location": _location,
    "link": _link,
    "video": _video,
    "shortvideo": _video,
    "event": _event,
}


def to_inbound(fields: Fields) -> Inbound:
    """Map parsed fields through the registry; unknown message types become ``unsupported``."""
    user, created = fields.get("FromUserName"), fields.get("CreateTime", "")
    if not user or not created.isdigit() or not fields.get("MsgType"):
        raise BadXml(code="wechat_missing_fields")
    parser = MESSAGES.get(fields["MsgType"], lambda f: {"kind": Kind.UNSUPPORTED})
    return Inbound(
        channel=CHANNEL,
        user_id=user,
        recipient=fields.get("ToUserName", ""),
        msg_id=fields.get("MsgId", ""),
        created_at=int(created),
        raw=dict(fields),
        **parser(fields),
    )


def cdata(value: str) -> str:
    """A CDATA section that survives ``]]>`` and characters XML cannot carry."""
    value = _INVALID_XML_CHARS.sub("", value)
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _cut(text: str, limit: int) -> str:
    return text.encode()[: max(limit, 0)].decode(errors="ignore")


def reply_text_limit(text: str, *, more_url: str = "", limit: int = TEXT_REPLY_LIMIT) -> str:
    """Fit ``text`` into ``limit`` UTF-8 bytes: trim, add "…" and a line to the full page."""
    if len(text.encode()) <= limit:
        return text
    tail = ELLIPSIS + (f"\n{MORE_PREFIX}{more_url}" if more_url else "")
    return _cut(text, limit - len(tail.encode())).rstrip() + tail


def split_text(text: str, *, limit: int = TEXT_REPLY_LIMIT) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` bytes, at line breaks where possible."""
    parts: list[str] = []
    while len(text.encode()) > limit:
        head = _cut(text, limit)
        cut = head.rfind("\n")
        head = head[: cut + 1] if cut > 0 else head
        parts.append(head.rstrip("\n"))
        text = text[len(head) :]
    if text or not parts:
        parts.append(text)
    return parts


def _wechat_text(reply: Reply) -> str:
    """Text trimmed to the limit, then quick replies and links (``<a>`` tags) kept whole."""
    extras = (
        ["  ".join(f"「{q.label}」" for q in reply.quick_replies)] if reply.quick_replies else []
    )
    extras += [anchor(a.title, a.url) for a in reply.articles]
    extras += [anchor(link.label, link.url) for link in reply.links]
    tail = "\n".join(extras)
    budget = TEXT_REPLY_LIMIT - (len(tail.encode()) + 1 if tail else 0)
    text = reply_text_limit(reply.text, more_url=reply.more_url, limit=budget)
    return reply_text_limit("\n".join(part for part in (text, tail) if part))


def anchor(label: str, url: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(label, quote=False)}</a>' if url else label


def _header(to_user: str, from_user: str, created_at: int, msg_type: str) -> str:
    return (
        f"<ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{created_at}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>"
    )


def render_text(text: str, *, to_user: str, from_user: str, created_at: int) -> bytes:
    head = _header(to_user, from_user, created_at, "text")
    return f"<xml>{head}<Content>{cdata(text)}</Content></xml>".encode()


def render_news(
    articles: tuple[Article, ...] | list[Article], *, to_user: str, from_user: str, created_at: int
) -> bytes:
    items = "".join(
        f"<item><Title>{cdata(a.title)}</Title><Description>{cdata(a.description)}</Description>"
        f"<PicUrl>{cdata(a.pic_url)}</PicUrl><Url>{cdata(a.url)}</Url></item>"
        for a in articles[:MAX_ARTICLES]
    )
    head = _header(to_user, from_user, created_at, "news")
    count = min(len(articles), MAX_ARTICLES)
    body = f"<ArticleCount>{count}</ArticleCount><Articles>{items}</Articles>"
    return f"<xml>{head}{body}</xml>".encode()


def render_reply(reply: Reply, *, to_user: str, from_user: str, created_at: int) -> bytes:
    """A passive reply: news when only cards are given, else text trimmed to WeChat's limit."""
    if reply.articles and not (reply.text or reply.quick_replies or reply.links):
        return render_news(
            reply.articles, to_user=to_user, from_user=from_user, created_at=created_at
        )
    return render_text(
        _wechat_text(reply), to_user=to_user, from_user=from_user, created_at=created_at
    )
