"""AuditLog: append-only; each entry carries the hash of the previous one."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from selfservice.enums import ActorKind


class AuditLog(Model):
    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField()
    actor_kind = fields.CharEnumField(ActorKind, max_length=12)
    actor_id = fields.CharField(max_length=64, default="")
    actor_role = fields.CharField(max_length=24, default="")
    actor_department = fields.CharField(max_length=100, default="")
    action = fields.CharField(max_length=64)
    target = fields.CharField(max_length=100, default="")
    subject_id = fields.IntField(null=True, db_index=True, description="whose data was touched")
    purpose = fields.TextField(default="")
    data = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64, unique=True)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_log"
        ordering = ["id"]

    async def save(self, *args, **kwargs) -> None:
        if self._saved_in_db:
            raise PermissionError("audit log entries are append-only")
        await super().save(*args, **kwargs)

    async def delete(self, *args, **kwargs) -> None:
        raise PermissionError("audit log entries are append-only")
