"""The Subject model: ID numbers and phones are stored encrypted with a blind index for lookup."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from selfservice.enums import SubjectKind


class Subject(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(SubjectKind, max_length=24)
    name = fields.CharField(max_length=200, description="enterprise name or person name")
    uscc = fields.CharField(max_length=18, null=True, unique=True)
    legal_rep_name = fields.CharField(max_length=100, null=True)
    legal_rep_id_enc = fields.TextField(null=True)
    legal_rep_id_index = fields.CharField(max_length=64, null=True, db_index=True)
    id_number_enc = fields.TextField(null=True)
    id_number_index = fields.CharField(max_length=64, null=True, unique=True)
    phone_enc = fields.TextField(null=True)
    region_code = fields.CharField(max_length=6, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "subject"

    def __str__(self) -> str:
        return f"Subject#{self.id}"
