"""Account kinds, agent-authorisation states and the scopes an agent may be granted."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    MINIPROGRAM = "miniprogram"
    OFFICIAL_ACCOUNT = "official_account"
    PHONE = "phone"


class AgentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


class Assurance:
    """Assurance levels carried in tokens (``acr``)."""

    ANONYMOUS = 0
    SIGNED_IN = 1
    VERIFIED = 2


# What an agent (经办人) may do for the enterprise; a verified subject holds ``all``.
AGENT_SCOPES = ("records:read", "objection", "repair", "pledge", "progress")
ALL_SCOPES = "all"
