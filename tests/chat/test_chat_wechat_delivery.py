"""Retries handled once (sequential and concurrent) and the 5-second path with a slow skill."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from chat_vectors import signed_query, text_xml
from wechatpy import parse_message

from channels.message import Reply
from handlers.worker import senders
from nlp.dialogue.turn import Turn
from selfservice.notifications.models import OutboxMessage
from selfservice.notifications.outbox import run_once, utcnow


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


def _late(served, seconds: float, text: str) -> None:
    """A greeting that misses a short budget, with quick retries that do not wait long."""
    served.app.ctx.wechat_budget = 0.2
    served.app.ctx.wechat_outbox.backoff = 0.01
    served.replace_skill("greeting", _slow(seconds, text))


async def _worker_pass(served) -> dict[str, int]:
    """One pass of ``selfservice worker`` an hour later (past any backoff)."""
    ctx = served.app.ctx
    chosen = senders(ctx.settings, ctx.http, ctx.store)
    return await run_once(senders=chosen, worker="test-worker", now=utcnow() + timedelta(hours=1))


async def test_a_late_reply_wechat_will_not_take_now_is_kept_and_sent_by_the_worker(
    served, fake_api
):
    api, _ = fake_api
    api.fail_sends = 100
    _late(served, 0.4, "稍后送达")
    _, _, out = await served.post(
        "/wechat", params=signed_query(), data=text_xml("oKept", "你好", 900070)
    )
    assert out == b"success"
    await served.app.ctx.wechat_outbox.drain(within=5)
    row = await OutboxMessage.get(channel="wechat_cs", openid="oKept")
    assert (row.status, row.attempts, api.sent) == ("pending", 3, [])
    api.fail_sends = 0
    assert await _worker_pass(served) == {"delivered": 1}
    assert api.sent == [{"touser": "oKept", "msgtype": "text", "text": {"content": "稍后送达"}}]
    assert (await OutboxMessage.get(id=row.id)).status == "delivered"
    assert await _worker_pass(served) == {}


async def test_a_long_late_reply_resumes_after_the_parts_already_sent(served, fake_api):
    api, _ = fake_api
    api.fail_after = 1
    long_text = "\n".join(f"第{n}行：" + "信用" * 60 for n in range(30))
    _late(served, 0.3, long_text)
    await served.post("/wechat", params=signed_query(), data=text_xml("oResume", "你好", 900080))
    await served.app.ctx.wechat_outbox.drain(within=5)
    row = await OutboxMessage.get(channel="wechat_cs", openid="oResume")
    assert row.status == "pending" and row.data["sent"] == 1 and len(api.sent) == 1
    api.fail_after = None
    assert await _worker_pass(served) == {"delivered": 1}
    parts = [m["text"]["content"] for m in api.sent]
    assert len(parts) == len(row.data["parts"]) > 2
    assert "\n".join(parts) == long_text


async def test_a_late_reply_wechat_refuses_for_good_is_not_retried(served, fake_api):
    api, _ = fake_api
    api.refuse_with = 45015  # the user has not written for 48 hours
    _late(served, 0.3, "不会送达")
    await served.post("/wechat", params=signed_query(), data=text_xml("oGone", "你好", 900090))
    await served.app.ctx.wechat_outbox.drain(within=5)
    row = await OutboxMessage.get(channel="wechat_cs", openid="oGone")
    assert (row.status, row.attempts) == ("dead", 1) and "45015" in row.last_error
    assert await _worker_pass(served) == {}
