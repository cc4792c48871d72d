"""Utterance → intent tables over every intent: plain, typos, pinyin, dialect and hard negatives."""

from __future__ import annotations

import math

import pytest

from nlp import features, normalize
from nlp.intents import INTENTS, Classification
from nlp.matcher import IntentMatcher
from nlp.model import LinearModel

CASES: list[tuple[str, str]] = [
    # greeting
    ("您好", "greeting"),
    ("谢谢你们的帮助", "greeting"),
    ("你是机器人不", "greeting"),
    ("早上好呀", "greeting"),
    # verify_identity
    ("登录不进去了", "verify_identity"),
    ("刷脸认证老失败", "verify_identity"),
    ("短信验证码收不到", "verify_identity"),
    ("怎么绑定我们企业", "verify_identity"),
    # query_records
    ("查询我们公司的信用记录", "query_records"),
    ("我们在红名单上吗", "query_records"),
    ("看看我有没有失信记录", "query_records"),
    ("cha xinyong jilu", "query_records"),
    # objection
    ("这条处罚记录不是我们的", "objection"),
    ("我要提意义", "objection"),
    ("我对处罚决定有异意", "objection"),
    ("罚款金额记错了", "objection"),
    ("wo yao shensu", "objection"),
    # repair
    ("罚款交完了想申请信用修复", "repair"),
    ("咋个修服信用", "repair"),
    ("修复承诺书在哪签", "repair"),
    ("xinyong xiufu zenme ban", "repair"),
    # pledge
    ("容缺受理的承诺怎么签", "pledge"),
    ("我想签告知承诺书", "pledge"),
    ("材料不全能先承诺再补吗", "pledge"),
    # report
    ("我要举抱一家黑心企业", "report"),
    ("jubao", "report"),
    ("那个饭店老板拖欠工资，我要投诉", "report"),
    ("克哪点举报老赖", "report"),
    # progress
    ("我的异议怎么被驳回了", "progress"),
    ("我举报的那家公司处理了没", "progress"),
    ("回执YY20261122-0042现在到哪一步了", "progress"),
    ("修复申请提交了还没结果", "progress"),
    # policy_faq
    ("被举报了会怎样", "policy_faq"),
    ("红名单有什么好处", "policy_faq"),
    ("严重失信要公示多少年", "policy_faq"),
    ("举报人信息保密吗", "policy_faq"),
    # human
    ("转人工", "human"),
    ("异议的事我要找人工客服", "human"),
    ("你们窗口在哪里", "human"),
    ("给我个客服电话", "human"),
    # cancel
    ("算了", "cancel"),
    ("不用了谢谢", "cancel"),
    ("取消吧", "cancel"),
    ("不举报了", "cancel"),
    # unknown
    ("社保怎么补缴", "unknown"),
    ("信用卡逾期了咋办", "unknown"),
    ("芝麻信用分怎么涨", "unknown"),
    ("央行征信报告在哪打印", "unknown"),
    ("今天天气咋样", "unknown"),
    ("", "unknown"),
    # polite wrappers and negation
    ("你好，我想问下怎么申请信用修复，谢谢", "repair"),
    ("您好，麻烦帮我转人工，谢谢", "human"),
    ("我不是要举报，是想查一下我们的记录", "query_records"),
]


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load()


def test_every_intent_is_covered() -> None:
    assert {intent for _, intent in CASES} == set(INTENTS)


@pytest.mark.parametrize(("text", "intent"), CASES)
def test_intent(matcher: IntentMatcher, text: str, intent: str) -> None:
    result = matcher.classify(text)
    assert result.intent == intent, (text, result)
    assert 0.0 <= result.confidence <= 1.0


def test_load_is_cached() -> None:
    assert IntentMatcher.load() is IntentMatcher.load()


def test_slots_travel_with_the_intent(matcher: IntentMatcher) -> None:
    result = matcher.classify("代码91530100MA6K0R1X6T，查一下我们的信用记录")
    assert result == Classification(
        "query_records", result.confidence, {"credit_code": "91530100MA6K0R1X6T"}, result.clarify
    )


def _fixed(scores: dict[str, float], *, threshold: float = 0.2) -> IntentMatcher:
    """A matcher whose model gives the same scores to every message."""
    bias = [scores.get(i, -10.0) for i in INTENTS]
    model = LinearModel(INTENTS, {"bias": bias}, threshold=threshold, margin=0.2)
    return IntentMatcher(model, normalize.load(), features.load())


def test_close_top_intents_give_a_clarify_list() -> None:
    result = _fixed({"objection": 2.0, "repair": 2.0, "progress": 0.0}).classify("记录的事")
    assert result.intent in ("objection", "repair")
    assert sorted(result.clarify) == ["objection", "repair"]
    assert result.confidence == pytest.approx(math.exp(2) / (2 * math.exp(2) + 1), abs=1e-3)


def test_clear_winner_has_no_clarify_list() -> None:
    result = _fixed({"report": 5.0, "progress": 0.0}).classify("举报")
    assert (result.intent, result.clarify) == ("report", [])
    assert result.confidence > 0.9


def test_low_confidence_falls_back_to_unknown() -> None:
    result = _fixed(dict.fromkeys(INTENTS, 0.0)).classify("嗯嗯嗯")
    assert result.intent == "unknown"
    assert 0.0 <= result.confidence <= 1.0


def test_shipped_clarify_lists_are_short_and_known(matcher: IntentMatcher) -> None:
    for text, _ in CASES:
        clarify = matcher.classify(text).clarify
        assert clarify == [] or (2 <= len(clarify) <= 3 and set(clarify) <= set(INTENTS))
        assert "unknown" not in clarify


def test_as_dict_has_the_cli_shape(matcher: IntentMatcher) -> None:
    data = matcher.classify("我要举报").as_dict()
    assert set(data) >= {"intent", "confidence", "slots"}
    assert data["intent"] == "report"
