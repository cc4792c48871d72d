"""The auto-pipelined Redis connection, against the real Redis (and a silent local server)."""

from __future__ import annotations

import asyncio
import time

import pytest

from handlers.redis_conn import (
    Address,
    Connection,
    RedisUnavailable,
    ReplyError,
    Script,
    parse_url,
)


@pytest.fixture
async def conn(redis_url):
    connection = Connection(redis_url)
    yield connection
    await connection.close()


def test_urls():
    assert parse_url("redis://127.0.0.1:6379/15") == Address("127.0.0.1", 6379, db=15)
    assert parse_url("redis://:s%40cret@cache:6380") == Address("cache", 6380, password="s@cret")
    assert parse_url("rediss://app:pw@h/2") == Address(
        "h", 6379, db=2, username="app", password="pw", tls=True
    )
    assert parse_url("unix:///run/redis.sock?db=3") == Address(path="/run/redis.sock", db=3)
    with pytest.raises(ValueError):
        parse_url("http://localhost")


async def test_concurrent_commands_each_get_their_own_reply(conn):
    await asyncio.gather(*(conn.execute("SET", f"xy:t:{n}", f"v{n}") for n in range(300)))
    values = await asyncio.gather(*(conn.execute("GET", f"xy:t:{n}") for n in range(300)))
    assert values == [f"v{n}" for n in range(300)]
    assert await conn.execute("SET", "xy:t:u", "信用") == "OK"
    assert await conn.execute("GET", "xy:t:u") == "信用"


async def test_commands_of_one_loop_pass_leave_in_one_write(conn, monkeypatch):
    await conn.execute("PING")
    writes: list[bytes] = []
    transport = conn._protocol.transport
    real_write = transport.write
    monkeypatch.setattr(transport, "write", lambda data: (writes.append(data), real_write(data)))
    await asyncio.gather(*(conn.execute("INCR", "xy:t:count") for _ in range(50)))
    assert len(writes) == 1 and writes[0].count(b"INCR") == 50
    assert await conn.execute("GET", "xy:t:count") == "50"


async def test_selects_the_database_of_the_url(conn, redis_url):
    await conn.execute("SET", "xy:t:db", "here")
    other = Connection(redis_url.rsplit("/", 1)[0] + "/13")
    try:
        assert await other.execute("GET", "xy:t:db") is None
    finally:
        await other.close()


async def test_error_replies_raise_and_leave_the_connection_usable(conn):
    await conn.execute("SET", "xy:t:s", "text")
    with pytest.raises(ReplyError, match="not an integer"):
        await conn.execute("INCR", "xy:t:s")
    assert await conn.execute("PING") == "PONG"


async def test_scripts_run_by_digest_and_survive_a_script_flush(conn):
    script = Script.of("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    assert await conn.evalsha(script, ["xy:t:n"], [2]) == 2
    await conn.execute("SCRIPT", "FLUSH")
    assert await conn.evalsha(script, ["xy:t:n"], [3]) == 5


async def test_a_dropped_connection_fails_what_waits_and_the_next_command_reconnects(
    conn, redis_url
):
    first_id = await conn.execute("CLIENT", "ID")
    waiting = asyncio.ensure_future(conn.execute("BLPOP", "xy:t:never", 5))
    await asyncio.sleep(0.1)
    killer = Connection(redis_url)
    try:
        assert await killer.execute("CLIENT", "KILL", "ID", first_id) == 1
    finally:
        await killer.close()
    with pytest.raises(RedisUnavailable):
        await asyncio.wait_for(waiting, 2)
    assert await conn.execute("PING") == "PONG"
    assert await conn.execute("CLIENT", "ID") != first_id


async def test_unreachable_server_is_unavailable():
    with pytest.raises(RedisUnavailable):
        await Connection("redis://127.0.0.1:1/0", timeout=1).execute("PING")


async def test_a_server_that_never_answers_times_out_and_is_dropped():
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        await reader.read(1 << 16)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    conn = Connection(f"redis://127.0.0.1:{port}/0", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(RedisUnavailable, match="in time"):
        await conn.execute("PING")
    assert time.monotonic() - started < 1.5
    await conn.close()
    server.close()
    for writer in accepted:
        writer.close()


async def test_a_server_that_does_not_speak_resp_is_unavailable():
    async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        await writer.drain()

    server = await asyncio.start_server(http, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    conn = Connection(f"redis://127.0.0.1:{port}/0", timeout=2)
    with pytest.raises(RedisUnavailable, match="not RESP"):
        await conn.execute("PING")
    await conn.close()
    server.close()
