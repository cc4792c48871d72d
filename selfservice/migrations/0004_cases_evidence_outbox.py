from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from selfservice.cases.enums import CaseKind
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_identity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Case',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='OBJECTION: objection\nREPAIR: repair\nPLEDGE: pledge\nREPORT: report', enum_type=CaseKind, max_length=12)),
                ('receipt', fields.CharField(unique=True, max_length=20)),
                ('status', fields.CharField(max_length=32)),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', null=True, db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('account_id', fields.IntField(null=True)),
                ('record', fields.ForeignKeyField('models.CreditRecord', source_field='record_id', null=True, db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('assignee', fields.ForeignKeyField('models.StaffUser', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(default='', max_length=200)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('filed_on', fields.DateField()),
                ('step', fields.CharField(default='', description='step whose clock runs', max_length=32)),
                ('step_started', fields.DateField(null=True)),
                ('step_due', fields.DateField(null=True)),
                ('due', fields.DateField(null=True, description='final deadline of the case')),
                ('due_estimated', fields.BooleanField(default=False)),
                ('extended_days', fields.IntField(default=0)),
                ('reminded_for', fields.CharField(default='', max_length=48)),
                ('escalated_for', fields.CharField(default='', max_length=48)),
                ('closed_on', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'case_file', 'app': 'models', 'indexes': [Index(fields=['kind', 'status']), Index(fields=['department_id', 'status']), Index(fields=['subject_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseTransition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='transitions', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('on', fields.DateField()),
                ('actor_kind', fields.CharField(max_length=12)),
                ('actor_id', fields.CharField(default='', max_length=40)),
                ('actor_role', fields.CharField(default='', max_length=24)),
                ('actor_department_id', fields.IntField(null=True)),
                ('action', fields.CharField(max_length=32)),
                ('from_status', fields.CharField(default='', max_length=32)),
                ('to_status', fields.CharField(max_length=32)),
                ('reason', fields.TextField(default='', unique=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('attachments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'case_transition', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One recorded step of a case (who, when, why, with which attachments), never updated.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Evidence',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('owner', fields.CharField(description='subject:ID or staff:ID', max_length=40)),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', null=True, db_constraint=True, to_field='id', related_name='evidence', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharField(description='jpeg png heic pdf', max_length=8)),
                ('media_type', fields.CharField(max_length=40)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_key', fields.CharField(unique=True, max_length=120)),
                ('name', fields.CharField(default='', description='display name only', max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'evidence', 'app': 'models', 'unique_together': (('owner', 'sha256'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseEvidence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='evidence', on_delete=OnDelete.CASCADE)),
                ('evidence', fields.ForeignKeyField('models.Evidence', source_field='evidence_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('added_by', fields.CharField(default='', max_length=40)),
            ],
            options={'table': 'case_evidence', 'app': 'models', 'unique_together': (('case', 'evidence'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(max_length=64)),
                ('key', fields.CharField(max_length=128)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='idempotency_keys', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'idempotency_key', 'app': 'models', 'unique_together': (('scope', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject_id', fields.IntField(null=True, db_index=True)),
                ('staff_id', fields.IntField(null=True, db_index=True)),
                ('department_id', fields.IntField(null=True, db_index=True)),
                ('template', fields.CharField(max_length=40)),
                ('title', fields.CharField(max_length=100)),
                ('body', fields.TextField(default='', unique=False)),
                ('receipt', fields.CharField(default='', max_length=20)),
                ('send_key', fields.CharField(unique=True, max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What a subject, staff member or department sees in its in-app list.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(description='inapp or wechat', max_length=16)),
                ('subject_id', fields.IntField(null=True)),
                ('staff_id', fields.IntField(null=True)),
                ('department_id', fields.IntField(null=True)),
                ('openid', fields.CharField(null=True, max_length=64)),
                ('template', fields.CharField(max_length=40)),
                ('title', fields.CharField(max_length=100)),
                ('body', fields.TextField(default='', unique=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('receipt', fields.CharField(default='', max_length=20)),
                ('send_key', fields.CharField(unique=True, max_length=120)),
                ('status', fields.CharField(default='pending', max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lease_owner', fields.CharField(default='', max_length=64)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('send_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceiptCounter',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('seq', fields.IntField(default=0)),
            ],
            options={'table': 'receipt_counter', 'app': 'models', 'pk_attr': 'key', 'table_description': 'The last sequence number used per prefix and day, bumped with one atomic upsert.'},
            bases=['Model'],
        ),
    ]
