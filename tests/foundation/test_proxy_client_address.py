"""Behind a reverse proxy: per-address limits see the real client, and no address is kept in clear."""

from __future__ import annotations

from datetime import date

import aiohttp
import pytest
import redis
from sanic.response import json

from handlers.auth import address_tag, client_address, client_ip
from selfservice import db
from selfservice.settings import load_settings

CLIENT_A, CLIENT_B = "198.51.100.23", "203.0.113.77"


def _whoami(request):
    return json({"address": client_address(request), "tag": client_ip(request)})


@pytest.fixture
def served(make_app, database, redis_url, serve_app):
    async def serve(**overrides):
        await db.close()
        app = make_app(database, redis_url=redis_url, **overrides)
        app.add_route(_whoami, "/whoami-for-test")
        return serve_app(app)

    return serve


async def _who(http, base, headers) -> dict:
    async with http.get(base + "/whoami-for-test", headers=headers) as r:
        return await r.json()


async def test_forwarded_for_is_trusted_only_when_configured(served):
    async with aiohttp.ClientSession() as http:
        async with await served() as base:
            plain = await _who(http, base, {"X-Forwarded-For": CLIENT_A})
        assert plain["address"] == "127.0.0.1"  # not configured: the header is ignored
        async with await served(proxies_count=1) as base:
            a = await _who(http, base, {"X-Forwarded-For": f"10.0.0.1, {CLIENT_A}"})
            b = await _who(http, base, {"X-Forwarded-For": CLIENT_B})
        assert (a["address"], b["address"]) == (CLIENT_A, CLIENT_B)
        assert a["tag"] != b["tag"] and CLIENT_A not in a["tag"]


async def test_forwarded_header_needs_the_proxy_secret(served):
    settings = load_settings({"FORWARDED_SECRET": "proxy-secret-1", "REAL_IP_HEADER": "X-Real-IP"})
    overrides = {"forwarded_secret": settings.forwarded_secret, "real_ip_header": "x-real-ip"}
    async with aiohttp.ClientSession() as http, await served(**overrides) as base:
        good = await _who(http, base, {"Forwarded": f'for="{CLIENT_A}";secret=proxy-secret-1'})
        forged = await _who(http, base, {"Forwarded": f'for="{CLIENT_B}";secret=guess'})
        real_ip = await _who(http, base, {"X-Real-IP": CLIENT_B})
    assert good["address"] == CLIENT_A
    assert forged["address"] != CLIENT_B
    assert real_ip["address"] == CLIENT_B


async def test_per_address_limit_is_per_client_not_site_wide(served, redis_url):
    async with aiohttp.ClientSession() as http, await served(proxies_count=1) as base:

        async def ask(phone: str, client: str) -> int:
            async with http.post(
                base + "/api/v1/auth/otp",
                json={"phone": phone},
                headers={"X-Forwarded-For": client},
            ) as r:
                return r.status

        first = [await ask(f"1398800{n:04d}", CLIENT_A) for n in range(6)]
        other = await ask("13988009999", CLIENT_B)
    assert first == [202] * 5 + [429]
    assert other == 202  # another client behind the same proxy is not limited
    client = redis.Redis.from_url(redis_url)
    try:
        stored = b" ".join(client.keys("*")) + b" ".join(
            client.get(k) or b"" for k in client.keys("*") if client.type(k) == b"string"
        )
    finally:
        client.close()
    assert CLIENT_A.encode() not in stored and CLIENT_B.encode() not in stored


def test_address_tags_are_keyed_and_rotate_daily():
    settings = load_settings({})
    other = load_settings({"SECRET_KEY": "k" * 40})
    monday, tuesday = date(2026, 12, 7), date(2026, 12, 8)
    tag = address_tag(settings, CLIENT_A, day=monday)
    assert tag == address_tag(settings, CLIENT_A, day=monday)
    assert tag != address_tag(settings, CLIENT_A, day=tuesday)
    assert tag != address_tag(other, CLIENT_A, day=monday)
    assert CLIENT_A not in tag and len(tag) == 32
