"""Staff sign-in (argon2id, throttled) and provider API keys (stored hashed, revocable)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from selfservice.errors import NotFound, TooManyRequests, Unauthorized
from selfservice.staff.models import Department, ProviderKey, StaffUser
from selfservice.staff.passwords import hash_password, needs_rehash, verify_password
from selfservice.store import SharedStore, key

MAX_FAILED_LOGINS = 5
LOGIN_LOCK_SECONDS = 900
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


async def login(*, store: SharedStore, username: str, password: str) -> StaffUser:
    """Check a staff password; five failures for one username lock it for 15 minutes."""
    fail_key = key("staff", "login-fail", hashlib.sha256(username.encode()).hexdigest()[:32])
    failures = await store.get(fail_key)
    if failures is not None and int(failures) >= MAX_FAILED_LOGINS:
        raise LoginLocked()
    user = await StaffUser.get_or_none(username=username, active=True)
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok:
        await store.incr(fail_key, ttl=LOGIN_LOCK_SECONDS)
        raise BadCredentials()
    await store.delete(fail_key)
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
