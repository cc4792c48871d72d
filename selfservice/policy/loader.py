"""Read the TOML policy layers and refuse a local overlay that burdens the subject."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from selfservice.errors import ConfigError
from selfservice.policy.rules import (
    ANCHORS,
    DIRECTIONS,
    LEVELS,
    RULE_LEVELS,
    STATUSES,
    Policy,
    Rule,
)
from selfservice.settings import get_settings

DATA_DIR = Path(__file__).parent / "data"
LAYERS = {"kunming": ("national", "yunnan", "kunming"), "yuxi": ("national", "yunnan", "yuxi")}
REQUIRED = ("id", "effective_from", "source", "protects")
SEVERITIES = ("minor", "general", "severe")


class PolicyError(ConfigError):
    """A policy file is malformed or an overlay adds a burden; raised at load time."""


def _rule(raw: dict[str, Any], *, layer: str, where: str) -> Rule:
    missing = [k for k in REQUIRED if not raw.get(k)]
    if missing or "value" not in raw:
        raise PolicyError(f"{where}: rule {raw.get('id')!r} lacks {', '.join(missing) or 'value'}")
    if raw["protects"] not in DIRECTIONS:
        raise PolicyError(f"{where}: rule {raw['id']}: protects must be one of {DIRECTIONS}")
    start, end = raw["effective_from"], raw.get("effective_to")
    bad_end = end is not None and (not isinstance(end, date) or end < start)
    if not isinstance(start, date) or bad_end:
        raise PolicyError(f"{where}: rule {raw['id']}: bad effective_from/effective_to")
    level, status = raw.get("level", layer), raw.get("status", "in_force")
    if level not in RULE_LEVELS or status not in STATUSES:
        raise PolicyError(
            f"{where}: rule {raw['id']}: level must be one of {RULE_LEVELS}, "
            f"status one of {STATUSES}"
        )
    if level == "platform" and "平台" not in raw["source"] + raw.get("note", ""):
        raise PolicyError(f"{where}: rule {raw['id']}: a platform rule must say so in its source")
    value = raw["value"]
    if isinstance(value, dict) and value.get("anchor", "finding_date") not in ANCHORS:
        raise PolicyError(f"{where}: rule {raw['id']}: anchor must be one of {ANCHORS}")
    return Rule(
        id=raw["id"],
        value=value,
        effective_from=start,
        effective_to=end,
        source=raw["source"],
        level=level,
        layer=layer,
        protects=raw["protects"],
        title=raw.get("title", ""),
        unit=raw.get("unit", ""),
        note=raw.get("note", ""),
        status=status,
        review=raw.get("review", ""),
        governs=raw.get("governs", ""),
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
    rules = [_rule(raw, layer=level, where=path.name) for raw in data.get("rules", [])]
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


def _expanded(value: Any) -> Any:
    """A period table with its per-class overrides resolved, so classes compare like for like."""
    if not isinstance(value, dict) or "classes" not in value:
        return value
    plain = {k: v for k, v in value.items() if k != "classes"}
    out = dict(plain)
    for name, override in value["classes"].items():
        out[f"class:{name}"] = {k: {**plain[k], **override.get(k, {})} for k in SEVERITIES}
    return out


def _with_classes(a: Any, b: Any) -> tuple[Any, Any]:
    """Both period tables listing the union of their classes (an absent class: no override)."""
    if not (isinstance(a, dict) and isinstance(b, dict)) or not ("classes" in a or "classes" in b):
        return a, b
    names = set(a.get("classes", {})) | set(b.get("classes", {}))

    def fill(v: dict[str, Any]) -> dict[str, Any]:
        return {**v, "classes": {n: v.get("classes", {}).get(n, {}) for n in names}}

    return fill(a), fill(b)


def check_overlay(base: list[Rule], overlay: list[Rule], *, where: str) -> None:
    """Raise PolicyError when an overlay rule is less protective than a base rule it overlaps,
    or when it decides in time what a base rule with another id already decides."""
    for rule in overlay:
        for under in base:
            if not _overlap(rule, under):
                continue
            if under.id != rule.id and under.governs == rule.governs:
                raise PolicyError(
                    f"{where}: rule {rule.id} ({rule.effective_from}) and the {under.layer} rule "
                    f"{under.id} ({under.effective_from}) both govern {rule.governs!r}; end one "
                    f"where the other starts"
                )
            if under.id != rule.id or under.level == "platform":
                continue
            if rule.protects != under.protects:
                raise PolicyError(
                    f"{where}: rule {rule.id} declares protects={rule.protects!r}, "
                    f"but the {under.layer} rule says {under.protects!r}"
                )
            local, base_value = _with_classes(rule.value, under.value)
            worse = burdens(_expanded(local), _expanded(base_value), under.protects)
            if worse:
                raise PolicyError(
                    f"{where}: rule {rule.id} ({rule.effective_from}) burdens the subject compared "
                    f"with the {under.layer} rule ({under.source}) at {', '.join(worse)}; "
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
