from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_legal_fidelity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Pledge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.OneToOneField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='pledge', on_delete=OnDelete.RESTRICT)),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', db_constraint=True, to_field='id', related_name='pledges', on_delete=OnDelete.RESTRICT)),
                ('pledge_type', fields.CharField(max_length=24)),
                ('template_version', fields.CharField(max_length=16)),
                ('values', fields.JSONField(default=dict, description="the type's fields as filled in", encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('text', fields.TextField(unique=False)),
                ('text_sha256', fields.CharField(max_length=64)),
                ('signer', fields.JSONField(default=dict, description='role, name, account and authorisation', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('public', fields.BooleanField(default=False)),
                ('public_text', fields.TextField(default='', description='the text as the wall shows it', unique=False)),
                ('signed_on', fields.DateField()),
                ('due_on', fields.DateField(null=True, description='容缺: materials due (working days)')),
                ('valid_until', fields.DateField(null=True)),
                ('breach_record', fields.ForeignKeyField('models.CreditRecord', source_field='breach_record_id', null=True, db_constraint=True, to_field='id', related_name='pledges', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pledge', 'app': 'models', 'indexes': [Index(fields=['public', 'signed_on']), Index(fields=['pledge_type', 'due_on'])], 'pk_attr': 'id', 'table_description': 'The signed pledge behind a ``pledge`` case, its text never changed once signed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcedureBar',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', db_constraint=True, to_field='id', related_name='procedure_bars', on_delete=OnDelete.RESTRICT)),
                ('pledge', fields.ForeignKeyField('models.Pledge', source_field='pledge_id', db_constraint=True, to_field='id', related_name='bars', on_delete=OnDelete.RESTRICT)),
                ('record', fields.ForeignKeyField('models.CreditRecord', source_field='record_id', null=True, db_constraint=True, to_field='id', related_name='procedure_bars', on_delete=OnDelete.SET_NULL)),
                ('rule_id', fields.CharField(max_length=120)),
                ('source', fields.CharField(max_length=300)),
                ('started_on', fields.DateField()),
                ('ends_on', fields.DateField(null=True, description="at the latest: the record's unpublish date")),
                ('lifted_on', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'procedure_bar', 'app': 'models', 'pk_attr': 'id', 'table_description': 'No simplified procedure (告知承诺, 容缺受理…) for the subject until its credit is repaired.'},
            bases=['Model'],
        ),
    ]
