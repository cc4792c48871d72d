"""Record period fields that say what they hold (repairable_from: first day; published_through
and listed_through: last day, inclusive); holiday years with their source and status."""

from datetime import date, timedelta

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

ONE_DAY = timedelta(days=1)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _param(client, n: int) -> str:
    return f"${n}" if "postgres" in client.capabilities.dialect else "?"


async def shift_dates(apps, schema_editor) -> None:
    """A minimum period's last day becomes the first day after it (民法典 art. 201–202); an
    exit date recorded as the last day on the list becomes the first day off it."""
    client = schema_editor.client
    a, b = _param(client, 1), _param(client, 2)
    _, rows = await client.execute_query(
        "SELECT id, finding_date, repairable_from FROM credit_record "
        "WHERE repairable_from IS NOT NULL"
    )
    for row in rows:
        found, eligible = _day(row["finding_date"]), _day(row["repairable_from"])
        if eligible > found:
            await client.execute_query(
                f"UPDATE credit_record SET repairable_from = {a} WHERE id = {b}",
                [eligible + ONE_DAY, row["id"]],
            )
    _, rows = await client.execute_query(
        "SELECT id, exited_on FROM list_entry "
        "WHERE exited_on IS NOT NULL AND exited_on = listed_through"
    )
    for row in rows:
        await client.execute_query(
            f"UPDATE list_entry SET exited_on = {a} WHERE id = {b}",
            [_day(row["exited_on"]) + ONE_DAY, row["id"]],
        )


async def backfill_years(apps, schema_editor) -> None:
    """Years already in the holiday table stay provisional until an official load says so."""
    client = schema_editor.client
    a, b = _param(client, 1), _param(client, 2)
    _, rows = await client.execute_query("SELECT day, source FROM holiday_day")
    years: dict[int, str] = {}
    for row in rows:
        years.setdefault(_day(row["day"]).year, row["source"] or "")
    for year, source in sorted(years.items()):
        await client.execute_query(
            f"INSERT INTO holiday_year (year, source, provisional, loaded_at) "
            f"VALUES ({a}, {b}, TRUE, CURRENT_TIMESTAMP)",
            [year, source[:200]],
        )


async def nothing(apps, schema_editor) -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [('models', '0005_case_kind_open')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HolidayYear',
            fields=[
                ('year', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(default='', max_length=200)),
                ('provisional', fields.BooleanField(default=True, description='deadlines in this year stay estimated until an official load')),
                ('loaded_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'holiday_year', 'app': 'models', 'pk_attr': 'year', 'table_description': 'Where one year of the holiday table comes from, and whether it is only provisional.'},
            bases=['Model'],
        ),
        ops.RemoveIndex(model_name='CreditRecord', name=None, fields=['status', 'unpublish_at']),
        ops.RenameField(
            model_name='CreditRecord', old_name='repair_eligible_from', new_name='repairable_from'
        ),
        ops.RenameField(
            model_name='CreditRecord', old_name='unpublish_at', new_name='published_through'
        ),
        ops.AddIndex(model_name='CreditRecord', index=Index(fields=['status', 'published_through'])),
        ops.RemoveIndex(model_name='ListEntry', name=None, fields=['exited_on', 'exit_due']),
        ops.RenameField(model_name='ListEntry', old_name='exit_due', new_name='listed_through'),
        ops.AddIndex(model_name='ListEntry', index=Index(fields=['exited_on', 'listed_through'])),
        ops.RunPython(shift_dates, nothing),
        ops.RunPython(backfill_years, nothing),
    ]
