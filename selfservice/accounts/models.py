"""Accounts (one per openid or phone) and agent authorisations approved by staff."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from selfservice.accounts.enums import AccountKind, AgentStatus


class Account(Model):
    """A signed-in user, bound to a subject once identity verification succeeds."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(AccountKind, max_length=20)
    openid = fields.CharField(max_length=64, null=True, unique=True)
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    phone_enc = fields.TextField(null=True)
    phone_index = fields.CharField(max_length=64, null=True, unique=True)
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="accounts", null=True, on_delete=fields.SET_NULL
    )
    person_index = fields.CharField(
        max_length=64, null=True, description="blind index of the verified person ID number"
    )
    person_name = fields.CharField(max_length=100, null=True)
    assurance = fields.SmallIntField(default=1)
    verified_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account"


class AgentAuthorisation(Model):
    """An agent (经办人) acting for an enterprise: scoped, expiring, approved by staff."""

    id = fields.IntField(primary_key=True)
    account = fields.ForeignKeyField(
        "models.Account", related_name="agent_authorisations", on_delete=fields.CASCADE
    )
    enterprise = fields.ForeignKeyField(
        "models.Subject", related_name="agent_authorisations", on_delete=fields.RESTRICT
    )
    agent_name = fields.CharField(max_length=100)
    agent_person_index = fields.CharField(max_length=64)
    requested_scopes = fields.JSONField(default=list)
    granted_scopes = fields.JSONField(default=list)
    letter_path = fields.CharField(max_length=300)
    letter_sha256 = fields.CharField(max_length=64)
    letter_content_type = fields.CharField(max_length=60)
    status = fields.CharEnumField(AgentStatus, max_length=12, default=AgentStatus.PENDING)
    requested_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.ForeignKeyField(
        "models.StaffUser", related_name="agent_decisions", null=True, on_delete=fields.SET_NULL
    )
    reason = fields.TextField(default="")
    valid_until = fields.DatetimeField(null=True)

    class Meta:
        table = "agent_authorisation"
