"""Staff sign-in (argon2id, throttled) and provider API keys (stored hashed, revocable)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from selfservice.auth import lockout
from selfservice.errors import NotFound, TooManyRequests, Unauthorized
from selfservice.settings import Settings
from selfservice.staff.models import Department, ProviderKey, StaffUser
from selfservice.staff.passwords import hash_password, needs_rehash, verify_password
from selfservice.store import SharedStore

MAX_FAILED_LOGINS = 5
LOGIN_LOCK_SECONDS = 900
MAX_SOURCE_FAILURES = 20
"""Failed sign-ins per client address and window, counted before any account is touched."""
LOCK_SCOPE = "staff-login"
KEY_PREFIX = "xyk_"
# Checked when the username is unknown so both paths cost one argon2 verification.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


class BadCredentials(Unauthorized):
    code = "bad_credentials"
    message_zh, message_en = "用户名或密码错误", "Wrong username or password"


class LoginLocked(TooManyRequests):
    code = "login_locked"
    message_zh, message_en = "登录失败次数过多，请15分钟后再试", "Too many failed logins"


class InvalidApiKey(Unauthorized):
    code = "invalid_api_key"
    message_zh, message_en = "接口密钥无效或已吊销", "Invalid or revoked API key"


@dataclass(frozen=True)
class NewKey:
    key: ProviderKey
    secret: str


def _keyed(settings: Settings, *parts: str) -> str:
    secret = settings.secret_key.reveal().encode()
    return hmac.new(secret, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def device_token(*, settings: Settings, username: str) -> str:
    """A token naming a device the staff member signed in from (kept by the console)."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_keyed(settings, 'staff-device', username, nonce)}"


def _device_target(settings: Settings, username: str, token: str) -> str | None:
    nonce, _, sig = token.partition(".")
    if not nonce or not hmac.compare_digest(sig, _keyed(settings, "staff-device", username, nonce)):
        return None
    return "dev:" + _keyed(settings, "staff-device-lock", nonce)


async def login(
    *,
    store: SharedStore,
    settings: Settings,
    username: str,
    password: str,
    source: str = "",
    device: str = "",
) -> StaffUser:
    """Check a staff password; five failures lock the account (or the known device) 15 minutes.

    Each attempt is counted before the password is checked, so a burst of parallel guesses is cut
    at the limit. Failures per client address are limited first. A sign-in from a device that
    signed in before (``device``, see ``device_token``) has its own counter and is not held by
    the account's lock, so whoever knows a username cannot lock its owner out.
    """
    window = LOGIN_LOCK_SECONDS
    src = "src:" + _keyed(settings, "staff-login-src", source) if source else None
    if src:
        failures = await lockout.attempt(store=store, scope=LOCK_SCOPE, target=src, window=window)
        if failures > MAX_SOURCE_FAILURES:
            raise LoginLocked()
    target = (device and _device_target(settings, username, device)) or (
        "acct:" + _keyed(settings, "staff-login", username)
    )
    if await lockout.is_locked(scope=LOCK_SCOPE, target=target):
        raise LoginLocked()
    tries = await lockout.attempt(store=store, scope=LOCK_SCOPE, target=target, window=window)
    if tries > MAX_FAILED_LOGINS:
        raise LoginLocked()
    user = await StaffUser.get_or_none(username=username, active=True)
    stored = user.password_hash if user else _DUMMY_HASH
    if user is None or not await asyncio.to_thread(verify_password, stored, password):
        if tries >= MAX_FAILED_LOGINS:
            await lockout.lock(scope=LOCK_SCOPE, target=target, seconds=window)
        raise BadCredentials()
    await lockout.forget(store=store, scope=LOCK_SCOPE, target=target)
    if src:
        await lockout.refund(store=store, scope=LOCK_SCOPE, target=src)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await user.save(update_fields=["password_hash"])
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_provider_key(
    *, department: Department, name: str, created_by: StaffUser | None
) -> NewKey:
    """Mint a key; the secret is returned once and only its digest is stored."""
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = await ProviderKey.create(
        department=department,
        name=name,
        prefix=prefix,
        key_hash=_digest(secret),
        created_by=created_by,
    )
    return NewKey(row, secret)


async def revoke_provider_key(*, key_id: int, department_ids: set[int]) -> ProviderKey:
    """Revoke a key of a department in scope; other departments' keys are NotFound."""
    row = await ProviderKey.get_or_none(id=key_id, department_id__in=department_ids)
    if row is None:
        raise NotFound()
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await row.save(update_fields=["revoked_at"])
    return row


async def authenticate_provider(*, api_key: str) -> ProviderKey:
    """The live key matching ``api_key`` (constant-time compare) or InvalidApiKey."""
    body = api_key.strip()
    if not body.startswith(KEY_PREFIX) or body.count("_") < 2:
        raise InvalidApiKey()
    prefix = body[len(KEY_PREFIX) :].split("_", 1)[0]
    row = await ProviderKey.get_or_none(prefix=prefix, revoked_at__isnull=True)
    if row is None or not hmac.compare_digest(row.key_hash, _digest(body)):
        raise InvalidApiKey()
    row.last_used_at = datetime.now(UTC)
    await row.save(update_fields=["last_used_at"])
    return row
