"""CI fuzzing: schemathesis over the served OpenAPI document against a real server process, as an
anonymous caller, a verified subject, an agent limited to ``records:read`` and a staff admin.

Checks: no server error and responses that conform to their documented schemas. The seed is
fixed and every run is bounded in examples and time (at most 35 s per caller).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import jwt
import pytest
from aiohttp import web

from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.settings import load_settings

SEED = 20261202
EXAMPLES = 5
BUDGET_SECONDS = 35
CHECKS = "not_a_server_error,response_schema_conformance"
DEMO_ENTERPRISE = "91530102MA6KQ1B2CK"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def fake_wechat() -> Iterator[str]:
    """``/sns/jscode2session`` answering every code, on its own loop in a thread."""

    async def login(request: web.Request) -> web.Response:
        code = request.query.get("js_code", "")
        return web.json_response({"openid": f"oFuzz{len(code)}", "session_key": "U0VTU0lPTg=="})

    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_get("/sns/jscode2session", login)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    port = _free_port()
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()


def _selfservice(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "selfservice"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _wait_healthy(base: str, server: subprocess.Popen) -> None:
    async def poll() -> bool:
        async with aiohttp.ClientSession() as http:
            for _ in range(120):
                if server.poll() is not None:
                    return False
                try:
                    async with http.get(base + "/healthz") as r:
                        if r.status == 200:
                            return True
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.5)
        return False

    assert asyncio.run(poll()), "the server did not start"


@pytest.fixture(scope="module")
def server(tmp_path_factory, fake_wechat) -> Iterator[tuple[str, dict[str, str]]]:
    """``selfservice serve`` on a free loopback port over a migrated demo database."""
    root = tmp_path_factory.mktemp("fuzz")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "SANIC_"))}
    env.update(
        SELFSERVICE_ENV="test",
        DATABASE_URL=f"sqlite://{root}/fuzz.sqlite3",
        SECRET_KEY="f" * 40,
        DATA_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        REPORT_SEAL_KEY="ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
        UPLOAD_DIR=str(root / "uploads"),
        MINIPROGRAM_APPID="wxfuzz0000000001",
        MINIPROGRAM_SECRET="fuzz-secret",
        WECHAT_API_BASE=fake_wechat,
    )
    _selfservice(env, "migrate")
    _selfservice(env, "demo")
    port = _free_port()
    log = (root / "server.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "selfservice"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base, env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _callers(env: dict[str, str]) -> dict[str, list[str]]:
    subject = _selfservice(env, "issue-token", "--subject", DEMO_ENTERPRISE)
    staff = _selfservice(env, "issue-token", "--staff", "admin")
    claims = jwt.decode(subject, options={"verify_signature": False})
    agent = issue_access_token(
        settings=load_settings(env),
        principal=Principal(
            kind="subject", subject_id=claims["sid"], assurance=2, scopes=("records:read",)
        ),
    )
    bearer = {"subject": subject, "agent": agent, "staff": staff}
    return {"anonymous": []} | {
        who: ["-H", f"Authorization: Bearer {token}"] for who, token in bearer.items()
    }


def test_schemathesis_finds_no_server_error_and_no_schema_violation(server, tmp_path):
    base, env = server
    failed = []
    for who, auth in _callers(env).items():
        started = time.monotonic()
        run = subprocess.run(
            [
                str(BIN / "st"),
                "run",
                f"{base}/docs/openapi.json",
                *auth,
                "--checks",
                CHECKS,
                "--seed",
                str(SEED),
                "--max-examples",
                str(EXAMPLES),
                "--phases",
                "examples,coverage,fuzzing",
                "--max-time",
                str(BUDGET_SECONDS),
                "--workers",
                "1",
                "--warnings",
                "off",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=BUDGET_SECONDS * 3,
            cwd=tmp_path,
        )
        out = run.stdout + run.stderr
        selected = re.search(r"Selected: (\d+)/(\d+)", out)
        tested = re.search(r"Tested: (\d+)", out)
        assert selected and tested, out[-3000:]
        assert selected[1] == selected[2] == tested[1], f"{who}: not every operation ran"
        if run.returncode != 0:
            failed.append(f"--- {who} ({time.monotonic() - started:.0f} s) ---\n{out[-6000:]}")
    assert not failed, "\n".join(failed)
