"""A signed pledge (its frozen text, hash and signer) and the bar on simplified procedures."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Pledge(Model):
    """The signed pledge behind a ``pledge`` case, its text never changed once signed."""

    id = fields.IntField(primary_key=True)
    case = fields.OneToOneField("models.Case", related_name="pledge", on_delete=fields.RESTRICT)
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="pledges", on_delete=fields.RESTRICT
    )
    pledge_type = fields.CharField(max_length=24)
    template_version = fields.CharField(max_length=16)
    values = fields.JSONField(default=dict, description="the type's fields as filled in")
    text = fields.TextField()
    text_sha256 = fields.CharField(max_length=64)
    signer = fields.JSONField(default=dict, description="role, name, account and authorisation")
    public = fields.BooleanField(default=False)
    public_text = fields.TextField(default="", description="the text as the wall shows it")
    signed_on = fields.DateField()
    due_on = fields.DateField(null=True, description="容缺: materials due (working days)")
    valid_until = fields.DateField(null=True)
    breach_record = fields.ForeignKeyField(
        "models.CreditRecord", related_name="pledges", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pledge"
        indexes = (("public", "signed_on"), ("pledge_type", "due_on"))


class ProcedureBar(Model):
    """No simplified procedure (告知承诺, 容缺受理…) for the subject until its credit is repaired."""

    id = fields.IntField(primary_key=True)
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="procedure_bars", on_delete=fields.RESTRICT
    )
    pledge = fields.ForeignKeyField("models.Pledge", related_name="bars", on_delete=fields.RESTRICT)
    record = fields.ForeignKeyField(
        "models.CreditRecord", related_name="procedure_bars", null=True, on_delete=fields.SET_NULL
    )
    rule_id = fields.CharField(max_length=120)
    source = fields.CharField(max_length=300)
    started_on = fields.DateField()
    ends_on = fields.DateField(null=True, description="at the latest: the record's unpublish date")
    lifted_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "procedure_bar"
