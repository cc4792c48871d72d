"""The README's quick start, followed literally in a fresh clone on a non-default port.

The clone gets its own ``.venv`` whose site-packages reach this environment's (so the install step
of ``dev.sh`` finds every dependency present and only installs the clone itself); every command the
README gives then runs unchanged, except the port. Bounded in time; the server is always stopped.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest

from selfservice.demo import data

ROOT = Path(__file__).resolve().parents[2]
APP_VARIABLES = (
    "SELFSERVICE_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "JURISDICTION",
    "PUBLIC_BASE_URL",
    "BACKGROUND_WORKER",
    "UPLOAD_DIR",
    "SMS_GATEWAY_URL",
    "VIRTUAL_ENV",
    "PORT",
)
START_TIMEOUT = 300.0
NOTIFY_TIMEOUT = 30.0


def _blocks(section: str) -> list[str]:
    """The fenced code blocks of a README section (``## <section>``)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.*?)```", body, re.S)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http(method: str, url: str, body: dict | None = None, token: str = "") -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=payload, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as resp:  # noqa: S310 (local server)
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _reuse_this_environment(clone: Path) -> None:
    """A venv for the clone that sees this environment's installed packages (not its code)."""
    venv = clone / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = venv / "lib" / version / "site-packages"
    (site / "zz_reuse_parent_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")


def _wait_healthy(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dev.sh exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if _http("GET", base + "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"no /healthz within {START_TIMEOUT:.0f} s:\n{log.read_text()[-4000:]}")


@pytest.fixture
def quickstart(tmp_path):
    """Clone, run the quick start's first command on a free port; yield (base, clone, env, log)."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    _reuse_this_environment(clone)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES and k != "PYTHONPATH"}
    env |= {"PORT": str(port), "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8"}
    first = _blocks("Quick start")[0].splitlines()
    command = next(line.split("#")[0].strip() for line in first if "dev.sh" in line)
    assert command == "./scripts/dev.sh"
    log = tmp_path / "dev.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["bash", "-c", command],
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, server, log)
        yield base, clone, env, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_the_readme_quick_start_works_as_written(quickstart):
    base, clone, env, log = quickstart
    port = base.rsplit(":", 1)[1]

    # the second shell of the quick start, as written (only the port differs)
    second = _blocks("Quick start")[1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    shell = subprocess.run(
        ["bash", "-ec", second], cwd=clone, env=env, capture_output=True, text=True, timeout=120
    )
    assert shell.returncode == 0, shell.stderr
    assert '"status"' in shell.stdout and data.ENTERPRISES[0][2] in shell.stdout  # UTF-8 name
    assert "91530102MA6KQ1B2CK" not in shell.stdout  # /me masks identifiers

    # the demo printed what identity verification needs
    printed = log.read_text(encoding="utf-8")
    rep, rep_id = data.ENTERPRISES[0][4], data.resident_id(data.ENTERPRISES[0][5])
    assert f"legal representative {rep}, ID number {rep_id}" in printed
    citizen = data.CITIZENS[0]
    assert citizen[1] in printed and citizen[2] in printed

    # the API console loads nothing from outside
    status, page = _http("GET", base + "/docs")
    assert status == 200
    assets = re.findall(rb"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert assets and not [a for a in assets if b"://" in a or a.startswith(b"//")]
    for asset in assets:
        assert _http("GET", urljoin(base + "/docs", asset.decode()))[0] == 200

    # chat links answer, on the web chat (relative) and the mini-program (absolute, this port)
    status, body = _http("POST", base + "/api/v1/chat", {"text": "查询办理进度"})
    assert status == 200 and "进度".encode() in body and b"\\u" not in body  # UTF-8 JSON
    web_link = json.loads(body)["reply"]["links"][0]["url"]
    assert web_link.startswith("/#/")
    assert _http("GET", urljoin(base + "/", web_link))[0] == 200
    _, body = _http(
        "POST", base + "/api/v1/chat", {"text": "查询办理进度", "channel": "miniprogram"}
    )
    mini_link = json.loads(body)["reply"]["links"][0]["url"]
    assert mini_link.startswith(base + "/#/") and _http("GET", mini_link)[0] == 200
    status, body = _http("GET", base + "/api/v1/no-such-thing")
    assert status == 404 and "未找到".encode() in body

    # an objection produces a notification with no extra command
    issued = subprocess.run(
        [".venv/bin/selfservice", "issue-token", "--subject", "91530102MA6KQ1B2CK"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    token = issued.stdout.strip()
    status, body = _http("GET", base + "/api/v1/me/records", token=token)
    assert status == 200
    filed = None
    for item in json.loads(body)["items"]:
        claim = {"record_id": item["id"], "type": "content_wrong", "statement": "处罚金额写错了"}
        status, body = _http("POST", base + "/api/v1/objections", claim, token=token)
        if status == 201:
            filed = json.loads(body)
            break
    assert filed is not None, body
    deadline = time.monotonic() + NOTIFY_TIMEOUT
    items: list = []
    while time.monotonic() < deadline and not items:
        time.sleep(1)
        status, body = _http("GET", base + "/api/v1/notifications/", token=token)
        items = json.loads(body)["items"] if status == 200 else []
    assert items, "no notification after filing an objection"


def test_readme_and_docs_stay_inside_the_repository():
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert len(documents) >= 5
    for document in documents:
        text = document.read_text(encoding="utf-8")
        assert "../" not in text and "/work/" not in text, document.name
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if "://" not in target:
                assert (document.parent / target).exists(), f"{document.name} → {target}"
