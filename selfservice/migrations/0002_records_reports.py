from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CreditReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, description='verification code', max_length=24)),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', db_constraint=True, to_field='id', related_name='credit_reports', on_delete=OnDelete.RESTRICT)),
                ('years', fields.SmallIntField()),
                ('period_from', fields.DateField()),
                ('period_to', fields.DateField()),
                ('digest', fields.CharField(description='sha256 of the canonical report body', max_length=64)),
                ('summary', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'credit_report', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One issued report, kept so its verification code can be confirmed later.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportCheckpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('file_digest', fields.CharField(unique=True, max_length=64)),
                ('file_name', fields.CharField(max_length=300)),
                ('rows_done', fields.IntField(default=0)),
                ('counts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('finished', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'import_checkpoint', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Progress of one import file so an interrupted import resumes where it stopped.'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='CreditRecord',
            index=Index(fields=['subject_id', 'finding_date', 'id']),
        ),
        ops.AddIndex(
            model_name='CreditRecord',
            index=Index(fields=['status', 'unpublish_at']),
        ),
        ops.AddIndex(
            model_name='ListEntry',
            index=Index(fields=['subject_id', 'kind']),
        ),
        ops.AddIndex(
            model_name='ListEntry',
            index=Index(fields=['exited_on', 'exit_due']),
        ),
    ]
