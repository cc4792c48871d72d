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
        assert rule.level in ("national", "provincial", "city", "platform")
        assert rule.layer in ("national", "provincial", "city")
        assert rule.protects in ("lower", "higher", "any")
        assert rule.status in ("in_force", "planned")
        if rule.level == "platform":  # a platform number never passes for law
            assert "平台" in rule.source, rule.id
        else:  # a document and where in it: 条 / 项 / 部分 / 章 / 任务
            assert "《" in rule.source or "〔" in rule.source, rule.id
            assert any(k in rule.source for k in ("条", "部分", "章", "任务")), rule.id


def test_city_sources_cite_their_seed() -> None:
    for rule in load_policy("yuxi").rules:
        if rule.level == "city":
            assert (
                "《玉溪市守信激励和失信惩戒实施细则（试行）》" in rule.source
                and "第" in rule.source
            )
    for rule in load_policy("kunming").rules:
        if rule.level == "city":
            assert "《昆明市守信联合激励和失信联合惩戒工作方案》" in rule.source
            assert "任务" in rule.source


def test_kunming_objection_days_are_platform_commitments() -> None:
    # Kunming task 19 says only “尽快核实并反馈”: the day counts are this platform's promise
    kunming = load_policy("kunming")
    for rule_id in ("objection.provider_answer_days", "objection.decision_days"):
        rule = kunming.rule(rule_id, date(2026, 5, 1))
        assert rule.level == "platform" and "尽快" in rule.source + rule.note
    assert kunming.rule("disclosure.days", date(2026, 5, 1)).source.endswith("任务4")
    assert "任务18" in kunming.rule("repair.lifts_measures", date(2025, 1, 1)).source


def test_objection_extension_from_policy() -> None:
    # Yuxi art. 21: a decision within 15 working days, no extension provided
    assert load_policy("yuxi").value("objection.max_extension_days", date(2026, 5, 1)) == 0
    rule = load_policy("kunming").rule("objection.max_extension_days", date(2026, 5, 1))
    assert (rule.value, rule.level) == (15, "platform")


def test_pledge_and_report_rules_say_what_they_are(policy) -> None:
    on = date(2026, 5, 1)
    bar = policy.rule("pledge.simplified_procedure_bar", on)
    assert bar.value == "until_repaired" and "国办发〔2020〕42号" in bar.source
    feedback = policy.rule("report.feedback_days", on)
    assert feedback.level == "platform" and "平台" in feedback.note


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
    assert policy.value("report.feedback_days", on) == 5  # platform commitment


def test_kunming_disclosure_and_yuxi_repair_deadlines() -> None:
    on = date(2025, 1, 1)
    assert load_policy("kunming").value("disclosure.days", on) == 7
    with pytest.raises(NotFound):  # from 2026-04-01 the national 3/10/3 path governs
        load_policy("yuxi").rule("repair.check_days", NEW_REGIME)
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
    # the route is read on the record's finding date: the regime that fixed it decides
    assert policy.value("repair.route", before) == "local_decide"
    assert policy.value("repair.route", after) == "national_forward"
    assert "第36号" in policy.rule("repair.route", after).source
    assert policy.rule("record.bad.period", after).effective_from == NEW_REGIME


def test_visibility_after_repair() -> None:
    yuxi, kunming = load_policy("yuxi"), load_policy("kunming")
    # Yuxi art. 20 kept repaired records up until 527号 (2019-07-01) said repair takes them down
    old = yuxi.rule("repair.unpublish_on_repair", date(2019, 6, 30))
    assert old.value is False and "第二十条" in old.source and old.level == "city"
    later = yuxi.rule("repair.unpublish_on_repair", date(2025, 6, 1))
    assert later.value is True and "第58号" in later.source
    assert kunming.value("repair.unpublish_on_repair", date(2025, 6, 1)) is True
    for p in (yuxi, kunming):
        new = p.rule("repair.unpublish_on_repair", NEW_REGIME)
        assert new.value is True and new.level == "national"


def test_city_rule_wins_while_in_force() -> None:
    yuxi = load_policy("yuxi")
    assert yuxi.rule("record.bad.period", date(2018, 3, 1)).level == "city"
    assert yuxi.rule("record.bad.period", date(2018, 2, 28)).level == "platform"
    assert yuxi.rule("record.bad.period", NEW_REGIME).level == "national"
    assert load_policy("kunming").rule("record.bad.period", date(2020, 1, 1)).level == "national"
    assert "527号" in load_policy("kunming").rule("record.bad.period", date(2020, 1, 1)).source


