"""Access tokens: pinned algorithm, checked claims; ``alg: none``, forged and stale tokens refused."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from selfservice.auth.tokens import (
    ALGORITHM,
    AUDIENCE,
    ISSUER,
    InvalidToken,
    Principal,
    issue_access_token,
    verify_access_token,
)

SUBJECT = Principal(kind="subject", account_id=7, subject_id=3, assurance=2, scopes=("all",))


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**over) -> dict:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "jti": "j1",
        "typ": "access",
        "knd": "subject",
        "acc": 7,
        "sid": 3,
        "scp": ["all"],
    }
    return base | over


def test_round_trip_carries_account_subject_assurance_roles(settings):
    token = issue_access_token(settings=settings, principal=SUBJECT)
    principal = verify_access_token(settings=settings, token=token)
    assert (principal.account_id, principal.subject_id, principal.assurance) == (7, 3, 2)
    assert principal.has_scope("records:read")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == ALGORITHM == "HS256"


def test_alg_none_is_rejected(settings):
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}."
    with pytest.raises(InvalidToken):
        verify_access_token(settings=settings, token=token)


def test_wrong_key_and_other_algorithms_are_rejected(settings):
    secret = settings.secret_key.reveal()
    forged = jwt.encode(_claims(), "x" * 40, algorithm="HS256")
    hs512 = jwt.encode(_claims(), secret, algorithm="HS512")
    for token in (forged, hs512):
        with pytest.raises(InvalidToken):
            verify_access_token(settings=settings, token=token)


@pytest.mark.parametrize(
    "over",
    [
        {"exp": int(time.time()) - 5},
        {"aud": "someone-else"},
        {"iss": "evil"},
        {"typ": "refresh"},
        {"knd": "root"},
    ],
)
def test_bad_claims_are_rejected(settings, over):
    token = jwt.encode(_claims(**over), settings.secret_key.reveal(), algorithm="HS256")
    with pytest.raises(InvalidToken):
        verify_access_token(settings=settings, token=token)


@pytest.mark.parametrize("missing", ["exp", "iat", "aud", "iss", "jti"])
def test_required_claims(settings, missing):
    claims = _claims()
    del claims[missing]
    token = jwt.encode(claims, settings.secret_key.reveal(), algorithm="HS256")
    with pytest.raises(InvalidToken):
        verify_access_token(settings=settings, token=token)


def test_tampered_payload_is_rejected(settings):
    token = issue_access_token(settings=settings, principal=SUBJECT)
    header, _, signature = token.split(".")
    elevated = _b64(_claims(sid=4))
    with pytest.raises(InvalidToken):
        verify_access_token(settings=settings, token=f"{header}.{elevated}.{signature}")
