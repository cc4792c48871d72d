"""Every FAQ answer and skill text that names an article cites the rule in force for the configured
city and the day asked: tested for Kunming and Yuxi, entry by entry."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from channels.message import Inbound, Kind
from nlp import faq
from nlp.dialogue.state import DialogueState
from nlp.dialogue.turn import TZ, Identity, Services, Turn
from nlp.skills import query_records
from nlp.skills.policy_faq import answer_text
from selfservice.clock import fixed
from selfservice.policy import load_policy
from selfservice.settings import load_settings

CITIES = ("kunming", "yuxi")
OTHER = {"kunming": "玉溪", "yuxi": "昆明"}
TODAY = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)
ARTICLE_MARKS = ("第", "任务", "号")


def _turn(city: str, when: datetime = TODAY, text: str = "") -> Turn:
    settings = dataclasses.replace(load_settings({}), jurisdiction=city)
    services = Services(settings, store=None, policy=load_policy(city), clock=fixed(when))  # type: ignore[arg-type]
    inbound = Inbound(channel="web", user_id="web:x", kind=Kind.TEXT, text=text)
    return Turn(inbound, Identity("web:x", "web"), DialogueState(), services)


def _entries_in(city: str) -> list[faq.Entry]:
    return [e for e in faq.read_entries() if not e.jurisdictions or city in e.jurisdictions]


@pytest.mark.parametrize("city", CITIES)
def test_every_answer_cites_its_own_city_only(city):
    policy = load_policy(city)
    entries = _entries_in(city)
    assert len(entries) >= 19
    for entry in entries:
        text = answer_text(entry, _turn(city))
        answer, _, cited = text.partition("\n依据：")
        assert answer and cited, entry.id
        levels = {policy.rule(r, TODAY.date()).level for r in entry.rules_in(city)}
        # a number the platform chose itself has no article: it must say it is the platform's own
        platform_only = levels == {"platform"} and "本平台" in cited
        assert platform_only or any(mark in cited for mark in ARTICLE_MARKS), entry.id
        assert OTHER[city] not in text, f"{entry.id} in {city} cites {cited}"


@pytest.mark.parametrize("city", CITIES)
def test_cited_rules_are_the_ones_in_force_in_the_city(city):
    policy = load_policy(city)
    for entry in _entries_in(city):
        text = answer_text(entry, _turn(city))
        for rule_id in entry.rules_in(city):
            assert rule_id in policy.rule_ids(), f"{entry.id}: {city} has no rule {rule_id}"
            assert policy.rule(rule_id, TODAY.date()).source in text, entry.id


@pytest.mark.parametrize(
    ("city", "before", "after"),
    [
        ("kunming", "国家发展改革委令第58号", "《信用修复管理办法》"),
        (
            "yuxi",
            "《玉溪市守信激励和失信惩戒实施细则（试行）》（2018）第十二条",
            "《信用修复管理办法》",
        ),
    ],
)
def test_a_rule_that_changed_on_a_date_changes_the_citation(city, before, after):
    entry = next(e for e in faq.read_entries() if e.id == "bad_info_period")
    spring = answer_text(entry, _turn(city, TODAY.replace(month=3, day=1)))
    winter = answer_text(entry, _turn(city, TODAY))
    assert before in spring.split("依据：")[1] and after not in spring.split("依据：")[1]
    assert after in winter.split("依据：")[1] and before not in winter.split("依据：")[1]


@pytest.mark.parametrize(
    ("city", "cited"),
    [
        ("kunming", "昆明市守信联合激励和失信联合惩戒工作方案》任务 19"),
        ("yuxi", "细则（试行）》第六条"),
    ],
)
async def test_the_records_skill_cites_the_city_right_to_know(city, cited):
    reply = await query_records.handle(_turn(city, text="查询信用记录"))
    assert cited in reply.text and OTHER[city] not in reply.text


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("异议多久处理完", "objection_time"),
        ("信用修复需要多长时间", "repair_time"),
        ("修复后记录还在吗", "repair_effect"),
        ("举报人信息保密吗", "report_confidential"),
        ("什么是严重失信", "severe_dishonesty"),
    ],
)
@pytest.mark.parametrize("city", CITIES)
def test_questions_reach_the_entry_in_both_cities(city, question, entry_id):
    match = faq.load().best(question, jurisdiction=city)
    assert match is not None and match.entry.id == entry_id
    assert OTHER[city] not in answer_text(match.entry, _turn(city))
