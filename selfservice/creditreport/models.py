"""Issued credit reports: a verification code confirms the content a subject was given."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CreditReport(Model):
    """One issued report, kept so its verification code can be confirmed later."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=24, unique=True, description="verification code")
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="credit_reports", on_delete=fields.RESTRICT
    )
    years = fields.SmallIntField()
    period_from = fields.DateField()
    period_to = fields.DateField()
    digest = fields.CharField(max_length=64, description="sha256 of the canonical report body")
    summary = fields.JSONField(default=dict)
    issued_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "credit_report"
