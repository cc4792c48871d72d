"""Refresh tokens: stored hashed, rotated on use, revoked per family when a rotated one returns."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class RefreshToken(Model):
    id = fields.IntField(primary_key=True)
    family = fields.CharField(max_length=32, db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    account = fields.ForeignKeyField(
        "models.Account", related_name="refresh_tokens", null=True, on_delete=fields.CASCADE
    )
    staff = fields.ForeignKeyField(
        "models.StaffUser", related_name="refresh_tokens", null=True, on_delete=fields.CASCADE
    )
    authorisation_id = fields.IntField(null=True, description="agent authorisation acted under")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refresh_token"


class RevokedToken(Model):
    """An access token ended before its expiry (sign-out), kept until it would have expired."""

    jti = fields.CharField(max_length=64, primary_key=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "revoked_token"


class SecurityLock(Model):
    """A lockout (staff sign-in, one-time codes): the database copy a store flush cannot lift."""

    id = fields.IntField(primary_key=True)
    scope = fields.CharField(max_length=16)
    target = fields.CharField(max_length=64, description="keyed hash of what is locked")
    locked_until = fields.DatetimeField()

    class Meta:
        table = "security_lock"
        unique_together = (("scope", "target"),)
