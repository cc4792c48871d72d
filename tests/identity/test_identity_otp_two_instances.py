"""OTP over HTTP across two app instances sharing one Redis: limits, reuse and lockout hold."""

from __future__ import annotations

import secrets

import pytest

PHONE = f"137{secrets.randbelow(10**8):08d}"


@pytest.fixture
async def pair(make_client, redis_url):
    return await make_client(redis_url=redis_url), await make_client(redis_url=redis_url)


async def test_code_from_one_instance_signs_in_on_the_other_once(pair, fake_sms):
    a, b = pair
    sms, _ = fake_sms
    resp = await a.post("/api/v1/auth/otp", json={"phone": PHONE})
    assert resp.status_code == 202
    assert resp.json() == {
        "phone": f"137****{PHONE[-4:]}",
        "expires_in": 300,
        "resend_after": 60,
    }
    again = await b.post("/api/v1/auth/otp", json={"phone": PHONE})
    assert (again.status_code, again.json()["error"]["code"]) == (429, "otp_rate_limited")
    code = sms.last_code(PHONE)
    login = await b.post("/api/v1/auth/h5", json={"phone": PHONE, "code": code})
    assert login.status_code == 200
    reuse = await a.post("/api/v1/auth/h5", json={"phone": PHONE, "code": code})
    assert (reuse.status_code, reuse.json()["error"]["code"]) == (422, "otp_invalid")


async def test_lockout_after_five_wrong_codes_spans_instances(pair, fake_sms):
    a, b = pair
    sms, _ = fake_sms
    await a.post("/api/v1/auth/otp", json={"phone": PHONE})
    code = sms.last_code(PHONE)
    wrong = "000000" if code != "000000" else "999999"
    answers = []
    for i in range(5):
        client = (a, b)[i % 2]
        resp = await client.post("/api/v1/auth/h5", json={"phone": PHONE, "code": wrong})
        answers.append(resp.json()["error"]["code"])
    assert answers == ["otp_invalid"] * 4 + ["otp_locked"]
    right = await b.post("/api/v1/auth/h5", json={"phone": PHONE, "code": code})
    assert (right.status_code, right.json()["error"]["code"]) == (429, "otp_locked")


async def test_ip_limit_spans_instances(pair):
    a, b = pair
    statuses = []
    for n in range(6):
        client = (a, b)[n % 2]
        resp = await client.post(
            "/api/v1/auth/otp", json={"phone": f"139{secrets.randbelow(10**8):08d}"}
        )
        statuses.append(resp.status_code)
    assert statuses == [202] * 5 + [429]


async def test_invalid_phone_and_gateway_failure(pair, fake_sms):
    a, _ = pair
    sms, _ = fake_sms
    bad = await a.post("/api/v1/auth/otp", json={"phone": "12345678901"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_phone")
    sms.fail_with = 502
    down = await a.post("/api/v1/auth/otp", json={"phone": PHONE})
    assert (down.status_code, down.json()["error"]["code"]) == (503, "sms_unavailable")
