"""Signed access tokens (pyjwt, HS256 pinned; exp/iat/aud/iss always checked)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import jwt

from selfservice.errors import Unauthorized
from selfservice.settings import Settings

ALGORITHM = "HS256"
ISSUER = "xinyong-selfservice"
AUDIENCE = "xinyong-selfservice-api"
ACCESS_TTL = 15 * 60


class InvalidToken(Unauthorized):
    code = "invalid_token"
    message_zh, message_en = "登录已失效，请重新登录", "Invalid or expired token"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an account (maybe verified as a subject), a staff member or a provider."""

    kind: str  # subject | staff | provider
    account_id: int | None = None
    subject_id: int | None = None
    staff_id: int | None = None
    roles: tuple[str, ...] = ()
    department_id: int | None = None
    assurance: int = 0
    token_id: str = ""
    scopes: tuple[str, ...] = field(default_factory=tuple)
    family: str = ""
    authorisation_id: int | None = None
    expires_at: int = 0

    def has_scope(self, scope: str) -> bool:
        return (
            "all" in self.scopes or scope in self.scopes
        )  # checks go through agents.require_scope


def issue_access_token(*, settings: Settings, principal: Principal, ttl: int = ACCESS_TTL) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "knd": principal.kind,
        "acc": principal.account_id,
        "sub": str(principal.subject_id or principal.staff_id or principal.account_id or ""),
        "sid": principal.subject_id,
        "stf": principal.staff_id,
        "rol": list(principal.roles),
        "dep": principal.department_id,
        "acr": principal.assurance,
        "scp": list(principal.scopes),
        "fam": principal.family or None,
        "agt": principal.authorisation_id,
    }
    return jwt.encode(claims, settings.secret_key.reveal(), algorithm=ALGORITHM)


def verify_access_token(*, settings: Settings, token: str) -> Principal:
    """Decode and check a token; any defect is the same 401 so nothing is learned from it."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.reveal(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "aud", "iss", "jti"]},
        )
    except jwt.PyJWTError:
        raise InvalidToken() from None
    if claims.get("typ") != "access" or claims.get("knd") not in ("subject", "staff", "provider"):
        raise InvalidToken()
    return Principal(
        kind=claims["knd"],
        account_id=claims.get("acc"),
        subject_id=claims.get("sid"),
        staff_id=claims.get("stf"),
        roles=tuple(claims.get("rol") or ()),
        department_id=claims.get("dep"),
        assurance=int(claims.get("acr") or 0),
        token_id=claims["jti"],
        scopes=tuple(claims.get("scp") or ()),
        family=claims.get("fam") or "",
        authorisation_id=claims.get("agt"),
        expires_at=int(claims["exp"]),
    )
