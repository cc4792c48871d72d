"""Read the TOML policy layers and refuse a local overlay that burdens the subject."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from selfservice.errors import ConfigError
from selfservice.policy.rules import DIRECTIONS, LEVELS, Policy, Rule
from selfservice.settings import get_settings

DATA_DIR = Path(__file__).parent / "data"
LAYERS = {"kunming": ("national", "yunnan", "kunming"), "yuxi": ("national", "yunnan", "yuxi")}
REQUIRED = ("id", "effective_from", "source", "protects")


class PolicyError(ConfigError):
    """A policy file is malformed or an overlay adds a burden; raised at load time."""


def _rule(raw: dict[str, Any], *, level: str, where: str) -> Rule:
    missing = [k for k in REQUIRED if not raw.get(k)]
    if missing or "value" not in raw:
        raise PolicyError(f"{where}: rule {raw.get('id')!r} lacks {', '.join(missing) or 'value'}")
    if raw["protects"] not in DIRECTIONS:
        raise PolicyError(f"{where}: rule {raw['id']}: protects must be one of {DIRECTIONS}")
    start, end = raw["effective_from"], raw.get("effective_to")
    bad_end = end is not None and (not isinstance(end, date) or end < start)
    if not isinstance(start, date) or bad_end:
        raise PolicyError(f"{where}: rule {raw['id']}: bad effective_from/effective_to")
    return Rule(
        id=raw["id"],
        value=raw["value"],
        effective_from=start,
        effective_to=end,
        source=raw["source"],
        level=level,
        protects=raw["protects"],
        title=raw.get("title", ""),
        unit=raw.get("unit", ""),
        note=raw.get("note", ""),
    )


def read_layer(path: Path) -> tuple[str, str, list[Rule]]:
    """``(version, level, rules)`` of one policy file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{path.name}: {exc}") from None
    level = data.get("level")
    if level not in LEVELS or not data.get("version"):
        raise PolicyError(f"{path.name}: needs a version and a level in {LEVELS}")
    rules = [_rule(raw, level=level, where=path.name) for raw in data.get("rules", [])]
    for i, a in enumerate(rules):
        for b in rules[i + 1 :]:
            if a.id == b.id and _overlap(a, b):
                raise PolicyError(f"{path.name}: two versions of {a.id} overlap in time")
    return str(data["version"]), level, rules


def _overlap(a: Rule, b: Rule) -> bool:
    a_end, b_end = a.effective_to or date.max, b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def burdens(local: Any, base: Any, direction: str, path: str = "") -> list[str]:
    """Paths where ``local`` is worse for the subject than ``base`` under ``direction``."""
    if direction == "any":
        return []
    if isinstance(base, dict):
        if not isinstance(local, dict) or set(local) != set(base):
            return [path or "value"]
        return [p for k in base for p in burdens(local[k], base[k], direction, f"{path}.{k}")]
    if isinstance(base, bool | int | float) and isinstance(local, bool | int | float):
        worse = local > base if direction == "lower" else local < base
        return [path or "value"] if worse else []
    return [] if local == base else [path or "value"]


def check_overlay(base: list[Rule], overlay: list[Rule], *, where: str) -> None:
    """Raise PolicyError when an overlay rule is less protective than a base rule it overlaps."""
    for rule in overlay:
        for under in (b for b in base if b.id == rule.id and _overlap(rule, b)):
            if rule.protects != under.protects:
                raise PolicyError(
                    f"{where}: rule {rule.id} declares protects={rule.protects!r}, "
                    f"but the {under.level} rule says {under.protects!r}"
                )
            worse = burdens(rule.value, under.value, under.protects)
            if worse:
                raise PolicyError(
                    f"{where}: rule {rule.id} ({rule.effective_from}) burdens the subject compared "
                    f"with the {under.level} rule ({under.source}) at {', '.join(worse)}; "
                    f"a local overlay may only add protection (protects={under.protects})"
                )


def build_policy(jurisdiction: str, *, data_dir: Path = DATA_DIR) -> Policy:
    """Read and validate every layer of ``jurisdiction`` (uncached)."""
    if jurisdiction not in LAYERS:
        raise PolicyError(f"unknown jurisdiction {jurisdiction!r}; expected one of {list(LAYERS)}")
    versions: dict[str, str] = {}
    rules: list[Rule] = []
    for position, name in enumerate(LAYERS[jurisdiction]):
        version, level, layer = read_layer(data_dir / f"{name}.toml")
        if level != LEVELS[position]:
            raise PolicyError(f"{name}.toml: level must be {LEVELS[position]!r}, not {level!r}")
        check_overlay(rules, layer, where=f"{name}.toml")
        versions[name] = version
        rules.extend(layer)
    return Policy(jurisdiction=jurisdiction, versions=versions, rules=rules)


@lru_cache(maxsize=8)
def load_policy(jurisdiction: str, *, data_dir: Path = DATA_DIR) -> Policy:
    """The policy of ``jurisdiction``, read once per process."""
    return build_policy(jurisdiction, data_dir=data_dir)


def current_policy() -> Policy:
    """The policy of the configured jurisdiction."""
    return load_policy(get_settings().jurisdiction)
