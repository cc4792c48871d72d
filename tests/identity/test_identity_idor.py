"""IDOR: a subject asking for another subject's objects, by id or by guessing, gets 404."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from identity_support import (
    LI_ID,
    LI_PHONE,
    ZHANG_ID,
    ZHANG_PHONE,
    h5_login,
    seed_registry,
    verify_citizen,
)
from upload_samples import PDF

from handlers.auth import own_or_404
from selfservice.auth.tokens import verify_access_token
from selfservice.enums import Nature
from selfservice.errors import NotFound
from selfservice.records.models import CreditRecord


async def _two_subjects(client, sms):
    reg = await seed_registry()
    a = await h5_login(client, sms, ZHANG_PHONE)
    a = await verify_citizen(client, sms, a["access_token"], "张三", ZHANG_ID, ZHANG_PHONE)
    b = await h5_login(client, sms, LI_PHONE)
    b = await verify_citizen(client, sms, b["access_token"], "李四", LI_ID, LI_PHONE)
    return reg, a, b


async def test_other_accounts_authorisation_is_404_by_id_and_by_guessing(client, fake_sms):
    from identity_support import DIANCHI_USCC

    reg, a, b = await _two_subjects(client, fake_sms[0])
    made = await client.post(
        "/api/v1/identity/agents",
        token=b["access_token"],
        data={"uscc": DIANCHI_USCC, "enterprise_name": reg["dianchi"].name, "scopes": "objection"},
        files={"letter": ("l.pdf", PDF, "application/pdf")},
    )
    b_id = made.json()["id"]
    own = await client.get(f"/api/v1/identity/agents/{b_id}", token=b["access_token"])
    assert own.status_code == 200
    theirs = await client.get(f"/api/v1/identity/agents/{b_id}", token=a["access_token"])
    nothing = await client.get("/api/v1/identity/agents/987654", token=a["access_token"])
    assert theirs.status_code == nothing.status_code == 404
    assert theirs.json() == nothing.json()
    for guess in range(1, 30):
        resp = await client.get(f"/api/v1/identity/agents/{guess}", token=a["access_token"])
        assert resp.status_code == 404
        act = await client.post(
            "/api/v1/auth/agent", token=a["access_token"], json={"authorisation_id": guess}
        )
        assert act.status_code == 404
    listed = await client.get("/api/v1/identity/agents", token=a["access_token"])
    assert listed.json()["items"] == []


async def test_own_or_404_guard_on_records(client, fake_sms):
    reg, a, _ = await _two_subjects(client, fake_sms[0])
    records = [
        await CreditRecord.create(
            subject=subject,
            nature=Nature.BAD,
            catalogue_class="administrative_penalty",
            title="处罚",
            provider=reg["km_scjg"],
            document_number=f"doc-{n}",
            finding_date=date(2026, 1, 5),
            publicity_start=date(2026, 1, 5),
        )
        for n, subject in enumerate((reg["zhang"], reg["li"]))
    ]

    def request_for(token_body: dict) -> SimpleNamespace:
        principal = verify_access_token(
            settings=client.app.ctx.settings, token=token_body["access_token"]
        )
        return SimpleNamespace(ctx=SimpleNamespace(principal=principal))

    mine = await own_or_404(request_for(a), CreditRecord, records[0].id)
    assert mine.id == records[0].id
    for record_id in (records[1].id, 10_000):
        try:
            await own_or_404(request_for(a), CreditRecord, record_id)
        except NotFound:
            pass
        else:
            raise AssertionError("another subject's record was returned")
    # the same through the records route of the API, by id and by guessing
    own = await client.get(f"/api/v1/me/records/{records[0].id}", token=a["access_token"])
    assert own.status_code == 200
    theirs = await client.get(f"/api/v1/me/records/{records[1].id}", token=a["access_token"])
    assert theirs.status_code == 404
    for guess in range(1, 25):
        if guess != records[0].id:
            resp = await client.get(f"/api/v1/me/records/{guess}", token=a["access_token"])
            assert resp.status_code == 404, guess


async def test_me_routes_ignore_a_subject_id_in_the_query(client, fake_sms):
    reg, a, _ = await _two_subjects(client, fake_sms[0])
    resp = await client.get(f"/api/v1/me/?subject_id={reg['li'].id}", token=a["access_token"])
    assert resp.json()["id"] == reg["zhang"].id
    log = await client.get(
        f"/api/v1/me/access-log?subject_id={reg['li'].id}", token=a["access_token"]
    )
    assert log.status_code == 200
