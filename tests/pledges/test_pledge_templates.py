"""The template data file: seven types, each with both clauses; one source for the repair letter."""

from __future__ import annotations

import pytest

from selfservice.errors import ConfigError
from selfservice.pledges import types

DESIGN_TYPES = {
    "notify": "审批替代型",
    "missing_materials": "容缺受理型",
    "certificate": "证明事项型",
    "repair": "信用修复型",
    "industry": "行业自律型",
    "public": "主动型",
    "other": "其他",
}


def test_the_seven_types_of_the_design_each_with_consent_and_liability():
    found = types.catalogue()
    assert {code: t.short for code, t in found.items()} == DESIGN_TYPES
    assert "告知承诺" in found["notify"].label
    for t in found.values():
        assert "公开" in t.consent and "责任" in t.liability and "记入信用记录" in t.liability
        assert t.always_public or "未同意公开" in t.private
    assert {c for c, t in found.items() if t.always_public} == {"industry", "public"}
    assert {c for c, t in found.items() if t.simplified} == {
        "notify",
        "missing_materials",
        "certificate",
    }


def test_repair_letter_is_the_repair_template_filled_in():
    letter = types.repair_letter(
        subject_name="某某公司",
        record_title="未按期公示年报",
        document_number="昆市监罚〔2026〕1号",
        corrective_actions="已补报年报",
    )
    t = types.type_of("repair")
    assert letter.startswith("某某公司就“未按期公示年报”（决定文书号：昆市监罚〔2026〕1号）")
    assert t.liability in letter and t.private in letter and "已补报年报" in letter


def test_a_template_without_its_clauses_is_refused():
    raw = {
        "code": "x",
        "label": "X",
        "short": "X",
        "description": "",
        "publish": "optional",
        "simplified": False,
        "needs_department": False,
        "valid_months": 0,
        "fields": [],
        "body": "{subject}",
        "consent": "同意公开",
        "private": "",
        "liability": "违诺担责",
    }
    with pytest.raises(ConfigError):
        types._type(dict(raw))
    with pytest.raises(ConfigError):
        types._type(dict(raw, private="不公开", liability=""))
    with pytest.raises(ConfigError):
        types._type(dict(raw, private="不公开", fields=[{"name": "a", "label": "A", "kind": "x"}]))
    assert types._type(dict(raw, private="不公开")).code == "x"
    with pytest.raises(types.UnknownPledgeType):
        types.type_of("nope")
