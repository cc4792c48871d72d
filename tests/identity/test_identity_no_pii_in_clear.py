"""A full demo-data run (sign-in, verification, record reads, staff reads, agents) leaves no
ID number or phone in clear in the SQLite file or in the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from identity_support import DIANCHI_USCC
from upload_samples import PDF

from selfservice.demo import data
from selfservice.demo.loader import load_demo


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    """SQLite only: this test reads the database file itself."""
    import shutil

    target = tmp_path / "pii.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite://{target}"


async def test_full_flow_leaves_no_pii_in_clear(make_client, fake_sms, capfd, tmp_path):
    sms, _ = fake_sms
    capture = Capture()
    loggers = [logging.getLogger(n) for n in ("", "sanic.access", "sanic.error", "sanic.root")]
    for logger in loggers:
        logger.addHandler(capture)
    try:
        client = await make_client()
        # the console gateway writes every SMS (masked) to the log: exercise it too
        console = await make_client(sms_gateway_url="")
        await load_demo()
        zhang_name, zhang_id, zhang_phone = (
            data.CITIZENS[0][1],
            data.CITIZENS[0][2],
            data.CITIZENS[0][3],
        )
        dianchi = data.ENTERPRISES[0]
        rep_id, ent_phone = data.resident_id(dianchi[5]), dianchi[6]
        secrets_in_clear = {zhang_id, zhang_phone, rep_id, ent_phone}

        resp = await client.post("/api/v1/auth/otp", json={"phone": zhang_phone})
        login = await client.post(
            "/api/v1/auth/h5", json={"phone": zhang_phone, "code": sms.last_code(zhang_phone)}
        )
        token = login.json()["access_token"]
        start = await client.post(
            "/api/v1/identity/verify",
            token=token,
            json={"kind": "citizen", "name": zhang_name, "id_number": zhang_id},
        )
        done = await client.post(
            "/api/v1/identity/verify/confirm",
            token=token,
            json={"challenge": start.json()["challenge"], "code": sms.last_code(zhang_phone)},
        )
        me = done.json()["access_token"]
        bodies = [resp.text, login.text, start.text, done.text]
        for path in ("/api/v1/me/", "/api/v1/me/records", "/api/v1/me/access-log"):
            r = await client.get(path, token=me)
            assert r.status_code == 200, (path, r.text)
            bodies.append(r.text)
        records = (await client.get("/api/v1/me/records", token=me)).json()
        first = (records.get("items") or records.get("records") or [{}])[0].get("id")
        if first:
            bodies.append((await client.get(f"/api/v1/me/records/{first}", token=me)).text)

        # a mismatch, a wrong code and an enterprise verification
        bad = await client.post(
            "/api/v1/identity/verify",
            token=me,
            json={"kind": "citizen", "name": "不是我", "id_number": zhang_id},
        )
        bodies.append(bad.text)
        ent = await client.post(
            "/api/v1/identity/verify",
            token=me,
            json={
                "kind": "enterprise",
                "name": dianchi[2],
                "uscc": DIANCHI_USCC,
                "rep_name": dianchi[4],
                "rep_id_number": rep_id,
            },
        )
        bodies.append(ent.text)
        wrong = await client.post(
            "/api/v1/identity/verify/confirm",
            token=me,
            json={"challenge": ent.json()["challenge"], "code": "000000"},
        )
        bodies.append(wrong.text)
        agent = await client.post(
            "/api/v1/identity/agents",
            token=me,
            data={"uscc": DIANCHI_USCC, "enterprise_name": dianchi[2], "scopes": "records:read"},
            files={"letter": ("l.pdf", PDF, "application/pdf")},
        )
        bodies.append(agent.text)

        # staff read the subject with a purpose
        for username in ("km_handler", "km_credit"):
            staff = (
                await client.post(
                    "/api/v1/staff/login",
                    json={"username": username, "password": data.DEMO_PASSWORD},
                )
            ).json()["access_token"]
            subject_id = done.json()["subject_id"]
            r = await client.get(f"/api/v1/staff/subjects/{subject_id}?purpose=核查", token=staff)
            bodies.append(r.text)
        await console.post("/api/v1/auth/otp", json={"phone": "13988000005"})
        secrets_in_clear.add("13988000005")
    finally:
        for logger in loggers:
            logger.removeHandler(capture)

    out, err = capfd.readouterr()
    logs = "\n".join(capture.lines) + out + err
    assert "139****0005" in logs  # the console gateway did log, masked
    db_path = Path(client.app.ctx.settings.database_url.removeprefix("sqlite://"))
    files = [p for p in db_path.parent.glob(db_path.name + "*") if p.is_file()]
    raw = b"".join(p.read_bytes() for p in files)
    assert len(raw) > 10_000 and zhang_name.encode() in raw  # the right file, with the data
    for secret in sorted(secrets_in_clear):
        assert secret.encode() not in raw, f"{secret[:4]}… in the database file"
        assert secret not in logs, f"{secret[:4]}… in the logs"
        for body in bodies:
            assert secret not in body, f"{secret[:4]}… in a response"
    uploads = b"".join(
        p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "upload" in str(p)
    )
    for secret in secrets_in_clear:
        assert secret.encode() not in uploads
