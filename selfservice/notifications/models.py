"""Outbox rows written with each status change, and the in-app notification list."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxMessage(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16, description="inapp or wechat")
    subject_id = fields.IntField(null=True)
    staff_id = fields.IntField(null=True)
    department_id = fields.IntField(null=True)
    openid = fields.CharField(max_length=64, null=True)
    template = fields.CharField(max_length=40)
    title = fields.CharField(max_length=100)
    body = fields.TextField(default="")
    data = fields.JSONField(default=dict)
    receipt = fields.CharField(max_length=20, default="")
    send_key = fields.CharField(max_length=120, unique=True)
    status = fields.CharField(max_length=12, default="pending")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_owner = fields.CharField(max_length=64, default="")
    lease_until = fields.DatetimeField(null=True)
    send_started_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)


class Notification(Model):
    """What a subject, staff member or department sees in its in-app list."""

    id = fields.IntField(primary_key=True)
    subject_id = fields.IntField(null=True, db_index=True)
    staff_id = fields.IntField(null=True, db_index=True)
    department_id = fields.IntField(null=True, db_index=True)
    template = fields.CharField(max_length=40)
    title = fields.CharField(max_length=100)
    body = fields.TextField(default="")
    receipt = fields.CharField(max_length=20, default="")
    send_key = fields.CharField(max_length=120, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        ordering = ["-id"]
