"""The app factory over HTTP: health, OpenAPI, JSON errors, request ids, tokens."""

import asyncio

import jwt

from selfservice import db
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.enums import SubjectKind
from selfservice.subjects import service


async def _seed(database_url: str) -> int:
    await db.connect(database_url)
    try:
        subject = await service.upsert(
            kind=SubjectKind.LEGAL_PERSON,
            name="昆明滇池蓝湾餐饮管理有限公司",
            uscc="91530100MA6K0R1X6T",
            phone="13888000001",
        )
        return subject.id
    finally:
        await db.close()


async def test_healthz_and_openapi(make_app, database):
    await db.close()
    app = make_app(database)
    _, res = await app.asgi_client.get("/healthz")
    assert res.status == 200
    assert res.json == {"status": "ok", "database": "ok", "store": "ok"}
    assert res.headers["x-request-id"]
    _, res = await app.asgi_client.get("/docs/openapi.json")
    assert res.status == 200
    assert "/healthz" in res.json["paths"] and "/api/v1/me" in str(res.json["paths"])
    _, res = await app.asgi_client.get("/docs/swagger")
    assert res.status == 200


async def test_healthz_503_when_store_down(make_app, database):
    await db.close()
    app = make_app(database, redis_url="redis://127.0.0.1:1/0")
    _, res = await app.asgi_client.get("/healthz")
    assert res.status == 503
    assert res.json["store"] == "down" and res.json["database"] == "ok"


async def test_store_down_is_a_503_json_error_not_a_500(make_app, database):
    await db.close()
    app = make_app(database, redis_url="redis://127.0.0.1:1/0")
    _, res = await app.asgi_client.post("/api/v1/chat", json={"text": "你好"})
    assert res.status == 503
    assert res.json["error"]["code"] == "store_unavailable"
    assert "Traceback" not in res.text and "127.0.0.1:1" not in res.text


async def test_errors_are_json_4xx_with_bilingual_message(make_app, database):
    await db.close()
    app = make_app(database)
    for method, path, status in [
        ("get", "/no/such/route", 404),
        ("post", "/healthz", 405),
        ("get", "/api/v1/me", 401),
    ]:
        _, res = await getattr(app.asgi_client, method)(path)
        assert res.status == status, path
        error = res.json["error"]
        assert set(error) >= {"code", "message"}
        assert " / " in error["message"]
        assert "Traceback" not in res.text
        if status == 405:
            assert "GET" in res.headers["allow"]


async def test_request_id_is_echoed_or_minted(make_app, database):
    await db.close()
    app = make_app(database)
    _, res = await app.asgi_client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert res.headers["x-request-id"] == "abc-123"
    _, res = await app.asgi_client.get("/healthz", headers={"X-Request-ID": "bad id\nx"})
    assert res.headers["x-request-id"] != "bad id\nx"


async def test_token_accepted_and_forgeries_refused(make_app, database_url, settings):
    subject_id = await _seed(database_url)
    app = make_app(database_url)
    token = issue_access_token(
        settings=settings, principal=Principal(kind="subject", subject_id=subject_id)
    )
    _, res = await app.asgi_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert res.status == 200
    assert res.json["uscc"] == "9153**********6T"
    assert res.json["phone"] == "138****0001"

    claims = jwt.decode(token, options={"verify_signature": False})
    forged = [
        jwt.encode(claims, "wrong-key-" * 4, algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        issue_access_token(
            settings=settings, principal=Principal(kind="subject", subject_id=subject_id), ttl=-10
        ),
    ]
    for bad in forged:
        _, res = await app.asgi_client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert res.status == 401
        assert res.json["error"]["code"] == "invalid_token"


def test_issue_token_cli_round_trip(tmp_path):
    import os
    import subprocess
    import sys

    env = os.environ | {
        "DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3",
        "SELFSERVICE_ENV": "dev",
    }
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "selfservice", *a],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    demo = run("demo")
    assert demo.returncode == 0, demo.stderr
    assert "73 records" in demo.stdout and "km_handler" in demo.stdout
    again = run("demo")
    assert again.returncode == 0 and again.stdout.splitlines()[0] == demo.stdout.splitlines()[0]
    token = run("issue-token", "--subject", "Y1530000MB00000014")
    assert token.returncode == 0, token.stderr
    assert token.stdout.count(".") == 2
    missing = run("issue-token", "--subject", "91530100MA6K0R1X6T")
    assert missing.returncode == 1 and "Subject not found" in missing.stderr
    bad = run("issue-token", "--subject", "12345")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr

    from selfservice.auth.tokens import verify_access_token
    from selfservice.settings import load_settings

    principal = verify_access_token(settings=load_settings(env), token=token.stdout.strip())
    assert principal.kind == "subject" and principal.subject_id

    asyncio.run(asyncio.sleep(0))
