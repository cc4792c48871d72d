"""JSON bodies are readable UTF-8: Chinese is sent as itself, never as ``\\uXXXX`` escapes."""

from __future__ import annotations


async def test_error_and_data_bodies_are_utf8(make_app, database):
    app = make_app(database)
    _, missing = await app.asgi_client.get("/api/v1/no-such-route")
    assert missing.status == 404
    assert "未找到".encode() in missing.body and b"\\u" not in missing.body
    _, policy = await app.asgi_client.get("/api/v1/policy")
    assert policy.status == 200
    assert b"\\u" not in policy.body and "昆明".encode() in policy.body
    assert policy.json  # still valid JSON
