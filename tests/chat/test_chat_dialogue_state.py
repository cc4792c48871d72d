"""Dialogue state, hand-off queue and knowledge base: one contract suite on memory and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from handlers.redis_store import RedisStore
from nlp import faq
from nlp.dialogue.state import DialogueState, StateStore
from selfservice.handoff import service as handoff
from selfservice.store import MemoryStore, SharedStore, key


@pytest.fixture
async def store(chat_store_url) -> AsyncIterator[SharedStore]:
    s = RedisStore(chat_store_url) if chat_store_url else MemoryStore()
    try:
        yield s
    finally:
        await s.close()


async def test_state_round_trips_and_is_per_user(store):
    states = StateStore(store)
    state = DialogueState()
    state.start("progress", awaiting="receipt")
    state.slots["credit_code"] = "91530100MA6K5XYT0D"
    state.context["records"] = [3, 1]
    await states.save("web:a", state)
    loaded = await states.load("web:a")
    assert loaded == state
    assert await states.load("web:b") == DialogueState()


async def test_state_expires_after_its_ttl(store):
    states = StateStore(store, ttl=0.2)
    state = DialogueState(flow="report", awaiting="evidence")
    await states.save("wechat:o1", state)
    assert 0 < await store.ttl(key("dialogue", "wechat:o1")) <= 0.2
    await asyncio.sleep(0.35)
    assert await states.load("wechat:o1") == DialogueState()


async def test_clear_and_corrupt_state_start_afresh(store):
    states = StateStore(store)
    await states.save("u", DialogueState(flow="pledge"))
    await states.clear("u")
    assert await states.load("u") == DialogueState()
    await store.set(key("dialogue", "u"), "{not json")
    assert await states.load("u") == DialogueState()
    await store.set(key("dialogue", "u"), '{"flow": "repair", "unknown_field": 1}')
    assert (await states.load("u")).flow == "repair"


def test_starting_another_flow_drops_the_old_slots_and_finish_keeps_context():
    state = DialogueState(flow="objection", slots={"record": "7"}, context={"records": [7]})
    state.start("objection", awaiting="record")
    assert state.slots == {"record": "7"}
    state.start("pledge", awaiting="pledge_type")
    assert state.slots == {}
    state.finish()
    assert (state.flow, state.awaiting, state.context) == ("", "", {"records": [7]})


async def test_handoff_queue_numbers_users_once_and_staff_close_tickets(store):
    a = await handoff.enqueue(store=store, channel="wechat", user="wechat:a", summary="转人工")
    again = await handoff.enqueue(store=store, channel="wechat", user="wechat:a", summary="人呢")
    b = await handoff.enqueue(store=store, channel="web", user="web:b", summary="人工客服")
    assert again.number == a.number < b.number
    mine = {"wechat:a", "web:b"}
    waiting = [t.user for t in await handoff.waiting(store=store) if t.user in mine]
    assert waiting == ["wechat:a", "web:b"]
    await handoff.close(store=store, ticket=a)
    assert [t.user for t in await handoff.waiting(store=store) if t.user in mine] == ["web:b"]
    c = await handoff.enqueue(store=store, channel="wechat", user="wechat:a", summary="again")
    assert c.number > b.number


def test_every_knowledge_base_entry_is_unique_and_answered():
    """(Citations per city: tests/nlp/test_faq_jurisdictions.py.)"""
    entries = faq.read_entries()
    assert len(entries) >= 15 and len({e.id for e in entries}) == len(entries)
    for entry in entries:
        assert entry.questions and entry.answer_in("kunming") and entry.answer_in("yuxi")


@pytest.mark.parametrize(
    ("question", "jurisdiction", "entry"),
    [
        ("不良记录要保留几年", "kunming", "bad_info_period"),
        ("上了黑名单坐不了飞机吗", "kunming", "severe_measures"),
        ("修复信用要交钱吗", "yuxi", "repair_fee"),
        ("异议期间惩戒会暂停吗", "kunming", "objection_effect_kunming"),
        ("异议期间惩戒会暂停吗", "yuxi", "objection_effect_yuxi"),
        ("别人能知道是我举报的吗", "yuxi", "report_confidential"),
    ],
)
def test_similar_questions_find_their_answer(question, jurisdiction, entry):
    match = faq.load().best(question, jurisdiction=jurisdiction)
    assert match is not None and match.entry.id == entry


@pytest.mark.parametrize("question", ["今天天气怎么样", "公积金怎么提取", "哈哈"])
def test_unrelated_questions_find_nothing(question):
    assert faq.load().best(question, jurisdiction="kunming") is None
