from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_cases_evidence_outbox')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Case',
            name='kind',
            field=fields.CharField(description='a registered case kind', max_length=12),
        ),
    ]
