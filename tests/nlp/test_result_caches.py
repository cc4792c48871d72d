"""The per-text result caches answer exactly what the uncached matcher and FAQ index answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from nlp import faq
from nlp.matcher import IntentMatcher
from selfservice.clock import Clock

EVAL = Path(__file__).resolve().parents[2] / "nlp" / "eval" / "test.jsonl"


def _texts() -> list[str]:
    with EVAL.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh][:120]


def test_cached_classification_equals_uncached():
    cached = IntentMatcher.load()
    plain = IntentMatcher(cached.model, cached.normalizer, cached.featurizer, cache_size=0)
    for text in _texts() * 2:
        assert cached.classify(text) == plain.classify(text), text


def test_a_caller_changing_its_result_does_not_change_the_next_one():
    matcher = IntentMatcher.load()
    first = matcher.classify("我要对统一社会信用代码91530100MA6K12345X的记录提异议")
    first.slots.clear()
    first.clarify.append("tampered")
    again = matcher.classify("我要对统一社会信用代码91530100MA6K12345X的记录提异议")
    assert again.slots and "tampered" not in again.clarify


def test_relative_dates_follow_the_day():
    base = IntentMatcher.load()
    # 16:30 UTC on the 19th and the 20th is already the next day in Beijing
    instants = iter(
        [datetime(2026, 11, 19, 16, 30, tzinfo=UTC), datetime(2026, 11, 20, 16, 30, tzinfo=UTC)]
    )
    matcher = IntentMatcher(
        base.model, base.normalizer, base.featurizer, clock=Clock(source=lambda: next(instants))
    )
    text = "我昨天提交的异议办到哪了"
    first = matcher.classify(text, extra_slots=True)
    second = matcher.classify(text, extra_slots=True)
    assert first.slots.get("date") == "2026-11-19"
    assert second.slots.get("date") == "2026-11-20"


def test_cached_faq_answer_equals_uncached():
    cached = faq.load()
    plain = faq.FaqIndex(cached.entries, cache_size=0)
    for text in [*_texts(), "不良信息保存多久", "信用修复需要多长时间"] * 2:
        for where in ("kunming", "yuxi"):
            assert cached.best(text, jurisdiction=where) == plain.best(text, jurisdiction=where)
