"""Measures from the official lists and the measures attached to a record."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from selfservice.enums import MeasureKind, Obligation


class Measure(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    kind = fields.CharEnumField(MeasureKind, max_length=12)
    obligation = fields.CharEnumField(Obligation, max_length=12)
    title = fields.CharField(max_length=200)
    legal_basis = fields.CharField(max_length=300)
    scope = fields.CharField(max_length=16, description="national | yunnan | kunming | yuxi")
    applies_to = fields.CharField(max_length=24, description="good | bad | severe | red | black")

    class Meta:
        table = "measure"


class RecordMeasure(Model):
    id = fields.IntField(primary_key=True)
    record = fields.ForeignKeyField(
        "models.CreditRecord", related_name="measures", on_delete=fields.CASCADE
    )
    measure = fields.ForeignKeyField(
        "models.Measure", related_name="applications", on_delete=fields.RESTRICT
    )
    department = fields.ForeignKeyField(
        "models.Department", related_name="applied_measures", null=True, on_delete=fields.RESTRICT
    )
    in_force = fields.BooleanField(default=True)
    suspended_reason = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "record_measure"
        unique_together = (("record", "measure"),)
