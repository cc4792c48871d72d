"""OTP codes on the in-process store and on real Redis: issue, check, expiry, reuse, lockout, limits."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import pytest

from handlers.redis_store import RedisStore
from selfservice.otp import service as otp
from selfservice.store import MemoryStore

PHONE, OTHER = "13988000001", "13988000002"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Outbox:
    """The SMS gateway double for service-level tests (HTTP delivery is tested separately)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    async def send(self, *, phone, template, params):
        self.sent.append((phone, template, dict(params)))

    def code(self, phone: str = PHONE) -> str:
        return next(p["code"] for to, _, p in reversed(self.sent) if to == phone)


@pytest.fixture(params=["memory", "redis"])
async def store(request, database):
    if request.param == "memory":
        s = MemoryStore(clock=Clock())
    else:
        s = RedisStore(request.getfixturevalue("redis_url"))
    yield s
    await s.close()


async def _issue(store, settings, outbox, phone=PHONE, **kw):
    return await otp.issue(
        store=store, settings=settings, sms=outbox, purpose="login", phone=phone, **kw
    )


async def _check(store, settings, code, phone=PHONE):
    await otp.check(store=store, settings=settings, purpose="login", phone=phone, code=code)


async def test_code_is_six_digits_single_use(store, settings):
    outbox = Outbox()
    issued = await _issue(store, settings, outbox)
    assert issued.ttl == 300
    code = outbox.code()
    assert re.fullmatch(r"\d{6}", code)
    await _check(store, settings, code)
    with pytest.raises(otp.InvalidCode):
        await _check(store, settings, code)


async def test_wrong_purpose_or_phone_does_not_accept(store, settings):
    outbox = Outbox()
    await _issue(store, settings, outbox)
    with pytest.raises(otp.InvalidCode):
        await otp.check(
            store=store, settings=settings, purpose="verify", phone=PHONE, code=outbox.code()
        )
    with pytest.raises(otp.InvalidCode):
        await _check(store, settings, outbox.code(), phone=OTHER)


async def test_five_wrong_tries_lock_even_the_right_code(store, settings):
    outbox = Outbox()
    await _issue(store, settings, outbox)
    code = outbox.code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(otp.InvalidCode):
            await _check(store, settings, wrong)
    with pytest.raises(otp.CodeLocked):
        await _check(store, settings, wrong)
    with pytest.raises(otp.CodeLocked):
        await _check(store, settings, code)
    with pytest.raises(otp.CodeLocked):
        await _issue(store, settings, outbox)


async def test_one_per_minute_and_ten_per_day_per_phone(store, settings):
    outbox = Outbox()
    await _issue(store, settings, outbox)
    with pytest.raises(otp.OtpRateLimited):
        await _issue(store, settings, outbox)
    if isinstance(store, MemoryStore):
        for _ in range(9):
            store._clock.now += 61
            await _issue(store, settings, outbox)
        store._clock.now += 61
        with pytest.raises(otp.OtpRateLimited) as err:
            await _issue(store, settings, outbox)
        assert err.value.details == {"retry_after": 86400}
        assert len(outbox.sent) == 10


async def test_per_openid_and_per_ip_limits(store, settings):
    outbox = Outbox()
    await _issue(store, settings, outbox, phone="13700000001", openid="oA")
    with pytest.raises(otp.OtpRateLimited):
        await _issue(store, settings, outbox, phone="13700000002", openid="oA")
    for n in range(5):
        await _issue(store, settings, outbox, phone=f"1360000000{n}", ip="198.51.100.9")
    with pytest.raises(otp.OtpRateLimited):
        await _issue(store, settings, outbox, phone="13600000009", ip="198.51.100.9")


async def test_expiry_after_ttl(store, settings):
    outbox = Outbox()
    if isinstance(store, MemoryStore):
        await _issue(store, settings, outbox)
        store._clock.now += 301
    else:
        await _issue(store, settings, outbox, ttl=1)
        await asyncio.sleep(1.2)
    with pytest.raises(otp.InvalidCode):
        await _check(store, settings, outbox.code())


async def test_store_keeps_no_code_and_no_phone(redis_url, settings, database):
    store = RedisStore(redis_url)
    outbox = Outbox()
    try:
        await _issue(store, settings, outbox)
        keys = await store._redis.execute("KEYS", "*")
        values = [await store._redis.execute("GET", k) for k in keys]
    finally:
        await store.close()
    dump = " ".join(keys) + " ".join(v or "" for v in values)
    assert PHONE not in dump and outbox.code() not in dump
    assert any(k.startswith("xy:otp:code:login:") for k in keys)


async def test_concurrent_checks_consume_once(redis_url, settings, database):
    stores = [RedisStore(redis_url), RedisStore(redis_url)]
    outbox = Outbox()
    try:
        await _issue(stores[0], settings, outbox)
        code = outbox.code()
        results = await asyncio.gather(
            *(_check(stores[i % 2], settings, code) for i in range(6)), return_exceptions=True
        )
    finally:
        for s in stores:
            await s.close()
    assert sum(r is None for r in results) == 1
    # the sixth try is past the limit of five, so it may be refused before any comparison
    refused = (otp.InvalidCode, otp.CodeLocked)
    assert all(isinstance(r, refused) for r in results if r is not None)


def test_other_secret_gives_other_store_ids(settings):
    other = dataclasses.replace(settings, secret_key=type(settings.secret_key)("u" * 40))
    assert otp.target_id(settings, PHONE) != otp.target_id(other, PHONE)
