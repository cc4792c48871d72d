"""Policy rules in force per date, resolved over the national → Yunnan → city layers."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from selfservice.clock import Clock
from selfservice.enums import Nature, Severity
from selfservice.errors import NotFound, ValidationFailed

LEVELS = ("national", "provincial", "city")
DIRECTIONS = ("lower", "higher", "any")


@dataclass(frozen=True)
class Rule:
    """One version of a rule: its value, when it governs, where it comes from."""

    id: str
    value: Any
    effective_from: date
    source: str
    level: str
    protects: str
    title: str = ""
    effective_to: date | None = None
    unit: str = ""
    note: str = ""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "value": self.value,
            "unit": self.unit,
            "level": self.level,
            "source": self.source,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "protects": self.protects,
            "note": self.note,
        }


@dataclass(frozen=True)
class RecordPeriods:
    """How long a record is published and when it may be repaired, with the governing rule."""

    published: bool
    repair_eligible_from: date | None
    unpublish_at: date | None
    rule_id: str
    source: str
    level: str
    effective_from: date
    expired: bool | None = None
    repairable: bool | None = None


def add_months(d: date, months: int) -> date:
    """``d`` plus whole months, clamped to the last day of a shorter month."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class Policy:
    """The rules of one jurisdiction; the most local rule in force on a date wins."""

    def __init__(self, *, jurisdiction: str, versions: dict[str, str], rules: list[Rule]) -> None:
        self.jurisdiction = jurisdiction
        self.versions = dict(versions)
        self.rules = tuple(rules)

    def rule(self, rule_id: str, on: date) -> Rule:
        """The rule ``rule_id`` that governs on ``on`` (city over province over nation)."""
        found = [r for r in self.rules if r.id == rule_id and r.in_force(on)]
        if not found:
            raise NotFound(
                f"{on.isoformat()} 无适用的政策规则 {rule_id}",
                f"No policy rule {rule_id} in force on {on.isoformat()}",
                code="policy_rule_not_found",
            )
        return max(found, key=lambda r: (LEVELS.index(r.level), r.effective_from))

    def value(self, rule_id: str, on: date) -> Any:
        return self.rule(rule_id, on).value

    def rule_ids(self) -> list[str]:
        return sorted({r.id for r in self.rules})

    def in_force(self, on: date) -> list[Rule]:
        """Every rule governing on ``on``, one per id."""
        ids = sorted({r.id for r in self.rules if r.in_force(on)})
        return [self.rule(rule_id, on) for rule_id in ids]

    def periods_for(
        self,
        nature: Nature | str,
        severity: Severity | str | None,
        finding_date: date,
        validity_end: date | None = None,
        on: date | None = None,
    ) -> RecordPeriods:
        """Publication end and repair start of a record, by the rule of its finding date."""
        nature = Nature(nature)
        if nature is Nature.GOOD:
            rule = self.rule("record.good.period", finding_date)
            published, eligible, until = True, None, validity_end
        else:
            if severity is None:
                raise ValidationFailed("不良信息须注明严重程度", "Bad information needs a severity")
            rule = self.rule("record.bad.period", finding_date)
            spec = rule.value[Severity(severity).value]
            published = bool(spec["published"])
            eligible = add_months(finding_date, int(spec["min_months"]))
            until = add_months(finding_date, int(spec["max_months"]))
        return RecordPeriods(
            published=published,
            repair_eligible_from=eligible,
            unpublish_at=until,
            rule_id=rule.id,
            source=rule.source,
            level=rule.level,
            effective_from=rule.effective_from,
            expired=None if on is None else until is not None and on >= until,
            repairable=None if on is None or eligible is None else eligible <= on,
        )

    def as_dict(self, on: date | None = None) -> dict[str, Any]:
        """The policy in force on ``on`` (default today) with each rule's source."""
        on = on or Clock().today()
        return {
            "jurisdiction": self.jurisdiction,
            "versions": self.versions,
            "on": on.isoformat(),
            "rules": [r.as_dict() for r in self.in_force(on)],
        }
