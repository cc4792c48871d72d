"""Policy rules in force per date, resolved over the national → Yunnan → city layers."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from selfservice.clock import Clock
from selfservice.enums import Nature, Severity
from selfservice.errors import NotFound, ValidationFailed

LEVELS = ("national", "provincial", "city")
RULE_LEVELS = (*LEVELS, "platform")
DIRECTIONS = ("lower", "higher", "any")
STATUSES = ("in_force", "planned")
ANCHORS = ("finding_date", "publicity_start")
ONE_DAY = timedelta(days=1)
TRANSITION = "record.period.transition"


@dataclass(frozen=True)
class Rule:
    """One version of a rule: its value, when it governs, where it comes from.

    ``layer`` is the policy file it was read from (national → provincial → city decides which
    rule wins); ``level`` is the legal level of its source (``platform`` for a number this
    platform chose itself); ``governs`` names what it decides, for rules with different ids.
    """

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
    layer: str = ""
    status: str = "in_force"
    review: str = ""
    governs: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "layer", self.layer or self.level)
        object.__setattr__(self, "governs", self.governs or self.id)

    @property
    def planned(self) -> bool:
        return self.status == "planned"

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "value": self.value,
            "unit": self.unit,
            "level": self.level,
            "layer": self.layer,
            "status": self.status,
            "review": self.review or None,
            "source": self.source,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "protects": self.protects,
            "note": self.note,
        }


@dataclass(frozen=True)
class RecordPeriods:
    """How long a record is published and when it may be repaired, with the governing rule.

    ``published_through`` is the last day of publication (民法典 art. 202: the corresponding
    day, or the month-end); the record stops being published and used the day after.
    ``repairable_from`` is the first day a repair application is possible: the day after the
    minimum period's last day.
    """

    published: bool
    repairable_from: date | None
    published_through: date | None
    rule_id: str
    source: str
    level: str
    effective_from: date
    anchor: str = "finding_date"
    transition: str = ""
    expired: bool | None = None
    repairable: bool | None = None


def add_months(d: date, months: int) -> date:
    """``d`` plus whole months, clamped to the last day of a shorter month."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def period_last_day(start: date, months: int) -> date:
    """Last day of a period of ``months`` counted from the event on ``start`` (民法典 art.
    201–202: the event day is not counted; the period ends on the corresponding day of the last
    month, or that month's last day). A zero-length period ends before it starts."""
    return add_months(start, months) if months else start - ONE_DAY


def after_minimum(start: date, months: int) -> date:
    """First day after a minimum period of ``months`` from ``start`` (``start`` if none)."""
    return add_months(start, months) + ONE_DAY if months else start


def _spec(value: dict[str, Any], severity: Severity, catalogue_class: str | None) -> dict:
    """The period spec of a severity, with a per-class override when the rule has one."""
    spec = dict(value[severity.value])
    override = (value.get("classes") or {}).get(catalogue_class or "", {})
    spec.update(override.get(severity.value, {}))
    return spec


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
        return max(found, key=lambda r: (LEVELS.index(r.layer), r.effective_from))

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
        *,
        catalogue_class: str | None = None,
        publicity_start: date | None = None,
    ) -> RecordPeriods:
        """Publication and repair dates of a record, by the rule of its finding date (and the
        transition rule for bad records still published when a new regime starts)."""
        nature = Nature(nature)
        if nature is Nature.GOOD:
            rule = self.rule("record.good.period", finding_date)
            periods = RecordPeriods(
                published=True,
                repairable_from=None,
                published_through=validity_end,
                rule_id=rule.id,
                source=rule.source,
                level=rule.level,
                effective_from=rule.effective_from,
            )
        else:
            if severity is None:
                raise ValidationFailed("不良信息须注明严重程度", "Bad information needs a severity")
            dates = {"finding_date": finding_date, "publicity_start": publicity_start}
            periods = self._bad_periods(Severity(severity), finding_date, catalogue_class, dates)
        if on is None:
            return periods
        until, eligible = periods.published_through, periods.repairable_from
        return replace(
            periods,
            expired=until is not None and on > until,
            repairable=None if eligible is None else eligible <= on,
        )

    def _bad_periods(
        self,
        severity: Severity,
        found: date,
        catalogue_class: str | None,
        dates: dict[str, date | None],
    ) -> RecordPeriods:
        rule = self.rule("record.bad.period", found)
        old = self._apply(rule, severity, catalogue_class, dates)
        switches = [
            r
            for r in self.rules
            if r.id == TRANSITION and found < r.effective_from and r.in_force(r.effective_from)
        ]
        if old.published_through is None or not switches:
            return old
        transition = min(switches, key=lambda r: r.effective_from)
        switch = transition.effective_from
        if old.published_through < switch:
            return old
        new = self._apply(self.rule("record.bad.period", switch), severity, catalogue_class, dates)
        eligible = [d for d in (old.repairable_from, new.repairable_from) if d is not None]
        return replace(
            old,
            published=old.published and new.published,
            repairable_from=min(eligible) if eligible else None,
            # a period already over under the new rule ends the day before the switch
            published_through=max(
                min(old.published_through, new.published_through or old.published_through),
                switch - ONE_DAY,
            ),
            transition=f"{transition.id}: {new.source}",
        )

    @staticmethod
    def _apply(
        rule: Rule, severity: Severity, catalogue_class: str | None, dates: dict[str, date | None]
    ) -> RecordPeriods:
        anchor = rule.value.get("anchor", "finding_date")
        start = dates.get(anchor) or dates["finding_date"]
        spec = _spec(rule.value, severity, catalogue_class)
        return RecordPeriods(
            published=bool(spec["published"]),
            repairable_from=after_minimum(start, int(spec["min_months"])),
            published_through=period_last_day(start, int(spec["max_months"])),
            rule_id=rule.id,
            source=rule.source,
            level=rule.level,
            effective_from=rule.effective_from,
            anchor=anchor,
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
