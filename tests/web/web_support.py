"""Browser-test support: the real server (``selfservice serve``) on the demo data and Debian's Chromium.

One server and one browser per test module; each test gets a fresh phone-sized browser context whose
final screen is saved as ``final.png`` in the test's ``tmp_path``. The server runs on a migrated SQLite
copy (the API tests cover PostgreSQL) and the test Redis database, with a fake SMS gateway on
127.0.0.1 so the tests can read the one-time codes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PHONE_VIEWPORT = {"width": 360, "height": 740}
SMS_TOKEN = "web-sms-token"
SECRETS = {
    "SECRET_KEY": "w" * 40,
    "DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "REPORT_SEAL_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
}
# Demo identities (selfservice/demo/data.py): never allowed in a page URL.
ZHANG = {"name": "张三", "id": "530102196001010016", "phone": "13988000001"}
LI = {"name": "李四", "id": "530111198802143316", "phone": "13988000002"}
DIANCHI = {
    "name": "昆明滇池蓝湾餐饮管理有限公司",
    "uscc": "91530102MA6KQ1B2CK",
    "rep": "李明",
    "rep_id": "530102198003152017",
    "phone": "13888000001",
}
PII = re.compile(r"\d{11}|\d{17}[\dX]|[0-9A-Z]{18}")


class FakeSms:
    """The SMS provider endpoint the server is pointed at: keeps every message."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                ok = self.headers.get("Authorization") == f"Bearer {SMS_TOKEN}"
                if ok:
                    fake.messages.append(body)
                answer = json.dumps({"code": "OK" if ok else "unauthorized"}).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def last_code(self, phone: str, *, after: int = 0, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages[after:]):
                if message["phone"] == phone:
                    return message["params"]["code"]
            time.sleep(0.05)
        raise AssertionError(f"no SMS to {phone}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Server:
    base: str
    env: dict[str, str]
    sms: FakeSms
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, identifier: str) -> str:
        """An access token for a demo subject, from the operator CLI (``selfservice issue-token``)."""
        if identifier not in self.tokens:
            self.tokens[identifier] = _cli(
                self.env, "issue-token", "--subject", identifier, "--ttl", "3600"
            ).strip()
        return self.tokens[identifier]

    def api(self, path: str, *, token: str | None = None, body: dict | None = None) -> dict:
        """GET (or POST ``body``) the JSON API directly, to set a scene or check an outcome."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        method = "GET" if body is None else "POST"
        resp = httpx.request(method, self.base + path, json=body, headers=headers, timeout=10)
        assert resp.status_code < 300, resp.text
        return resp.json()


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "selfservice", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.flushdb()
    except Exception as exc:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable ({exc!r})", pytrace=False)
    finally:
        client.close()


@pytest.fixture(scope="module")
def server(sqlite_template, tmp_path_factory) -> Iterator[Server]:
    """``selfservice serve`` on a free loopback port over the demo data; stopped at the end."""
    root = tmp_path_factory.mktemp("web")
    shutil.copy(sqlite_template, root / "db.sqlite3")
    _flush_redis()
    sms = FakeSms()
    port = _free_port()
    env = {
        **os.environ,
        **SECRETS,
        "SELFSERVICE_ENV": "test",
        "DATABASE_URL": f"sqlite://{root}/db.sqlite3",
        "REDIS_URL": REDIS_URL,
        "UPLOAD_DIR": str(root / "uploads"),
        "SMS_GATEWAY_URL": sms.url,
        "SMS_GATEWAY_TOKEN": SMS_TOKEN,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "BACKGROUND_WORKER": "1",
        "JURISDICTION": "kunming",
    }
    _cli(env, "demo")
    log = open(root / "server.log", "wb")  # noqa: SIM115 (closed below, after the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "selfservice", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, root / "server.log")
        yield Server(base, env, sms)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        sms.close()


def _wait_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the server exited:\n" + log.read_text()[-3000:], pytrace=False)
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("the server did not become healthy:\n" + log.read_text()[-3000:], pytrace=False)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium (scripts/system-deps.sh installs it); Playwright never downloads one."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail(
            "chromium is not installed: run scripts/system-deps.sh (apt-get install chromium)",
            pytrace=False,
        )
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Phone:
    """A page at a phone viewport, with every URL it visited and every script error it raised."""

    page: object
    server: Server
    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, hash_route: str = "#/") -> None:
        self.page.goto(self.server.base + "/" + hash_route)
        self.page.wait_for_selector(".van-nav-bar")

    def sign_in_as(self, identifier: str, hash_route: str = "#/") -> None:
        """Start signed in as a verified demo subject (the sign-in screens have their own test)."""
        token = self.server.token(identifier)
        self.page.add_init_script(f"localStorage.setItem('access_token', {json.dumps(token)})")
        self.open(hash_route)


@pytest.fixture
def phone(browser, server, tmp_path) -> Iterator[Phone]:
    context = browser.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    phone = Phone(page, server)
    page.on("framenavigated", lambda frame: phone.urls.append(frame.url))
    page.on("pageerror", lambda exc: phone.errors.append(str(exc)))
    try:
        yield phone
        page.screenshot(path=str(tmp_path / "final.png"))
    finally:
        context.close()
    assert phone.errors == [], phone.errors
    leaked = [url for url in phone.urls if PII.search(url.split("#", 1)[-1])]
    assert leaked == [], f"personal data in a page URL: {leaked}"
