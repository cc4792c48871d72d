"""Citizen and enterprise verification: success, and one identical answer for every mismatch."""

from __future__ import annotations

import pytest
from identity_support import (
    DIANCHI_PHONE,
    DIANCHI_REP_ID,
    DIANCHI_USCC,
    LI_ID,
    ZHANG_ID,
    ZHANG_PHONE,
    h5_login,
    seed_registry,
)

from selfservice.accounts.models import Account
from selfservice.audit.models import AuditLog

CITIZEN = {"kind": "citizen", "name": "张三", "id_number": ZHANG_ID}
ENTERPRISE = {
    "kind": "enterprise",
    "name": "昆明滇池蓝湾餐饮管理有限公司",
    "uscc": DIANCHI_USCC,
    "rep_name": "李明",
    "rep_id_number": DIANCHI_REP_ID,
}
MISMATCHES = [
    ("citizen wrong name", CITIZEN | {"name": "张四"}),
    ("citizen someone else's id", CITIZEN | {"id_number": LI_ID}),
    ("citizen unknown but valid id", CITIZEN | {"id_number": "11010519491231002X"}),
    ("citizen malformed id", CITIZEN | {"id_number": "530102196001010017"}),
    ("enterprise wrong name", ENTERPRISE | {"name": "昆明滇池餐饮有限公司"}),
    ("enterprise wrong rep name", ENTERPRISE | {"rep_name": "李亮"}),
    ("enterprise wrong rep id", ENTERPRISE | {"rep_id_number": ZHANG_ID}),
    ("enterprise unknown uscc", ENTERPRISE | {"uscc": "91530000MA6XXXXXX1"}),
    ("enterprise code of a person", ENTERPRISE | {"uscc": "Y1530000MB00000014"}),
]


@pytest.fixture
async def signed_in(client, fake_sms):
    reg = await seed_registry()
    pair = await h5_login(client, fake_sms[0], "13600009999")
    return reg, pair["access_token"]


async def _confirm(client, sms, token, challenge, phone):
    return await client.post(
        "/api/v1/identity/verify/confirm",
        token=token,
        json={"challenge": challenge, "code": sms.last_code(phone)},
    )


async def test_citizen_verification_binds_the_subject(client, fake_sms, signed_in):
    reg, token = signed_in
    sms, _ = fake_sms
    start = await client.post("/api/v1/identity/verify", token=token, json=CITIZEN)
    assert start.status_code == 202
    assert start.json()["phone"] == "139****0001"
    assert sms.messages[-1]["phone"] == ZHANG_PHONE
    assert sms.messages[-1]["template"] == "otp_verify"
    done = await _confirm(client, sms, token, start.json()["challenge"], ZHANG_PHONE)
    assert done.status_code == 200
    body = done.json()
    assert (body["subject_id"], body["assurance"], body["scopes"]) == (reg["zhang"].id, 2, ["all"])
    old = await client.get("/api/v1/me/", token=token)
    assert old.status_code == 401
    me = await client.get("/api/v1/me/", token=body["access_token"])
    assert me.json()["name"] == "张*"
    account = await Account.get(id=body["account_id"])
    assert account.subject_id == reg["zhang"].id and account.person_index


async def test_enterprise_legal_rep_verification(client, fake_sms, signed_in):
    reg, token = signed_in
    sms, _ = fake_sms
    start = await client.post("/api/v1/identity/verify", token=token, json=ENTERPRISE)
    assert start.status_code == 202, start.text
    assert sms.messages[-1]["phone"] == DIANCHI_PHONE
    done = await _confirm(client, sms, token, start.json()["challenge"], DIANCHI_PHONE)
    assert done.json()["subject_id"] == reg["dianchi"].id


async def test_every_mismatch_gets_the_same_answer(client, fake_sms, signed_in, make_client):
    _, token = signed_in
    sms, _ = fake_sms
    sent_before = len(sms.messages)
    answers = set()
    for n, (_, claim) in enumerate(MISMATCHES):
        if n and n % 4 == 0:  # stay under the per-account attempt limit
            token = (await h5_login(client, sms, f"1360000{n:04d}"))["access_token"]
        resp = await client.post("/api/v1/identity/verify", token=token, json=claim)
        answers.add((resp.status_code, resp.text))
    assert len(answers) == 1
    [(status, text)] = answers
    assert status == 422 and '"verification_failed"' in text
    assert len(sms.messages) == sent_before + 2  # only the sign-in codes
    attempts = await AuditLog.filter(action="identity.verify_attempt")
    assert len(attempts) == len(MISMATCHES)
    assert {a.data["outcome"] for a in attempts} == {"mismatch"}


async def test_wrong_code_and_foreign_challenge(client, fake_sms, signed_in):
    _, token = signed_in
    sms, _ = fake_sms
    start = await client.post("/api/v1/identity/verify", token=token, json=CITIZEN)
    challenge = start.json()["challenge"]
    other = (await h5_login(client, sms, "13600008888"))["access_token"]
    stolen = await _confirm(client, sms, other, challenge, ZHANG_PHONE)
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (422, "otp_invalid")
    real = sms.last_code(ZHANG_PHONE)
    wrong = await client.post(
        "/api/v1/identity/verify/confirm",
        token=token,
        json={"challenge": challenge, "code": "000000" if real != "000000" else "111111"},
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (422, "otp_invalid")
    right = await _confirm(client, sms, token, challenge, ZHANG_PHONE)
    assert right.status_code == 200


async def test_attempts_are_rate_limited_per_account(client, signed_in):
    _, token = signed_in
    codes = []
    for _ in range(6):
        resp = await client.post(
            "/api/v1/identity/verify", token=token, json=CITIZEN | {"name": "王五"}
        )
        codes.append(resp.json()["error"]["code"])
    assert codes == ["verification_failed"] * 5 + ["verification_rate_limited"]


async def test_verification_needs_a_signed_in_account(client):
    resp = await client.post("/api/v1/identity/verify", json=CITIZEN)
    assert resp.status_code == 401
