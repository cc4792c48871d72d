"""Settings: typed, read once, secrets wrapped, clear errors for missing or malformed values."""

import pytest

from selfservice.errors import ConfigError
from selfservice.settings import Secret, load_settings

GOOD = {
    "SELFSERVICE_ENV": "prod",
    "SECRET_KEY": "s" * 40,
    "DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "REPORT_SEAL_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
}


def test_dev_runs_with_no_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.env == "dev" and settings.dev_keys
    assert settings.database_url == "sqlite://data/selfservice.sqlite3"
    assert (tmp_path / "data" / "dev-keys.json").stat().st_mode & 0o777 == 0o600
    assert settings.redis_url is None
    assert len(settings.data_key) == 32
    assert settings.data_key != settings.report_seal_key


def test_prod_with_all_secrets():
    settings = load_settings(
        GOOD | {"JURISDICTION": "Yuxi", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    )
    assert settings.jurisdiction == "yuxi"
    assert settings.data_key == b"0123456789abcdef0123456789abcdef"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATA_KEY", "REPORT_SEAL_KEY"])
def test_missing_secret_outside_dev_names_the_variable(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(env)


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("DATA_KEY", "not base64 !!", "DATA_KEY"),
        ("DATA_KEY", "c2hvcnQ=", "32 bytes"),
        ("SECRET_KEY", "short", "at least 32"),
        ("JURISDICTION", "beijing", "JURISDICTION"),
        ("SELFSERVICE_ENV", "staging", "SELFSERVICE_ENV"),
        ("WECHAT_AES_KEY", "tooshort", "43"),
        ("WECHAT_MAX_SKEW", "five", "WECHAT_MAX_SKEW"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("REDIS_URL", "http://x", "REDIS_URL"),
    ],
)
def test_malformed_values_are_refused(name, value, match):
    with pytest.raises(ConfigError, match=match):
        load_settings(GOOD | {name: value})


def test_secrets_never_print():
    settings = load_settings(GOOD)
    assert "s" * 40 not in repr(settings)
    assert "s" * 40 not in str(settings.secret_key)
    assert settings.secret_key.reveal() == "s" * 40
    assert repr(Secret("x")) == "Secret('**********')"
    assert "0123456789abcdef" not in repr(settings)


def test_cli_reports_config_error_without_traceback(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in GOOD} | {"SELFSERVICE_ENV": "prod"}
    proc = subprocess.run(
        [sys.executable, "-m", "selfservice", "migrate"],
        env=env | {"DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "SECRET_KEY is required" in proc.stderr
    assert "Traceback" not in proc.stderr
