"""OpenAPI fragments shared by the identity and staff blueprints."""

from __future__ import annotations

ERROR = {"error": {"code": str, "message": str}}
ERROR_JSON = {"application/json": ERROR}

TOKEN_PAIR = {
    "access_token": str,
    "token_type": str,
    "expires_in": int,
    "refresh_token": str,
    "refresh_expires_in": int,
    "account_id": int,
    "subject_id": int,
    "assurance": int,
    "roles": [str],
    "scopes": [str],
}

AGENT_AUTHORISATION = {
    "id": int,
    "enterprise_id": int,
    "status": str,
    "requested_scopes": [str],
    "granted_scopes": [str],
    "valid_until": str,
    "requested_at": str,
    "reason": str,
    "letter_sha256": str,
}


def error(codes: str) -> dict:
    """The error body, documented with the codes a route may answer with."""
    return {"application/json": ERROR}, codes