# 信用修复管理办法（令第36号）第二章, found 2026-05-10; 民法典 art. 201–202: the finding day is
# not counted, a period of months ends on the corresponding day; repair opens the day after the
# minimum's last day, publication ends after the maximum's last day.
NEW_CASES = [
    # 轻微: not published; “法定责任履行完毕即可申请修复” (no minimum); at most 3 months → 08-10
    (Severity.MINOR, False, date(2026, 5, 10), date(2026, 8, 10)),
    # 一般: minimum 3 months ends 08-10 → repairable 08-11; maximum 1 year ends 2027-05-10
    (Severity.GENERAL, True, date(2026, 8, 11), date(2027, 5, 10)),
    # 严重: minimum 1 year ends 2027-05-10 → repairable 05-11; maximum 3 years ends 2029-05-10
    (Severity.SEVERE, True, date(2027, 5, 11), date(2029, 5, 10)),
]


@pytest.mark.parametrize(("severity", "published", "eligible", "until"), NEW_CASES)
def test_periods_under_2026_regime(policy, severity, published, eligible, until) -> None:
    periods = policy.periods_for(Nature.BAD, severity, date(2026, 5, 10))
    assert periods.published is published
    assert periods.repairable_from == eligible
    assert periods.published_through == until
    assert periods.rule_id == "record.bad.period" and periods.level == "national"
    assert "信用修复管理办法" in periods.source and periods.anchor == "finding_date"


# Yuxi found 2024-02-29 (leap day): art. 12(三) lets 令第58号 govern (3 months to 3 years);
# art. 10(四): 轻微 is not bad information. Still published on 2026-04-01, so the transition rule
# applies the 2026 periods where they are shorter (一般: 1 year, already over → ends 2026-03-31).
YUXI_2024 = [
    (Severity.MINOR, False, date(2024, 2, 29), date(2024, 2, 28)),  # empty period: never shown
    (Severity.GENERAL, True, date(2024, 5, 30), date(2026, 3, 31)),  # 3 months end 05-29
    (Severity.SEVERE, True, date(2024, 5, 30), date(2027, 2, 28)),  # 3 years: 2027 has no 02-29
]


@pytest.mark.parametrize(("severity", "published", "eligible", "until"), YUXI_2024)
def test_periods_before_2026_yuxi(severity, published, eligible, until) -> None:
    periods = load_policy("yuxi").periods_for("bad", severity, date(2024, 2, 29))
    assert (periods.published, periods.repairable_from, periods.published_through) == (
        published,
        eligible,
        until,
    )
    assert "第十二条" in periods.source and periods.level == "city"


# Kunming found 2025-03-31 under 令第58号 (3 months to 3 years, from the penalty's date); the
# 2026 transition keeps the shorter new maximum: 轻微 3 months and 一般 1 year are over before
# 2026-04-01 (→ 2026-03-31); 严重 3 years ends 2028-03-31 either way. Repair: the 3-month
# minimum ends 06-30 (→ 07-01), except 轻微, which the 2026 rule lets repair at once.
KUNMING_2025 = [
    (Severity.MINOR, date(2025, 3, 31), date(2026, 3, 31)),
    (Severity.GENERAL, date(2025, 7, 1), date(2026, 3, 31)),
    (Severity.SEVERE, date(2025, 7, 1), date(2028, 3, 31)),
]


@pytest.mark.parametrize(("severity", "eligible", "until"), KUNMING_2025)
def test_periods_before_2026_kunming_national(severity, eligible, until) -> None:
    periods = load_policy("kunming").periods_for(Nature.BAD, severity, date(2025, 3, 31))
    assert periods.published_through == until
    assert periods.repairable_from == eligible
    assert periods.level == "national" and "第58号" in periods.source


def test_regime_boundary_is_the_finding_date(policy) -> None:
    old = policy.periods_for(Nature.BAD, Severity.GENERAL, date(2026, 3, 31))
    new = policy.periods_for(Nature.BAD, Severity.GENERAL, date(2026, 4, 1))
    # found the day before: old 3-year rule, cut by the transition to the new 1-year maximum
    assert old.published_through == date(2027, 3, 31) and old.transition
    assert new.published_through == date(2027, 4, 1) and not new.transition


