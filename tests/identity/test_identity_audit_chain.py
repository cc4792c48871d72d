"""The audit log: a hash chain that survives concurrent appends and exposes any edited entry."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys

import pytest
from tortoise import Tortoise

from selfservice.audit import service as audit
from selfservice.audit.models import AuditLog
from selfservice.enums import ActorKind

STAFF = audit.Actor(ActorKind.STAFF, "staff:9", "handler", "昆明市市场监督管理局")


async def _fill(n: int) -> None:
    await asyncio.gather(
        *(
            audit.append(
                actor=STAFF,
                action="record.read",
                target=f"record:{i}",
                subject_id=1 + i % 3,
                purpose=f"核查第{i}号 / check",
                data={"i": i, "nested": {"b": 2, "a": [1, "二"]}},
            )
            for i in range(n)
        )
    )


async def test_concurrent_appends_form_one_chain(database):
    await _fill(25)
    rows = await AuditLog.all().order_by("id")
    assert len(rows) == 25
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    report = await audit.verify_chain(batch=7)
    assert report.ok and report.checked == 25


@pytest.mark.parametrize("column", ["purpose", "actor_role", "data"])
async def test_an_edited_entry_is_reported(database, column):
    await _fill(6)
    target = (await AuditLog.all().order_by("id"))[3]
    value = '{"i": 99}' if column == "data" else "篡改"
    conn = Tortoise.get_connection("default")
    placeholder = "$1" if conn.capabilities.dialect == "postgres" else "?"
    await conn.execute_query(
        f"UPDATE audit_log SET {column} = {placeholder} WHERE id = {target.id}",  # noqa: S608
        [value],
    )
    report = await audit.verify_chain()
    assert not report.ok
    assert report.first_broken_id == target.id
    assert report.checked == 3
    assert "hash" in report.reason


async def test_a_deleted_entry_breaks_the_link(database):
    await _fill(5)
    rows = await AuditLog.all().order_by("id")
    await Tortoise.get_connection("default").execute_query(
        f"DELETE FROM audit_log WHERE id = {rows[2].id}"  # noqa: S608
    )
    report = await audit.verify_chain()
    assert (report.ok, report.first_broken_id) == (False, rows[3].id)
    assert "link" in report.reason


async def test_entries_are_append_only_through_the_orm(database):
    await _fill(1)
    entry = await AuditLog.first()
    entry.purpose = "x"
    with pytest.raises(PermissionError):
        await entry.save()
    with pytest.raises(PermissionError):
        await entry.delete()


async def test_access_log_shows_role_department_purpose_never_names(database):
    await _fill(3)
    await audit.append(
        actor=audit.Actor(ActorKind.SUBJECT, "account:5", "account"), action="x", subject_id=1
    )
    items = await audit.access_log(subject_id=1)
    assert len(items) == 1
    [item] = items
    assert set(item) == {"at", "actor_kind", "role", "department", "action", "purpose"}
    assert (item["role"], item["department"]) == ("handler", "昆明市市场监督管理局")
    assert "staff:9" not in str(items)


def _cli(database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "SELFSERVICE_ENV": "dev"}
    return subprocess.run(
        [sys.executable, "-m", "selfservice", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_cli_verifies_and_reports_first_broken_entry(database):
    await _fill(4)
    ok = await asyncio.to_thread(_cli, database)
    assert ok.returncode == 0, ok.stderr
    assert "audit chain OK: 4 entries" in ok.stdout
    second = (await AuditLog.all().order_by("id"))[1]
    await Tortoise.get_connection("default").execute_query(
        f"UPDATE audit_log SET action = 'record.delete' WHERE id = {second.id}"  # noqa: S608
    )
    broken = await asyncio.to_thread(_cli, database)
    assert broken.returncode == 1
    assert f"BROKEN at entry #{second.id}" in broken.stdout
