"""What a skill sees of one message: who sent it, what it asks for, the state, the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from channels.message import Inbound, Reply
from nlp.dialogue.state import DialogueState
from selfservice.clock import Clock
from selfservice.policy import Policy, load_policy
from selfservice.settings import Settings
from selfservice.store import SharedStore

TZ = ZoneInfo("Asia/Shanghai")
WEB_CHANNEL = "web"


class MediaFetcher(Protocol):
    async def __call__(self, media_id: str) -> tuple[bytes, str]: ...


@dataclass(frozen=True, slots=True)
class Identity:
    """The user behind a channel: a stable key for state, and the subject once verified.

    A channel that must look the account up (a WeChat openid) passes ``resolve`` instead of the
    ids, and the lookup happens only in turns that need it (``Turn.who``), not on every message.
    """

    user: str
    channel: str
    subject_id: int | None = None
    account_id: int | None = None
    scopes: tuple[str, ...] = ("all",)  # an agent's token narrows what it may do for the subject
    resolve: Callable[[], Awaitable[Identity]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def verified(self) -> bool:
        return self.subject_id is not None


@dataclass(frozen=True, slots=True)
class Services:
    """Built once per process; what skills may use besides the domain services they import."""

    settings: Settings
    store: SharedStore
    policy: Policy | None = None
    clock: Clock = field(default_factory=Clock)

    def now(self) -> datetime:
        return self.clock.now()


@dataclass(slots=True)
class Turn:
    inbound: Inbound
    identity: Identity
    state: DialogueState
    services: Services
    intent: str = ""
    confidence: float = 0.0
    slots: dict[str, str] = field(default_factory=dict)
    fetch_media: MediaFetcher | None = None

    async def who(self) -> Identity:
        """The identity with its account looked up (once per turn, and only when asked)."""
        if self.identity.resolve is not None:
            self.identity = await self.identity.resolve()
        return self.identity

    @property
    def text(self) -> str:
        return self.inbound.text.strip()

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def rule(self, rule_id: str, default: Any) -> Any:
        """A rule of the jurisdiction's policy in force today, or ``default`` when it has none."""
        policy = self.services.policy
        if policy is None or rule_id not in policy.rule_ids():
            return default
        return policy.value(rule_id, self.services.now().date())

    def rule_source(self, rule_id: str) -> str:
        """Where the rule in force today comes from ("" when the jurisdiction has no such rule)."""
        policy = self.services.policy or load_policy(self.settings.jurisdiction)
        if rule_id not in policy.rule_ids():
            return ""
        return policy.rule(rule_id, self.services.now().date()).source

    def slot(self, name: str) -> str:
        """A slot from this message, else one the open flow collected earlier."""
        return self.slots.get(name) or self.state.slots.get(name, "")

    def link(self, page: str, **params: str | int | None) -> str:
        """Deep link into the H5 page, e.g. ``/#/objection?record=12``: relative for the web chat
        (the page that asks is the page linked to), else on ``PUBLIC_BASE_URL`` or, when that is
        unset, the address the server listens on."""
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        base = "" if self.identity.channel == WEB_CHANNEL else self.settings.public_base_url
        return f"{base}/#/{page}" + (f"?{query}" if query else "")


Skill = Callable[[Turn], Awaitable[Reply]]
