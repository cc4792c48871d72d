"""Cases, their recorded transitions and attachments, receipt counters and idempotency keys."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Case(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=12, description="a registered case kind")
    receipt = fields.CharField(max_length=20, unique=True)
    status = fields.CharField(max_length=32)
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="cases", null=True, on_delete=fields.RESTRICT
    )
    account_id = fields.IntField(null=True)
    record = fields.ForeignKeyField(
        "models.CreditRecord", related_name="cases", null=True, on_delete=fields.RESTRICT
    )
    department = fields.ForeignKeyField(
        "models.Department", related_name="cases", on_delete=fields.RESTRICT
    )
    assignee = fields.ForeignKeyField(
        "models.StaffUser", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=200, default="")
    data = fields.JSONField(default=dict)
    filed_on = fields.DateField()
    step = fields.CharField(max_length=32, default="", description="step whose clock runs")
    step_started = fields.DateField(null=True)
    step_due = fields.DateField(null=True)
    due = fields.DateField(null=True, description="final deadline of the case")
    due_estimated = fields.BooleanField(default=False)
    extended_days = fields.IntField(default=0)
    reminded_for = fields.CharField(max_length=48, default="")
    escalated_for = fields.CharField(max_length=48, default="")
    closed_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "case_file"
        indexes = (("kind", "status"), ("department_id", "status"), ("subject_id", "id"))


class CaseTransition(Model):
    """One recorded step of a case (who, when, why, with which attachments), never updated."""

    id = fields.IntField(primary_key=True)
    case = fields.ForeignKeyField(
        "models.Case", related_name="transitions", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField(auto_now_add=True)
    on = fields.DateField()
    actor_kind = fields.CharField(max_length=12)
    actor_id = fields.CharField(max_length=40, default="")
    actor_role = fields.CharField(max_length=24, default="")
    actor_department_id = fields.IntField(null=True)
    action = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=32, default="")
    to_status = fields.CharField(max_length=32)
    reason = fields.TextField(default="")
    data = fields.JSONField(default=dict)
    attachments = fields.JSONField(default=list)

    class Meta:
        table = "case_transition"
        ordering = ["at", "id"]


class CaseEvidence(Model):
    id = fields.IntField(primary_key=True)
    case = fields.ForeignKeyField("models.Case", related_name="evidence", on_delete=fields.CASCADE)
    evidence = fields.ForeignKeyField(
        "models.Evidence", related_name="cases", on_delete=fields.RESTRICT
    )
    added_at = fields.DatetimeField(auto_now_add=True)
    added_by = fields.CharField(max_length=40, default="")

    class Meta:
        table = "case_evidence"
        unique_together = (("case", "evidence"),)


class ReceiptCounter(Model):
    """The last sequence number used per prefix and day, bumped with one atomic upsert."""

    key = fields.CharField(max_length=16, primary_key=True)
    seq = fields.IntField(default=0)

    class Meta:
        table = "receipt_counter"


class IdempotencyKey(Model):
    id = fields.IntField(primary_key=True)
    scope = fields.CharField(max_length=64)
    key = fields.CharField(max_length=128)
    fingerprint = fields.CharField(max_length=64)
    case = fields.ForeignKeyField(
        "models.Case", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_key"
        unique_together = (("scope", "key"),)
