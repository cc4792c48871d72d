"""Dev keys: random per installation, kept owner-only, and never served beyond loopback + SQLite."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import threading

import pytest

from handlers.serve import check_keys
from selfservice.errors import ConfigError
from selfservice.settings import DEV_KEY_NAMES, load_settings

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the address serve must refuse
PROD_KEYS = {
    "SECRET_KEY": "s" * 40,
    "DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "REPORT_SEAL_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
}


def _dev(tmp_path, name: str = "a", **extra: str):
    return load_settings({"DATABASE_URL": f"sqlite://{tmp_path}/{name}/db.sqlite3", **extra})


def _old_fixed_key(name: str) -> bytes:
    return hashlib.sha256(f"dev-only:{name}".encode()).digest()


def test_dev_keys_are_random_per_installation_and_stable_within_one(tmp_path):
    first, again, other = _dev(tmp_path), _dev(tmp_path), _dev(tmp_path, "b")
    assert first.dev_keys and other.dev_keys
    assert (first.secret_key, first.data_key) == (again.secret_key, again.data_key)
    assert first.secret_key != other.secret_key and first.data_key != other.data_key
    assert len({first.data_key, first.report_seal_key, first.secret_key.reveal().encode()}) == 3
    for settings in (first, other):
        assert settings.data_key != _old_fixed_key("DATA_KEY")
        assert settings.report_seal_key != _old_fixed_key("REPORT_SEAL_KEY")
        assert base64.urlsafe_b64decode(settings.secret_key.reveal()) != _old_fixed_key(
            "SECRET_KEY"
        )


def test_the_key_file_is_owner_only_and_holds_the_three_keys(tmp_path):
    _dev(tmp_path)
    path = tmp_path / "a" / "dev-keys.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(path.read_text())) == set(DEV_KEY_NAMES)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".dev-keys")]


def test_a_key_file_others_can_read_is_refused(tmp_path):
    _dev(tmp_path)
    os.chmod(tmp_path / "a" / "dev-keys.json", 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        _dev(tmp_path)


def test_keys_set_in_the_environment_are_not_dev_keys(tmp_path):
    settings = _dev(tmp_path, **PROD_KEYS)
    assert not settings.dev_keys
    assert not (tmp_path / "a" / "dev-keys.json").exists()


def test_processes_starting_at_once_agree_on_one_key_file(tmp_path):
    seen: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: seen.append(_dev(tmp_path).data_key)) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and len(set(seen)) == 1


@pytest.mark.parametrize(
    ("host", "database", "allowed"),
    [
        ("127.0.0.1", "sqlite://x.sqlite3", True),
        ("localhost", "sqlite://x.sqlite3", True),
        ("::1", "sqlite://x.sqlite3", True),
        (ALL_INTERFACES, "sqlite://x.sqlite3", False),
        ("192.168.1.10", "sqlite://x.sqlite3", False),
        ("127.0.0.1", "postgres://u@127.0.0.1/x", False),
    ],
)
def test_serve_on_dev_keys_only_on_loopback_with_sqlite(tmp_path, host, database, allowed):
    settings = load_settings({"DATABASE_URL": database, "DEV_KEYS_FILE": f"{tmp_path}/k.json"})
    assert settings.dev_keys
    if allowed:
        check_keys(settings, host)
    else:
        with pytest.raises(ConfigError, match="SECRET_KEY, DATA_KEY, REPORT_SEAL_KEY"):
            check_keys(settings, host)
    check_keys(load_settings({"DATABASE_URL": database} | PROD_KEYS), host)


def test_serve_command_refuses_dev_keys_on_a_public_address(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PROD_KEYS and k != "SELFSERVICE_ENV"}
    proc = subprocess.run(
        [sys.executable, "-m", "selfservice", "serve", "--host", ALL_INTERFACES, "--port", "1"],
        env=env | {"DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "SECRET_KEY" in proc.stderr and "DATA_KEY" in proc.stderr
    assert "Traceback" not in proc.stderr
