"""Credit records (DESIGN.md §2), their change history and red/black list entries."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from selfservice.enums import ListKind, Nature, RecordStatus, Severity


class CreditRecord(Model):
    id = fields.IntField(primary_key=True)
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="records", on_delete=fields.RESTRICT
    )
    nature = fields.CharEnumField(Nature, max_length=8)
    severity = fields.CharEnumField(Severity, max_length=8, null=True)
    catalogue_class = fields.CharField(max_length=40, description="public-credit catalogue class")
    title = fields.CharField(max_length=200)
    content = fields.TextField(default="")
    legal_basis = fields.CharField(max_length=300, default="")
    provider = fields.ForeignKeyField(
        "models.Department", related_name="records", on_delete=fields.RESTRICT
    )
    document_number = fields.CharField(max_length=100)
    finding_date = fields.DateField()
    publicity_start = fields.DateField()
    # dates say what they hold (民法典 art. 201–202): ``publicity_end`` and ``published_through``
    # are last days (inclusive), ``repairable_from`` is the first day a repair application is
    # possible; the column descriptions stay as migrated (an ALTER would rebuild SQLite tables)
    publicity_end = fields.DateField(
        null=True, description="end of the validity set by the provider"
    )
    repairable_from = fields.DateField(null=True)
    published_through = fields.DateField(null=True)
    period_rule = fields.CharField(max_length=120, default="", description="rule id that fixed it")
    status = fields.CharEnumField(RecordStatus, max_length=16, default=RecordStatus.PUBLISHED)
    under_objection = fields.BooleanField(default=False)
    flags = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "credit_record"
        unique_together = (("provider", "document_number"),)
        indexes = (("subject_id", "finding_date", "id"), ("status", "published_through"))


class RecordEvent(Model):
    """One change of a record (who, when, why), never updated."""

    id = fields.IntField(primary_key=True)
    record = fields.ForeignKeyField(
        "models.CreditRecord", related_name="events", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField(auto_now_add=True)
    actor = fields.CharField(max_length=100)
    action = fields.CharField(max_length=40)
    reason = fields.TextField(default="")
    data = fields.JSONField(default=dict)

    class Meta:
        table = "record_event"
        ordering = ["at", "id"]


class ListEntry(Model):
    id = fields.IntField(primary_key=True)
    subject = fields.ForeignKeyField(
        "models.Subject", related_name="list_entries", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(ListKind, max_length=24)
    reason = fields.TextField(default="")
    record = fields.ForeignKeyField(
        "models.CreditRecord", related_name="list_entries", null=True, on_delete=fields.SET_NULL
    )
    department = fields.ForeignKeyField(
        "models.Department", related_name="list_entries", on_delete=fields.RESTRICT
    )
    entered_on = fields.DateField()
    # ``listed_through``: last day on the list (inclusive); ``exited_on``: first day off it
    listed_through = fields.DateField(null=True, description="planned exit date")
    exited_on = fields.DateField(null=True)

    class Meta:
        table = "list_entry"
        indexes = (("subject_id", "kind"), ("exited_on", "listed_through"))


class ImportCheckpoint(Model):
    """Progress of one import file so an interrupted import resumes where it stopped."""

    id = fields.IntField(primary_key=True)
    file_digest = fields.CharField(max_length=64, unique=True)
    file_name = fields.CharField(max_length=300)
    rows_done = fields.IntField(default=0)
    counts = fields.JSONField(default=dict)
    finished = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "import_checkpoint"
