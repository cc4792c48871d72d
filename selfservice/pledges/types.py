"""The pledge types and their templates, read once from ``templates.toml``; filling a template."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from selfservice.errors import ConfigError, NotFound

TEMPLATES = Path(__file__).with_name("templates.toml")
FIELD_KINDS = ("text", "list", "working_days")
PUBLISH = ("always", "optional")


class UnknownPledgeType(NotFound):
    code = "unknown_pledge_type"
    message_zh, message_en = "未知的承诺类型", "Unknown pledge type"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str
    required: bool = True
    max: int = 0
    rule: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "required": self.required,
            "max": self.max or None,
            "rule": self.rule or None,
        }


@dataclass(frozen=True)
class PledgeType:
    """One type: its label, which fields it asks for and the clauses of its text."""

    code: str
    label: str
    short: str
    description: str
    publish: str
    simplified: bool
    needs_department: bool
    valid_months: int
    fields: tuple[FieldSpec, ...]
    body: str
    consent: str
    private: str
    liability: str

    @property
    def always_public(self) -> bool:
        return self.publish == "always"

    def render(self, *, subject: str, values: dict[str, Any], public: bool) -> str:
        """The full text: body filled in, then the publication clause and the breach clause."""
        filled = {k: "、".join(v) if isinstance(v, list) else v for k, v in values.items()}
        body = self.body.format(subject=subject, **filled)
        clause = self.consent if public else self.private
        return "\n".join(p for p in (body, clause, self.liability) if p)


def _field(raw: dict[str, Any], where: str) -> FieldSpec:
    spec = FieldSpec(**raw)
    if spec.kind not in FIELD_KINDS:
        raise ConfigError(f"{where}: field {spec.name}: kind must be one of {FIELD_KINDS}")
    return spec


def _type(raw: dict[str, Any]) -> PledgeType:
    where = f"{TEMPLATES.name}: {raw.get('code')}"
    fields = tuple(_field(f, where) for f in raw.pop("fields", []))
    found = PledgeType(fields=fields, **raw)
    if found.publish not in PUBLISH or not found.consent or not found.liability:
        raise ConfigError(f"{where}: needs publish in {PUBLISH}, a consent and a liability clause")
    if found.publish == "optional" and not found.private:
        raise ConfigError(f"{where}: an optional publication needs the `private` clause")
    return found


@lru_cache(maxsize=1)
def catalogue() -> dict[str, PledgeType]:
    """Every pledge type by code, in the order of the data file."""
    data = tomllib.loads(TEMPLATES.read_text(encoding="utf-8"))
    return {t.code: t for t in (_type(dict(raw)) for raw in data["types"])}


def version() -> str:
    return str(tomllib.loads(TEMPLATES.read_text(encoding="utf-8"))["version"])


def type_of(code: str) -> PledgeType:
    try:
        return catalogue()[code]
    except KeyError:
        raise UnknownPledgeType(details={"types": list(catalogue())}) from None


def repair_letter(
    *, subject_name: str, record_title: str, document_number: str, corrective_actions: str
) -> str:
    """The 信用修复承诺书 text of one record: the 信用修复型 template, the one source for both."""
    return type_of("repair").render(
        subject=subject_name,
        values={
            "record_title": record_title,
            "document_number": document_number,
            "corrective_actions": corrective_actions,
        },
        public=False,
    )
