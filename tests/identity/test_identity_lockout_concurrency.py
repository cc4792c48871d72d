"""Lockouts under real concurrency (parallel requests, PostgreSQL + Redis): the limit holds."""

from __future__ import annotations

import asyncio

import pytest
from identity_support import PASSWORD, Client, make_staff, seed_registry

from selfservice.otp import service as otp
from selfservice.staff import service as staff_service

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
LOGIN = "/api/v1/staff/login"
PHONE = "13622223333"


@pytest.fixture
async def server(make_client, redis_url):
    client = await make_client(redis_url=redis_url)
    reg = await seed_registry()
    await make_staff("km_handler", "handler", reg["km_scjg"])
    return client


async def _login(client: Client, password: str, **extra):
    return await client.post(LOGIN, json={"username": "km_handler", "password": password, **extra})


def _codes(responses) -> list[str]:
    return [r.json()["error"]["code"] if r.status_code != 200 else "ok" for r in responses]


async def test_twenty_parallel_wrong_passwords_evaluate_at_most_five(server):
    answers = _codes(await asyncio.gather(*(_login(server, f"bad{n}") for n in range(20))))
    assert answers.count("bad_credentials") <= staff_service.MAX_FAILED_LOGINS
    assert answers.count("login_locked") >= 20 - staff_service.MAX_FAILED_LOGINS
    assert (await _login(server, PASSWORD)).status_code == 429


async def test_a_right_password_inside_a_burst_gets_in_only_within_the_limit(server):
    burst = [_login(server, f"bad{n}") for n in range(15)]
    burst.insert(7, _login(server, PASSWORD))
    answers = _codes(await asyncio.gather(*burst))
    # attempts are numbered before checking: at most five were checked at all
    assert answers.count("bad_credentials") + answers.count("ok") <= 5
    after = _codes(await asyncio.gather(_login(server, PASSWORD), _login(server, "bad")))
    if "ok" not in answers:
        assert after == ["login_locked", "login_locked"]


async def test_the_right_password_after_the_limit_is_refused_in_any_order(server):
    await asyncio.gather(*(_login(server, f"bad{n}") for n in range(5)))
    burst = [_login(server, f"bad{n}") for n in range(10)]
    burst.insert(3, _login(server, PASSWORD))
    assert set(_codes(await asyncio.gather(*burst))) == {"login_locked"}


async def test_a_known_device_still_signs_in_while_the_account_is_locked(server):
    first = await _login(server, PASSWORD)
    device = first.json()["device_token"]
    assert "xy_staff_device" in first.headers.get("set-cookie", "")
    await asyncio.gather(*(_login(server, f"bad{n}") for n in range(8)))
    assert (await _login(server, PASSWORD)).status_code == 429
    assert (await _login(server, PASSWORD, device_token=device)).status_code == 200
    forged = device[:-4] + ("aaaa" if not device.endswith("aaaa") else "bbbb")
    assert (await _login(server, PASSWORD, device_token=forged)).status_code == 429
    # the device has a lock of its own: a stolen device token is no way round the limit
    await asyncio.gather(*(_login(server, f"bad{n}", device_token=device) for n in range(6)))
    assert (await _login(server, PASSWORD, device_token=device)).status_code == 429


async def test_one_source_is_stopped_before_it_can_lock_other_accounts(server):
    limit = staff_service.MAX_SOURCE_FAILURES
    names = [f"nobody{n}" for n in range(limit + 3)]
    answers = _codes(
        await asyncio.gather(
            *(server.post(LOGIN, json={"username": u, "password": "x"}) for u in names)
        )
    )
    assert answers.count("bad_credentials") <= limit
    assert (await _login(server, PASSWORD)).status_code == 429  # this address is held
    elsewhere = Client(server.app, ip="198.51.100.23")
    try:
        assert (await _login(elsewhere, PASSWORD)).status_code == 200
    finally:
        await elsewhere.http.aclose()


async def test_parallel_wrong_codes_lock_and_the_right_code_stays_out(server, fake_sms):
    sms, _ = fake_sms
    assert (await server.post("/api/v1/auth/otp", json={"phone": PHONE})).status_code == 202
    code = sms.last_code(PHONE)
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 16)]
    burst = [server.post("/api/v1/auth/h5", json={"phone": PHONE, "code": c}) for c in wrong]
    answers = _codes(await asyncio.gather(*burst))
    assert answers.count("otp_invalid") <= otp.MAX_WRONG - 1
    assert set(answers) <= {"otp_invalid", "otp_locked"}
    right = await server.post("/api/v1/auth/h5", json={"phone": PHONE, "code": code})
    assert (right.status_code, right.json()["error"]["code"]) == (429, "otp_locked")


async def test_a_right_code_inside_a_burst_past_the_limit_is_refused(server, fake_sms):
    sms, _ = fake_sms
    await server.post("/api/v1/auth/otp", json={"phone": PHONE})
    code = sms.last_code(PHONE)
    bad = "000000" if code != "000000" else "111111"
    first = [server.post("/api/v1/auth/h5", json={"phone": PHONE, "code": bad}) for _ in range(5)]
    await asyncio.gather(*first)
    burst = [server.post("/api/v1/auth/h5", json={"phone": PHONE, "code": bad}) for _ in range(10)]
    burst.insert(4, server.post("/api/v1/auth/h5", json={"phone": PHONE, "code": code}))
    assert set(_codes(await asyncio.gather(*burst))) == {"otp_locked"}