def test_good_info_period_is_its_validity(policy) -> None:
    periods = policy.periods_for(
        Nature.GOOD, None, date(2025, 1, 1), validity_end=date(2027, 12, 31)
    )
    assert periods.published is True
    assert periods.published_through == date(2027, 12, 31)  # valid through its last day
    assert periods.repairable_from is None
    assert periods.rule_id == "record.good.period"
    level = policy.rule("record.good.period", date(2025, 1, 1)).level
    assert level == ("city" if policy.jurisdiction == "yuxi" else "platform")


def test_periods_status_on_a_date(policy) -> None:
    found = date(2026, 5, 10)  # 一般: minimum ends 2026-08-10, maximum ends 2027-05-10
    assert policy.periods_for("bad", "general", found, on=date(2026, 8, 10)).repairable is False
    assert policy.periods_for("bad", "general", found, on=date(2026, 8, 11)).repairable is True
    assert policy.periods_for("bad", "general", found, on=date(2027, 5, 10)).expired is False
    assert policy.periods_for("bad", "general", found, on=date(2027, 5, 11)).expired is True
    assert policy.periods_for("bad", "general", found).expired is None
    with pytest.raises(ValidationFailed):
        policy.periods_for("bad", None, found)


def test_safety_classes_have_a_one_year_minimum_under_order_58(policy) -> None:
    found = date(2024, 6, 1)
    plain = policy.periods_for("bad", "general", found, catalogue_class="administrative_penalty")
    fire = policy.periods_for("bad", "general", found, catalogue_class="fire_safety_penalty")
    assert plain.repairable_from == date(2024, 9, 2)  # 3 months end 2024-09-01
    # 1 year ends 2025-06-01; the 2026 rule (一般: 3 months) is no help, it is the earlier one
    assert fire.repairable_from == date(2024, 9, 2)
    assert fire.transition  # repairable under the favourable reading of the 2026 switch
    old = load_policy("kunming").rule("record.bad.period", found)
    spec = old.value["classes"]["fire_safety_penalty"]["general"]
    assert spec["min_months"] == 12


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
        id="repair.local_sync_days", value=2, protects="lower", start="2026-05-01"
    ).replace('version = "test"\nlevel = "city"\n', "")
    policy = build_policy("yuxi", data_dir=_overlay(tmp_path, "yuxi", text))
    rule = policy.rule("repair.result_days", date(2026, 6, 1))
    assert (rule.value, rule.level) == (7, "city")
    assert policy.value("repair.local_sync_days", date(2026, 5, 1)) == 2
    assert policy.rule("repair.local_sync_days", date(2026, 4, 30)).level == "national"


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
        ("repair.lifts_measures", "true", "any", "2026-04-01"),  # may not change the direction
        ("repair.free_of_charge", "false", "higher", "2024-01-01"),
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
    article = "《玉溪市守信激励和失信惩戒实施细则（试行）》（2018）第二十条"
    old = f'effective_to = 2019-06-30\nsource = "{article}"'
    assert old in text
    text = text.replace(old, old.removeprefix("effective_to = 2019-06-30\n"))
    with pytest.raises(PolicyError, match=r"repair\.unpublish_on_repair"):
        build_policy("yuxi", data_dir=_overlay(tmp_path, "yuxi", text))


def test_overlay_check_compares_what_rules_govern(tmp_path) -> None:
    # Yuxi art. 18 (15 + 5 working days) and the national 3/10/3 path both decide the repair
    # timeline: the Yuxi rules must end on 2026-03-31, or the two would silently both apply
    text = (DATA_DIR / "yuxi.toml").read_text(encoding="utf-8")
    assert text.count("effective_to = 2026-03-31\ngoverns") == 3
    text = text.replace("effective_to = 2026-03-31\ngoverns", "governs")
    with pytest.raises(PolicyError, match=r"repair\.timeline"):
        build_policy("yuxi", data_dir=_overlay(tmp_path, "yuxi", text))


def test_platform_rule_must_say_so(tmp_path) -> None:
    text = RULE.format(id="x.days", value=3, protects="lower", start="2020-01-01")
    text = text.replace('source = "测试"', 'level = "platform"\nsource = "国务院文件"')
    with pytest.raises(PolicyError, match="platform"):
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
