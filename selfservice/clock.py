"""The one clock: "today" is the date in Asia/Shanghai (DESIGN §4), whatever the server's zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    """Reads an aware instant and answers in Beijing time; tests pass a fixed ``source``."""

    source: Callable[[], datetime] = field(default=_utcnow)

    def now(self) -> datetime:
        return self.source().astimezone(ZONE)

    def today(self) -> date:
        return self.now().date()


def fixed(at: datetime) -> Clock:
    """A clock stopped at ``at`` (an aware datetime)."""
    return Clock(source=lambda: at)
