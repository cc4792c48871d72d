"""An uploaded evidence file: who owns it, what it is, where the bytes are."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Evidence(Model):
    id = fields.UUIDField(primary_key=True)
    owner = fields.CharField(max_length=40, description="subject:ID or staff:ID")
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="evidence", null=True, on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=8, description="jpeg png heic pdf")
    media_type = fields.CharField(max_length=40)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=120, unique=True)
    name = fields.CharField(max_length=120, default="", description="display name only")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evidence"
        unique_together = (("owner", "sha256"),)
