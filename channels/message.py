"""The one internal message type every channel converts to and from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"
    VOICE = "voice"
    IMAGE = "image"
    LOCATION = "location"
    LINK = "link"
    VIDEO = "video"
    EVENT = "event"
    UNSUPPORTED = "unsupported"


class Event(StrEnum):
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    CLICK = "click"
    VIEW = "view"
    SCAN = "scan"
    LOCATION = "location"


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float
    label: str = ""
    precision: float | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """What a user sent, whatever the channel; ``recipient`` is the account that received it."""

    channel: str
    user_id: str
    kind: Kind
    text: str = ""
    recipient: str = ""
    media_id: str = ""
    pic_url: str = ""
    url: str = ""
    title: str = ""
    location: Location | None = None
    event: str = ""
    event_key: str = ""
    scene: str = ""
    msg_id: str = ""
    created_at: int = 0
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_event(self) -> bool:
        return self.kind is Kind.EVENT


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    description: str = ""
    url: str = ""
    pic_url: str = ""


@dataclass(frozen=True, slots=True)
class QuickReply:
    label: str
    payload: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What we answer; channels that cannot show cards or buttons use ``fallback_text()``."""

    text: str = ""
    articles: tuple[Article, ...] = ()
    quick_replies: tuple[QuickReply, ...] = ()
    links: tuple[Link, ...] = ()
    more_url: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.articles or self.quick_replies or self.links)

    def fallback_text(self) -> str:
        """Text, then quick replies as 「label」 prompts, then links and cards as lines."""
        lines = [self.text] if self.text else []
        if self.quick_replies:
            lines.append("  ".join(f"「{q.label}」" for q in self.quick_replies))
        lines += [f"{a.title}：{a.url}" if a.url else a.title for a in self.articles]
        lines += [f"{link.label}：{link.url}" for link in self.links]
        return "\n".join(lines)
