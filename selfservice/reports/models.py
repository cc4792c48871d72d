"""A tip's details, its sealed reporter (a table of its own) and the two-way thread."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Tip(Model):
    """A tip beside its case (whose data holds party, place and facts). Nothing here identifies
    the reporter (no IP, device or account)."""

    id = fields.IntField(primary_key=True)
    case = fields.OneToOneField("models.Case", related_name="tip", on_delete=fields.CASCADE)
    category = fields.CharField(max_length=24)
    party_key = fields.CharField(max_length=64, description="identifier, else normalised name")
    region_code = fields.CharField(max_length=6, default="")
    named = fields.BooleanField(default=False)
    secret_hash = fields.CharField(max_length=200, description="argon2 hash of the secret")
    duplicate_of = fields.ForeignKeyField(
        "models.Tip", related_name="duplicates", null=True, on_delete=fields.SET_NULL
    )
    record = fields.ForeignKeyField(
        "models.CreditRecord", related_name="tips", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tip"
        indexes = (("party_key", "category"),)


class TipReporter(Model):
    """The sealed identity of a named reporter, one AES-GCM blob under ``REPORT_SEAL_KEY``."""

    id = fields.IntField(primary_key=True)
    tip = fields.OneToOneField("models.Tip", related_name="reporter", on_delete=fields.CASCADE)
    sealed = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tip_reporter"


class TipMessage(Model):
    """One message of the thread between the reporter and the handling department."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("models.Tip", related_name="messages", on_delete=fields.CASCADE)
    author = fields.CharField(max_length=12, description="reporter | staff | platform")
    staff_id = fields.IntField(null=True)
    body = fields.TextField()
    attachments = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tip_message"
        ordering = ["id"]
