"""Issue and check one-time codes; every counter lives in the shared store so it holds across workers."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from selfservice.auth import lockout
from selfservice.errors import TooManyRequests, ValidationFailed
from selfservice.notifications.sms import SmsGateway
from selfservice.settings import Settings
from selfservice.store import SharedStore, key

CODE_TTL = 300
MAX_WRONG = 5
MAX_WRONG_PER_SOURCE = 30
LOCK_SECONDS = 900
LOCK_SCOPE = "otp"
DAY = 86_400


@dataclass(frozen=True)
class Limit:
    per_window: int
    window: int
    per_day: int


# Per dimension: the IP limit is looser because many users share a carrier NAT address.
LIMITS: dict[str, Limit] = {
    "phone": Limit(per_window=1, window=60, per_day=10),
    "openid": Limit(per_window=1, window=60, per_day=10),
    "ip": Limit(per_window=5, window=60, per_day=50),
}


class InvalidCode(ValidationFailed):
    code = "otp_invalid"
    message_zh, message_en = "验证码错误或已失效", "The code is wrong or has expired"


class CodeLocked(TooManyRequests):
    code = "otp_locked"
    message_zh, message_en = (
        "验证码错误次数过多，请15分钟后再试",
        "Too many wrong codes, try again in 15 minutes",
    )


class OtpRateLimited(TooManyRequests):
    code = "otp_rate_limited"
    message_zh, message_en = "验证码发送过于频繁，请稍后再试", "Codes requested too often"


@dataclass(frozen=True)
class Issued:
    ttl: int
    resend_after: int


def _digest(settings: Settings, *parts: str) -> str:
    """Keyed hash, so neither codes nor phone numbers appear in the shared store."""
    secret = settings.secret_key.reveal().encode()
    return hmac.new(secret, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def target_id(settings: Settings, phone: str) -> str:
    return _digest(settings, "otp-target", phone)[:32]


async def _check_limits(
    store: SharedStore, settings: Settings, purpose: str, dimensions: dict[str, str | None]
) -> None:
    """The short window is per purpose (sign-in then verification is one normal flow); the
    daily cap counts every purpose."""
    for dim, value in dimensions.items():
        if not value:
            continue
        limit, ident = LIMITS[dim], _digest(settings, "otp-rl", dim, value)[:32]
        window_key = key("otp", "rl", dim, ident, "w", purpose)
        window = await store.incr(window_key, ttl=limit.window)
        if window > limit.per_window:
            raise OtpRateLimited(details={"retry_after": limit.window})
        day = await store.incr(key("otp", "rl", dim, ident, "d"), ttl=DAY)
        if day > limit.per_day:
            raise OtpRateLimited(details={"retry_after": DAY})


async def issue(
    *,
    store: SharedStore,
    settings: Settings,
    sms: SmsGateway,
    purpose: str,
    phone: str,
    openid: str | None = None,
    ip: str | None = None,
    ttl: int = CODE_TTL,
) -> Issued:
    """Send a fresh 6-digit code to ``phone`` for ``purpose``, replacing any earlier one."""
    target = target_id(settings, phone)
    if await _locked(store, purpose, target):
        raise CodeLocked()
    await _check_limits(store, settings, purpose, {"phone": phone, "openid": openid, "ip": ip})
    code = f"{secrets.randbelow(10**6):06d}"
    nonce = secrets.token_hex(8)
    record = {"h": _digest(settings, "otp-code", purpose, target, nonce, code), "n": nonce}
    await store.set(key("otp", "code", purpose, target), json.dumps(record), ttl=ttl)
    await lockout.forget(store=store, scope=LOCK_SCOPE, target=f"{purpose}:{target}")
    template = "otp_verify" if purpose.startswith("verify") else "otp_login"
    await sms.send(phone=phone, template=template, params={"code": code})
    return Issued(ttl=ttl, resend_after=LIMITS["phone"].window)


async def check(
    *,
    store: SharedStore,
    settings: Settings,
    purpose: str,
    phone: str,
    code: str,
    ip: str | None = None,
) -> None:
    """Consume the code (single use) or raise InvalidCode; five wrong tries lock the target.

    Every try is counted before the code is compared, so parallel guesses stop at the limit;
    wrong tries per client address are limited before any target's count is touched.
    """
    target = target_id(settings, phone)
    lock_target = f"{purpose}:{target}"
    code_key = key("otp", "code", purpose, target)
    source = "src:" + _digest(settings, "otp-check-src", ip)[:32] if ip else None
    if source:
        tries = await lockout.attempt(
            store=store, scope=LOCK_SCOPE, target=source, window=LOCK_SECONDS
        )
        if tries > MAX_WRONG_PER_SOURCE:
            raise OtpRateLimited(details={"retry_after": LOCK_SECONDS})
    if await _locked(store, purpose, target):
        raise CodeLocked()
    tries = await lockout.attempt(
        store=store, scope=LOCK_SCOPE, target=lock_target, window=LOCK_SECONDS
    )
    if tries > MAX_WRONG:
        raise CodeLocked()
    raw = await store.get(code_key)
    record = json.loads(raw) if raw else None
    given = "".join(code.split())
    if record is not None and hmac.compare_digest(
        record["h"], _digest(settings, "otp-code", purpose, target, record["n"], given)
    ):
        # set_if_absent makes consumption atomic across workers: a code is used exactly once
        if await store.set_if_absent(key("otp", "used", record["n"]), "1", ttl=CODE_TTL):
            await store.delete(code_key)
            await lockout.forget(store=store, scope=LOCK_SCOPE, target=lock_target)
            if source:
                await lockout.refund(store=store, scope=LOCK_SCOPE, target=source)
            return
        raise InvalidCode()
    if tries >= MAX_WRONG:
        await _lock(store, purpose, target)
        raise CodeLocked()
    raise InvalidCode()


async def _locked(store: SharedStore, purpose: str, target: str) -> bool:
    """Locked in the store, or in the database (which a store flush does not reach)."""
    if await store.get(key("otp", "lock", purpose, target)):
        return True
    return await lockout.is_locked(scope=LOCK_SCOPE, target=f"{purpose}:{target}")


async def _lock(store: SharedStore, purpose: str, target: str) -> None:
    """Lock the target in the store and in the database, and burn its code."""
    await lockout.lock(scope=LOCK_SCOPE, target=f"{purpose}:{target}", seconds=LOCK_SECONDS)
    await store.set(key("otp", "lock", purpose, target), "1", ttl=LOCK_SECONDS)
    await store.delete(key("otp", "code", purpose, target))
