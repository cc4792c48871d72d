"""Retries handled once (sequential and concurrent) and the 5-second path with a slow skill."""

from __future__ import annotations

import asyncio
import time

from chat_vectors import signed_query, text_xml
from wechatpy import parse_message

from channels.message import Reply
from nlp.dialogue.turn import Turn


def _slow(seconds: float, text: str):
    async def skill(turn: Turn) -> Reply:
        await asyncio.sleep(seconds)
        return Reply(text=text)

    return skill


async def test_a_retried_message_gets_the_first_reply_and_runs_once(served):
    served.count_dialogue()
    body = text_xml("oRetry", "查询办理进度", msg_id=900001)
    first = await served.post("/wechat", params=signed_query(nonce="1"), data=body)
    again = await served.post("/wechat", params=signed_query(nonce="2"), data=body)
    assert first[0] == again[0] == 200
    assert first[2] == again[2] and "受理回执" in parse_message(first[2].decode()).content
    assert served.calls == ["wechat:oRetry"]
    # the flow moved once: a second execution would have said "没有识别到受理编号"
    assert "没有识别到" not in parse_message(again[2].decode()).content


async def test_a_new_message_id_is_a_new_message(served):
    served.count_dialogue()
    for msg_id in (900010, 900011):
        await served.post("/wechat", params=signed_query(), data=text_xml("oNew", "你好", msg_id))
    assert served.calls == ["wechat:oNew", "wechat:oNew"]


async def test_concurrent_retries_while_the_first_is_running_execute_once(served):
    served.count_dialogue()
    served.replace_skill("greeting", _slow(0.6, "慢慢的问候"))
    body = text_xml("oConcurrent", "你好", msg_id=900020)
    results = await asyncio.gather(
        *(served.post("/wechat", params=signed_query(nonce=str(n)), data=body) for n in range(4))
    )
    assert served.calls == ["wechat:oConcurrent"]
    assert {r[0] for r in results} == {200}
    assert all("慢慢的问候" in parse_message(r[2].decode()).content for r in results)


async def test_slow_answer_is_success_now_and_pushed_through_customer_service(served, fake_api):
    api, _ = fake_api
    served.count_dialogue()
    served.app.ctx.wechat_budget = 0.4
    served.replace_skill("greeting", _slow(1.0, "迟到的回答"))
    body = text_xml("oSlow", "你好", msg_id=900030)
    started = time.monotonic()
    status, content_type, out = await served.post("/wechat", params=signed_query(), data=body)
    elapsed = time.monotonic() - started
    assert (status, out) == (200, b"success") and content_type.startswith("text/plain")
    assert 0.35 <= elapsed < 1.0
    assert api.sent == []
    # WeChat's retry while the answer is still being made: success again, no second run
    retry = await served.post("/wechat", params=signed_query(nonce="9"), data=body)
    assert retry[2] == b"success"
    await asyncio.wait_for(api.arrived.wait(), 5)
    assert api.sent == [{"touser": "oSlow", "msgtype": "text", "text": {"content": "迟到的回答"}}]
    assert served.calls == ["wechat:oSlow"]
    late_retry = await served.post("/wechat", params=signed_query(nonce="10"), data=body)
    assert late_retry[2] == b"success" and served.calls == ["wechat:oSlow"]


async def test_a_push_that_meets_a_busy_api_is_retried(served, fake_api):
    api, _ = fake_api
    api.fail_sends = 1
    served.app.ctx.wechat_outbox.backoff = 0.05
    served.app.ctx.wechat_budget = 0.2
    served.replace_skill("greeting", _slow(0.5, "重试后送达"))
    _, _, out = await served.post(
        "/wechat", params=signed_query(), data=text_xml("oBusy", "你好", msg_id=900040)
    )
    assert out == b"success"
    await asyncio.wait_for(api.arrived.wait(), 5)
    assert api.sent[0]["text"]["content"] == "重试后送达"


async def test_a_long_late_answer_is_split_at_the_size_limit(served, fake_api):
    api, _ = fake_api
    served.app.ctx.wechat_budget = 0.2
    long_text = "\n".join(f"第{n}行：" + "信用" * 60 for n in range(30))
    served.replace_skill("greeting", _slow(0.4, long_text))
    await served.post("/wechat", params=signed_query(), data=text_xml("oLong", "你好", 900050))
    await served.app.ctx.wechat_outbox.drain(within=5)
    parts = [m["text"]["content"] for m in api.sent]
    assert len(parts) > 1 and all(len(p.encode()) <= 2048 for p in parts)
    assert "\n".join(parts) == long_text


async def test_a_failing_skill_answers_busy_instead_of_an_error_page(served):
    async def broken(turn: Turn) -> Reply:
        raise RuntimeError("boom")

    served.replace_skill("greeting", broken)
    status, _, out = await served.post(
        "/wechat", params=signed_query(), data=text_xml("oBroken", "你好", 900060)
    )
    assert status == 200 and "系统繁忙" in parse_message(out.decode()).content
