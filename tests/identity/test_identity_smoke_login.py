"""Smoke: H5 sign-in and citizen verification end to end."""

from identity_support import ZHANG_ID, ZHANG_PHONE, h5_login, seed_registry, verify_citizen


async def test_h5_login_and_verify(client, fake_sms):
    sms, _ = fake_sms
    reg = await seed_registry()
    pair = await h5_login(client, sms, ZHANG_PHONE)
    assert pair["subject_id"] is None
    verified = await verify_citizen(
        client, sms, pair["access_token"], "张三", ZHANG_ID, ZHANG_PHONE
    )
    assert verified["subject_id"] == reg["zhang"].id
    resp = await client.get("/api/v1/me/", token=verified["access_token"])
    assert resp.status_code == 200, resp.text
    assert resp.json()["id_number"] == "5301**********0016"
