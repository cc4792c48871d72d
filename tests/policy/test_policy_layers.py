"""Policy layers: overlay resolution, effective dates, record periods, sources."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from selfservice.enums import Nature, Severity
from selfservice.errors import NotFound, ValidationFailed
from selfservice.policy import PolicyError, build_policy, load_policy
from selfservice.policy.loader import DATA_DIR

NEW_REGIME = date(2026, 4, 1)


@pytest.fixture(params=["kunming", "yuxi"])
def policy(request):
    return load_policy(request.param)


def test_cached_and_versioned() -> None:
    assert load_policy("yuxi") is load_policy("yuxi")
    assert set(load_policy("yuxi").versions) == {"national", "yunnan", "yuxi"}
    assert set(load_policy("kunming").versions) == {"national", "yunnan", "kunming"}
    with pytest.raises(PolicyError):
        build_policy("dali")


def test_every_rule_has_a_source(policy) -> None:
    for rule in policy.rules:
        assert rule.source.strip(), rule.id
        assert rule.level in ("national", "provincial", "city")
        assert rule.protects in ("lower", "higher", "any")


def test_city_sources_cite_their_seed() -> None:
    for rule in load_policy("yuxi").rules:
        if rule.level == "city":
            assert "玉溪市守信激励和失信惩戒实施细则" in rule.source and "第" in rule.source
    for rule in load_policy("kunming").rules:
        if rule.level == "city":
            assert "昆明市" in rule.source and "任务" in rule.source


@pytest.mark.parametrize(
    ("jurisdiction", "suspend", "source_part"),
    [("kunming", True, "任务19"), ("yuxi", False, "第二十三条")],
)
def test_objection_effect_per_city(jurisdiction, suspend, source_part) -> None:
    rule = load_policy(jurisdiction).rule(
        "objection.suspend_measures_while_pending", date(2026, 5, 1)
    )
    assert rule.value is suspend
    assert source_part in rule.source


def test_objection_deadlines(policy) -> None:
    on = date(2026, 5, 1)
    assert policy.value("objection.provider_answer_days", on) == 10
    assert policy.value("objection.decision_days", on) == 15
    assert policy.value("report.feedback_days", on) == 5


def test_kunming_disclosure_and_yuxi_repair_deadlines() -> None:
    on = date(2025, 1, 1)
    assert load_policy("kunming").value("disclosure.days", on) == 7
    yuxi = load_policy("yuxi")
    assert yuxi.value("repair.check_days", on) == 15
    assert yuxi.value("repair.credit_office_days", on) == 5
    assert yuxi.value("repair.county_needs_city_consent", on) is True
    assert "第十八条" in yuxi.rule("repair.check_days", on).source
    # Kunming task 18 sets no day counts: the local repair path runs on platform commitments
    assert "本平台服务承诺" in load_policy("kunming").rule("repair.check_days", on).source


def test_effective_dates_of_the_national_regime(policy) -> None:
    before, after = date(2026, 3, 31), NEW_REGIME
    with pytest.raises(NotFound):
        policy.rule("repair.decide_days", before)
    assert policy.value("repair.decide_days", after) == 3
    assert policy.value("repair.result_days", after) == 10
    assert policy.value("repair.local_sync_days", after) == 3
    assert policy.value("repair.routes", before) == ["local_decide"]
    assert policy.value("repair.routes", after) == ["local_decide", "national_forward"]
    assert policy.rule("record.bad.period", after).effective_from == NEW_REGIME


def test_visibility_after_repair() -> None:
    yuxi, kunming = load_policy("yuxi"), load_policy("kunming")
    old = yuxi.rule("repair.unpublish_on_repair", date(2025, 6, 1))
    assert old.value is False and "第二十条" in old.source and old.level == "city"
    assert kunming.value("repair.unpublish_on_repair", date(2025, 6, 1)) is False
    for p in (yuxi, kunming):
        new = p.rule("repair.unpublish_on_repair", NEW_REGIME)
        assert new.value is True and new.level == "national"


def test_city_rule_wins_while_in_force() -> None:
    yuxi = load_policy("yuxi")
    assert yuxi.rule("record.bad.period", date(2018, 3, 1)).level == "city"
    assert yuxi.rule("record.bad.period", date(2018, 2, 28)).level == "national"
    assert yuxi.rule("record.bad.period", NEW_REGIME).level == "national"
    assert load_policy("kunming").rule("record.bad.period", date(2020, 1, 1)).level == "national"


NEW_CASES = [
    (Severity.MINOR, False, date(2026, 5, 10), date(2026, 8, 10)),
    (Severity.GENERAL, True, date(2026, 8, 10), date(2027, 5, 10)),
    (Severity.SEVERE, True, date(2027, 5, 10), date(2029, 5, 10)),
]


@pytest.mark.parametrize(("severity", "published", "eligible", "until"), NEW_CASES)
def test_periods_under_2026_regime(policy, severity, published, eligible, until) -> None:
    periods = policy.periods_for(Nature.BAD, severity, date(2026, 5, 10))
    assert periods.published is published
    assert periods.repair_eligible_from == eligible
    assert periods.unpublish_at == until
    assert periods.rule_id == "record.bad.period" and periods.level == "national"
    assert "信用修复管理办法" in periods.source


@pytest.mark.parametrize("severity", list(Severity))
def test_periods_before_2026_yuxi_three_years(severity) -> None:
    periods = load_policy("yuxi").periods_for("bad", severity, date(2024, 2, 29))
    assert periods.published is True
    assert periods.repair_eligible_from == date(2024, 2, 29)
    assert periods.unpublish_at == date(2027, 2, 28)
    assert "第十二条" in periods.source and periods.level == "city"


@pytest.mark.parametrize("severity", list(Severity))
def test_periods_before_2026_kunming_national_default(severity) -> None:
    periods = load_policy("kunming").periods_for(Nature.BAD, severity, date(2025, 3, 31))
    assert periods.unpublish_at == date(2028, 3, 31)
    assert periods.level == "national" and periods.effective_from < NEW_REGIME


def test_regime_boundary_is_the_finding_date(policy) -> None:
    old = policy.periods_for(Nature.BAD, Severity.GENERAL, date(2026, 3, 31))
    new = policy.periods_for(Nature.BAD, Severity.GENERAL, date(2026, 4, 1))
    assert old.unpublish_at == date(2029, 3, 31)
    assert new.unpublish_at == date(2027, 4, 1)


def test_good_info_period_is_its_validity(policy) -> None:
    periods = policy.periods_for(
        Nature.GOOD, None, date(2025, 1, 1), validity_end=date(2027, 12, 31)
    )
    assert periods.published is True
    assert periods.unpublish_at == date(2027, 12, 31)
    assert periods.repair_eligible_from is None
    assert periods.rule_id == "record.good.period"
    level = policy.rule("record.good.period", date(2025, 1, 1)).level
    assert level == ("city" if policy.jurisdiction == "yuxi" else "national")


def test_periods_status_on_a_date(policy) -> None:
    found = date(2026, 5, 10)
    assert policy.periods_for("bad", "general", found, on=date(2026, 8, 9)).repairable is False
    assert policy.periods_for("bad", "general", found, on=date(2026, 8, 10)).repairable is True
    assert policy.periods_for("bad", "general", found, on=date(2027, 5, 9)).expired is False
    assert policy.periods_for("bad", "general", found, on=date(2027, 5, 10)).expired is True
    assert policy.periods_for("bad", "general", found).expired is None
    with pytest.raises(ValidationFailed):
        policy.periods_for("bad", None, found)


def test_as_dict_lists_rules_in_force_with_sources(policy) -> None:
    body = policy.as_dict(date(2026, 6, 1))
    assert body["jurisdiction"] == policy.jurisdiction
    ids = [r["id"] for r in body["rules"]]
    assert len(ids) == len(set(ids))
    assert "repair.decide_days" in ids and "objection.decision_days" in ids
    assert all(r["source"] for r in body["rules"])
    old_ids = [r["id"] for r in policy.as_dict(date(2025, 6, 1))["rules"]]
    assert "repair.decide_days" not in old_ids


def _overlay(tmp_path: Path, city: str, text: str) -> Path:
    for name in ("national", "yunnan"):
        shutil.copy(DATA_DIR / f"{name}.toml", tmp_path / f"{name}.toml")
    (tmp_path / f"{city}.toml").write_text(text, encoding="utf-8")
    return tmp_path


RULE = """
version = "test"
level = "city"
[[rules]]
id = "{id}"
value = {value}
protects = "{protects}"
effective_from = {start}
source = "测试"
"""


def test_overlay_that_protects_more_is_accepted(tmp_path) -> None:
    text = RULE.format(id="repair.result_days", value=7, protects="lower", start="2026-04-01")
    text += RULE.format(
        id="pledge.breach_bar_months", value=6, protects="lower", start="2021-01-01"
    ).replace('version = "test"\nlevel = "city"\n', "")
    policy = build_policy("yuxi", data_dir=_overlay(tmp_path, "yuxi", text))
    rule = policy.rule("repair.result_days", date(2026, 6, 1))
    assert (rule.value, rule.level) == (7, "city")
    assert policy.value("pledge.breach_bar_months", date(2021, 1, 1)) == 6
    assert policy.rule("pledge.breach_bar_months", date(2020, 12, 31)).level == "national"


@pytest.mark.parametrize(
    ("rule_id", "value", "protects", "start"),
    [
        ("repair.result_days", 20, "lower", "2026-04-01"),  # longer deadline owed to the subject
        (
            "repair.unpublish_on_repair",
            "false",
            "higher",
            "2026-04-01",
        ),  # keeps a repaired record up
        ("report.feedback_days", 5, "any", "2020-01-01"),  # may not change the direction
        ("repair.free_of_charge", "false", "higher", "2020-01-01"),
    ],
)
def test_overlay_that_burdens_is_rejected(tmp_path, rule_id, value, protects, start) -> None:
    text = RULE.format(id=rule_id, value=value, protects=protects, start=start)
    with pytest.raises(PolicyError) as info:
        build_policy("kunming", data_dir=_overlay(tmp_path, "kunming", text))
    assert rule_id in str(info.value)


def test_longer_record_period_is_rejected(tmp_path) -> None:
    text = (DATA_DIR / "yuxi.toml").read_text(encoding="utf-8")
    text = text.replace(
        "severe = { published = true, min_months = 0, max_months = 36 }",
        "severe = { published = true, min_months = 0, max_months = 60 }",
    )
    with pytest.raises(PolicyError, match=r"record\.bad\.period.*severe\.max_months"):
        build_policy("yuxi", data_dir=_overlay(tmp_path, "yuxi", text))


def test_yuxi_art_20_cannot_outlive_the_national_regime(tmp_path) -> None:
    text = (DATA_DIR / "yuxi.toml").read_text(encoding="utf-8")
    article = "玉溪市守信激励和失信惩戒实施细则（试行）（2018）第二十条"
    old = f'effective_to = 2026-03-31\nsource = "{article}"'
    assert old in text
    text = text.replace(old, old.removeprefix("effective_to = 2026-03-31\n"))
    with pytest.raises(PolicyError, match=r"repair\.unpublish_on_repair"):
        build_policy("yuxi", data_dir=_overlay(tmp_path, "yuxi", text))


@pytest.mark.parametrize(
    "text",
    [
        'version = "x"\nlevel = "city"\n[[rules]]\nid = "a"\nvalue = 1\nprotects = "lower"\n'
        "effective_from = 2020-01-01\n",  # no source
        'version = "x"\nlevel = "national"\nrules = []\n',  # wrong level for a city file
        'level = "city"\nrules = []\n',  # no version
        'version = "x"\nlevel = "city"\n[[rules]]\nid = "a"\nvalue = 1\nprotects = "down"\n'
        'effective_from = 2020-01-01\nsource = "s"\n',
        'version = "x"\nlevel = "city"\n[[rules]]\nid = "a"\nvalue = 1\nprotects = "lower"\n'
        'effective_from = 2020-01-01\nsource = "s"\n[[rules]]\nid = "a"\nvalue = 2\n'
        'protects = "lower"\neffective_from = 2021-01-01\nsource = "s"\n',  # overlapping versions
        "not toml = = =",
    ],
)
def test_malformed_files_rejected(tmp_path, text) -> None:
    with pytest.raises(PolicyError):
        build_policy("yuxi", data_dir=_overlay(tmp_path, "yuxi", text))
