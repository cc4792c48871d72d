from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_tips')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RevokedToken',
            fields=[
                ('jti', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'revoked_token', 'app': 'models', 'pk_attr': 'jti', 'table_description': 'An access token ended before its expiry (sign-out), kept until it would have expired.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SecurityLock',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(max_length=16)),
                ('target', fields.CharField(description='keyed hash of what is locked', max_length=64)),
                ('locked_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'security_lock', 'app': 'models', 'unique_together': (('scope', 'target'),), 'pk_attr': 'id', 'table_description': 'A lockout (staff sign-in, one-time codes): the database copy a store flush cannot lift.'},
            bases=['Model'],
        ),
    ]
