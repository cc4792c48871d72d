from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_pledges')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Tip',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.OneToOneField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='tip', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharField(max_length=24)),
                ('party_key', fields.CharField(description='identifier, else normalised name', max_length=64)),
                ('region_code', fields.CharField(default='', max_length=6)),
                ('named', fields.BooleanField(default=False)),
                ('secret_hash', fields.CharField(description='argon2 hash of the secret', max_length=200)),
                ('duplicate_of', fields.ForeignKeyField('models.Tip', source_field='duplicate_of_id', null=True, db_constraint=True, to_field='id', related_name='duplicates', on_delete=OnDelete.SET_NULL)),
                ('record', fields.ForeignKeyField('models.CreditRecord', source_field='record_id', null=True, db_constraint=True, to_field='id', related_name='tips', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip', 'app': 'models', 'indexes': [Index(fields=['party_key', 'category'])], 'pk_attr': 'id', 'table_description': 'A tip beside its case (whose data holds party, place and facts). Nothing here identifies'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.ForeignKeyField('models.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('author', fields.CharField(description='reporter | staff | platform', max_length=12)),
                ('staff_id', fields.IntField(null=True)),
                ('body', fields.TextField(unique=False)),
                ('attachments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_message', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One message of the thread between the reporter and the handling department.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TipReporter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tip', fields.OneToOneField('models.Tip', source_field='tip_id', db_constraint=True, to_field='id', related_name='reporter', on_delete=OnDelete.CASCADE)),
                ('sealed', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tip_reporter', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The sealed identity of a named reporter, one AES-GCM blob under ``REPORT_SEAL_KEY``.'},
            bases=['Model'],
        ),
    ]
