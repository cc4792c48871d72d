"""Typed settings, read once from the environment; secrets wrapped so they never print."""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from selfservice.errors import ConfigError

JURISDICTIONS = ("kunming", "yuxi")
WECHAT_MODES = ("plain", "compat", "safe")
ENVIRONMENTS = ("dev", "test", "prod")


class Secret:
    """A string that shows as stars in repr/str, so it cannot leak into logs by accident."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


DEV_KEY_NAMES = ("SECRET_KEY", "DATA_KEY", "REPORT_SEAL_KEY")
DEV_KEYS_FILE = "dev-keys.json"


def _random_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def dev_keys_path(env: Mapping[str, str], database_url: str) -> Path:
    """Where this installation keeps its dev keys: beside the SQLite file, else under ``data/``."""
    if env.get("DEV_KEYS_FILE"):
        return Path(env["DEV_KEYS_FILE"])
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        return Path(database_url.removeprefix("sqlite://")).parent / DEV_KEYS_FILE
    return Path("data") / DEV_KEYS_FILE


def _read_dev_keys(path: Path) -> dict[str, str]:
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"{path} holds keys: it must be readable only by its owner (chmod 600)")
    try:
        keys = json.loads(path.read_text())
    except ValueError:
        raise ConfigError(f"{path} is not a dev key file; remove it to make new keys") from None
    if not isinstance(keys, dict) or any(not keys.get(name) for name in DEV_KEY_NAMES):
        raise ConfigError(f"{path} is not a dev key file; remove it to make new keys")
    return keys


def load_dev_keys(path: Path) -> dict[str, str]:
    """This installation's dev keys: made once at random into an owner-only (0600) file."""
    try:
        return _read_dev_keys(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({name: _random_key() for name in DEV_KEY_NAMES}, out)
    try:
        os.link(tmp, path)  # atomic: when two processes start at once, the first file wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _read_dev_keys(path)


def _decode_key(name: str, raw: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        raise ConfigError(f"{name} must be base64 of 32 random bytes") from None
    if len(key) != 32:
        raise ConfigError(f"{name} must decode to 32 bytes, got {len(key)}")
    return key


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        value = int(env.get(name, "") or default)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number") from None
    if value < 1:
        raise ConfigError(f"{name} must be positive")
    return value


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0")


def _proxies_count(env: Mapping[str, str]) -> int | None:
    """How many reverse proxies append to X-Forwarded-For (unset: the header is not trusted)."""
    raw = env.get("PROXIES_COUNT", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 10:
        raise ConfigError("PROXIES_COUNT must be a whole number from 0 to 10")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    env: str = "dev"
    database_url: str = "sqlite://data/selfservice.sqlite3"
    redis_url: str | None = None
    secret_key: Secret = field(default_factory=lambda: Secret(_random_key()))
    data_key: bytes = field(default=b"", repr=False)
    report_seal_key: bytes = field(default=b"", repr=False)
    jurisdiction: str = "kunming"
    upload_dir: Path = Path("data/uploads")
    wechat_token: Secret = field(default_factory=lambda: Secret(""))
    wechat_appid: str = ""
    wechat_aes_key: Secret = field(default_factory=lambda: Secret(""))
    wechat_aes_key_previous: Secret = field(default_factory=lambda: Secret(""))
    wechat_appsecret: Secret = field(default_factory=lambda: Secret(""))
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_max_skew: int = 300
    wechat_mode: str = ""
    """``plain`` | ``compat`` | ``safe``; empty: safe when an AES key is set, else plain."""
    miniprogram_appid: str = ""
    miniprogram_secret: Secret = field(default_factory=lambda: Secret(""))
    sms_gateway_url: str = ""
    sms_gateway_token: Secret = field(default_factory=lambda: Secret(""))
    public_base_url: str = ""
    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_files: int = 9
    upload_quota_files: int = 200
    upload_quota_bytes: int = 500 * 1024 * 1024
    proxies_count: int | None = None
    real_ip_header: str | None = None
    forwarded_secret: Secret = field(default_factory=lambda: Secret(""))
    background_worker: bool = True
    wechat_notify_template: str = ""
    dev_keys: bool = False
    """A key came from the local dev key file: ``serve`` then stays on loopback with SQLite."""

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``environ``; raise ConfigError naming the variable that is wrong."""
    env = os.environ if environ is None else environ
    mode = env.get("SELFSERVICE_ENV", "dev").strip().lower()
    if mode not in ENVIRONMENTS:
        raise ConfigError(f"SELFSERVICE_ENV must be one of {', '.join(ENVIRONMENTS)}, got {mode!r}")

    database_url = env.get("DATABASE_URL", "sqlite://data/selfservice.sqlite3")
    if not database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
        raise ConfigError("DATABASE_URL must start with sqlite:// or postgres://")
    dev_keys: dict[str, str] = {}

    def secret(name: str, *, min_len: int = 0) -> str:
        value = env.get(name, "")
        if not value:
            if mode != "dev":
                raise ConfigError(f"{name} is required when SELFSERVICE_ENV={mode}")
            if not dev_keys:
                dev_keys.update(load_dev_keys(dev_keys_path(env, database_url)))
            return dev_keys[name]
        if len(value) < min_len:
            raise ConfigError(f"{name} must be at least {min_len} characters")
        return value

    jurisdiction = env.get("JURISDICTION", "kunming").strip().lower()
    if jurisdiction not in JURISDICTIONS:
        raise ConfigError(f"JURISDICTION must be one of {', '.join(JURISDICTIONS)}")
    aes_key = env.get("WECHAT_AES_KEY", "")
    aes_prev = env.get("WECHAT_AES_KEY_PREVIOUS", "")
    for name, value in (("WECHAT_AES_KEY", aes_key), ("WECHAT_AES_KEY_PREVIOUS", aes_prev)):
        if value and len(value) != 43:
            raise ConfigError(f"{name} must be exactly 43 characters")
    try:
        max_skew = int(env.get("WECHAT_MAX_SKEW", "300"))
    except ValueError:
        raise ConfigError("WECHAT_MAX_SKEW must be a whole number of seconds") from None
    if not 1 <= max_skew <= 3600:
        raise ConfigError("WECHAT_MAX_SKEW must be between 1 and 3600 seconds")
    wechat_mode = env.get("WECHAT_MODE", "").strip().lower()
    if wechat_mode and wechat_mode not in WECHAT_MODES:
        raise ConfigError(f"WECHAT_MODE must be one of {', '.join(WECHAT_MODES)}")
    if wechat_mode in ("compat", "safe") and not aes_key:
        raise ConfigError(f"WECHAT_MODE={wechat_mode} needs WECHAT_AES_KEY")
    redis_url = env.get("REDIS_URL") or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("REDIS_URL must start with redis://, rediss:// or unix://")
    secret_key = Secret(secret("SECRET_KEY", min_len=32))
    data_key = _decode_key("DATA_KEY", secret("DATA_KEY"))
    report_seal_key = _decode_key("REPORT_SEAL_KEY", secret("REPORT_SEAL_KEY"))
    return Settings(
        env=mode,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=secret_key,
        data_key=data_key,
        report_seal_key=report_seal_key,
        jurisdiction=jurisdiction,
        upload_dir=Path(env.get("UPLOAD_DIR", "data/uploads")),
        wechat_token=Secret(env.get("WECHAT_TOKEN", "")),
        wechat_appid=env.get("WECHAT_APPID", ""),
        wechat_aes_key=Secret(aes_key),
        wechat_aes_key_previous=Secret(aes_prev),
        wechat_appsecret=Secret(env.get("WECHAT_APPSECRET", "")),
        wechat_api_base=env.get("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/"),
        wechat_max_skew=max_skew,
        wechat_mode=wechat_mode,
        miniprogram_appid=env.get("MINIPROGRAM_APPID", ""),
        miniprogram_secret=Secret(env.get("MINIPROGRAM_SECRET", "")),
        sms_gateway_url=env.get("SMS_GATEWAY_URL", ""),
        sms_gateway_token=Secret(env.get("SMS_GATEWAY_TOKEN", "")),
        public_base_url=env.get("PUBLIC_BASE_URL", "").strip().rstrip("/"),
        upload_max_bytes=_positive_int(env, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        upload_max_files=_positive_int(env, "UPLOAD_MAX_FILES", 9),
        upload_quota_files=_positive_int(env, "UPLOAD_QUOTA_FILES", 200),
        upload_quota_bytes=_positive_int(env, "UPLOAD_QUOTA_BYTES", 500 * 1024 * 1024),
        proxies_count=_proxies_count(env),
        real_ip_header=env.get("REAL_IP_HEADER", "").strip().lower() or None,
        forwarded_secret=Secret(env.get("FORWARDED_SECRET", "")),
        background_worker=_flag(env, "BACKGROUND_WORKER", default=True),
        wechat_notify_template=env.get("WECHAT_NOTIFY_TEMPLATE", ""),
        dev_keys=bool(dev_keys),
    )


@lru_cache(maxsize=1)
def _from_environment() -> Settings:
    return load_settings()


_installed: list[Settings] = []


def install_settings(settings: Settings) -> None:
    """Make an app's settings the ones domain helpers read (``create_app`` calls this)."""
    _installed[:] = [settings]


def get_settings() -> Settings:
    """The settings the running app was built with, else the environment's (read once)."""
    return _installed[0] if _installed else _from_environment()
