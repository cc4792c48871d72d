"""Departments (city and county level) and staff accounts with a role scoped to a department."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from selfservice.enums import DepartmentLevel, StaffRole


class Department(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    level = fields.CharEnumField(DepartmentLevel, max_length=16)
    jurisdiction = fields.CharField(max_length=16, description="kunming | yuxi")
    region_code = fields.CharField(max_length=6, default="")
    parent = fields.ForeignKeyField(
        "models.Department", related_name="children", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "department"


class StaffUser(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=100)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(StaffRole, max_length=24)
    department = fields.ForeignKeyField(
        "models.Department", related_name="staff", on_delete=fields.RESTRICT
    )
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_user"


class ProviderKey(Model):
    """An API key of a provider system: only a SHA-256 digest is kept, looked up by its prefix."""

    id = fields.IntField(primary_key=True)
    department = fields.ForeignKeyField(
        "models.Department", related_name="provider_keys", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16, unique=True)
    key_hash = fields.CharField(max_length=64)
    created_by = fields.ForeignKeyField(
        "models.StaffUser", related_name="provider_keys", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "provider_key"
