"""The severe-dishonesty areas of Kunming task 7 a tip may report, and routing by category and place."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from selfservice.staff.models import Department

ROUTING_FILE = Path(__file__).parent / "data" / "routing.toml"


class TipCategory(StrEnum):
    FOOD_DRUGS = "food_drugs"
    ENVIRONMENT = "environment"
    WORK_SAFETY = "work_safety"
    FIRE_SAFETY = "fire_safety"
    PRODUCT_QUALITY = "product_quality"
    WAGE_ARREARS = "wage_arrears"
    TAX = "tax"
    FRAUD_FUNDRAISING = "fraud_fundraising"
    FALSE_ADVERTISING = "false_advertising"
    BID_RIGGING = "bid_rigging"
    CONSUMER_RIGHTS = "consumer_rights"
    COURT_JUDGEMENTS = "court_judgements"
    OTHER = "other"


@dataclass(frozen=True)
class Route:
    category: TipCategory
    label_zh: str
    department: str
    """Code suffix of the responsible department (``SCJG`` → ``KM-SCJG``, ``KM-WH-SCJG``)."""
    hint_zh: str = ""


@lru_cache(maxsize=1)
def routes() -> dict[TipCategory, Route]:
    """The routing table of the data file, one row per category."""
    raw = tomllib.loads(ROUTING_FILE.read_text(encoding="utf-8"))
    table = {
        TipCategory(r["category"]): Route(
            TipCategory(r["category"]), r["label"], r["department"], r.get("hint", "")
        )
        for r in raw["routes"]
    }
    missing = set(TipCategory) - set(table)
    if missing:
        raise ValueError(f"routing.toml lacks {sorted(missing)}")
    return table


def fallback_suffix() -> str:
    return tomllib.loads(ROUTING_FILE.read_text(encoding="utf-8"))["fallback"]


def label_of(category: str) -> str:
    return routes()[TipCategory(category)].label_zh


async def route(*, category: TipCategory, jurisdiction: str, region_code: str) -> Department:
    """The responsible department: the county's own if it has one for the place, else the city's,
    else the jurisdiction's credit office."""
    suffix = routes()[category].department
    in_j = Department.filter(jurisdiction=jurisdiction)
    if region_code:
        county = await in_j.filter(region_code=region_code, code__endswith=f"-{suffix}").first()
        if county is not None:
            return county
    for wanted in (suffix, fallback_suffix()):
        city = (
            await in_j.filter(level="city", code__endswith=f"-{wanted}")
            .exclude(code__contains=f"-{wanted}-")
            .order_by("id")
            .first()
        )
        if city is not None:
            return city
    found = await in_j.filter(level="city").order_by("id").first()
    if found is None:
        raise LookupError(f"no department in jurisdiction {jurisdiction!r}")
    return found
