"""Web chat flood protection: a session past its per-minute budget gets a 429 JSON error."""

from __future__ import annotations

from test_chat_web_api import _chat

from handlers.chat import CHAT_PER_USER


async def test_a_session_past_its_budget_is_limited_and_others_are_not(served):
    status, first = await _chat(served, {"text": "你好"})
    assert status == 200
    session = first["session_id"]
    for _ in range(CHAT_PER_USER - 1):
        status, _ = await _chat(served, {"text": "你好", "session_id": session})
        assert status == 200
    status, body = await _chat(served, {"text": "你好", "session_id": session})
    assert status == 429
    assert body["error"]["code"] == "rate_limited"
    assert body["error"]["details"]["retry_after"] == 60
    status, _ = await _chat(served, {"text": "你好"})
    assert status == 200
