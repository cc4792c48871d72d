"""A read whose PostgreSQL connection was terminated is tried once more on a fresh connection."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from tortoise import Tortoise

from selfservice.pgclient import CONNECTION_LOST, RetryingAsyncpgClient, _is_read


def test_only_plain_selects_are_retried():
    assert _is_read('SELECT "id" FROM "subject"')
    assert not _is_read('SELECT "id" FROM "subject" FOR UPDATE')
    assert not _is_read('INSERT INTO "subject" VALUES ($1)')
    assert not _is_read('UPDATE "subject" SET "name"=$1')


async def _terminate_others(database: str, *, after: float) -> int:
    await asyncio.sleep(after)
    admin = await asyncpg.connect(database.replace("postgres://", "postgresql://"))
    try:
        return await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database.rsplit("/", 1)[1],
        )
    finally:
        await admin.close()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # a PostgreSQL scenario
async def test_a_read_cut_off_by_a_terminated_backend_is_retried(database):
    conn = Tortoise.get_connection("default")
    assert isinstance(conn, RetryingAsyncpgClient)
    read = asyncio.create_task(conn.execute_query_dict("SELECT pg_sleep(1), 42 AS answer"))
    terminated = await _terminate_others(database, after=0.3)
    assert terminated >= 1
    assert (await read)[0]["answer"] == 42  # cut off mid-query, answered by the retry


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # a PostgreSQL scenario
async def test_a_write_cut_off_is_not_retried(database):
    conn = Tortoise.get_connection("default")
    write = asyncio.create_task(conn.execute_query("DO $$ BEGIN PERFORM pg_sleep(1); END $$"))
    await _terminate_others(database, after=0.3)
    with pytest.raises(CONNECTION_LOST):
        await write
