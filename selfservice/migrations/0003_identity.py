from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from selfservice.accounts.enums import AccountKind, AgentStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_records_reports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='MINIPROGRAM: miniprogram\nOFFICIAL_ACCOUNT: official_account\nPHONE: phone', enum_type=AccountKind, max_length=20)),
                ('openid', fields.CharField(null=True, unique=True, max_length=64)),
                ('unionid', fields.CharField(null=True, db_index=True, max_length=64)),
                ('phone_enc', fields.TextField(null=True, unique=False)),
                ('phone_index', fields.CharField(null=True, unique=True, max_length=64)),
                ('subject', fields.ForeignKeyField('models.Subject', source_field='subject_id', null=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.SET_NULL)),
                ('person_index', fields.CharField(null=True, description='blind index of the verified person ID number', max_length=64)),
                ('person_name', fields.CharField(null=True, max_length=100)),
                ('assurance', fields.SmallIntField(default=1)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A signed-in user, bound to a subject once identity verification succeeds.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgentAuthorisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='agent_authorisations', on_delete=OnDelete.CASCADE)),
                ('enterprise', fields.ForeignKeyField('models.Subject', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='agent_authorisations', on_delete=OnDelete.RESTRICT)),
                ('agent_name', fields.CharField(max_length=100)),
                ('agent_person_index', fields.CharField(max_length=64)),
                ('requested_scopes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('granted_scopes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('letter_path', fields.CharField(max_length=300)),
                ('letter_sha256', fields.CharField(max_length=64)),
                ('letter_content_type', fields.CharField(max_length=60)),
                ('status', fields.CharEnumField(default=AgentStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nREVOKED: revoked', enum_type=AgentStatus, max_length=12)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.StaffUser', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='agent_decisions', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(default='', unique=False)),
                ('valid_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'agent_authorisation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An agent (经办人) acting for an enterprise: scoped, expiring, approved by staff.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProviderKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='provider_keys', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('prefix', fields.CharField(unique=True, max_length=16)),
                ('key_hash', fields.CharField(max_length=64)),
                ('created_by', fields.ForeignKeyField('models.StaffUser', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='provider_keys', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'provider_key', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An API key of a provider system: only a SHA-256 digest is kept, looked up by its prefix.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('family', fields.CharField(db_index=True, max_length=32)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='refresh_tokens', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('models.StaffUser', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='refresh_tokens', on_delete=OnDelete.CASCADE)),
                ('authorisation_id', fields.IntField(null=True, description='agent authorisation acted under')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refresh_token', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='AuditLog',
            name='prev_hash',
            field=fields.CharField(unique=True, max_length=64),
        ),
    ]
