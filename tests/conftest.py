"""Shared fixtures: real PostgreSQL and Redis (failing, not skipping, under CI), fresh apps."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from selfservice import db
from selfservice.settings import Settings, load_settings

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def pytest_configure(config) -> None:
    """Dev-mode keys of this test run (and of the CLI processes it starts) in a throw-away file."""
    import tempfile

    if "DEV_KEYS_FILE" not in os.environ:
        config._dev_keys_dir = tempfile.TemporaryDirectory(prefix="xy-dev-keys-")
        os.environ["DEV_KEYS_FILE"] = os.path.join(config._dev_keys_dir.name, "dev-keys.json")


def pytest_unconfigure(config) -> None:
    if hasattr(config, "_dev_keys_dir"):
        os.environ.pop("DEV_KEYS_FILE", None)
        config._dev_keys_dir.cleanup()


def _unavailable(what: str, exc: BaseException) -> None:
    """The suite needs the real services: fail loudly (scripts/test.sh starts them)."""
    pytest.fail(
        f"{what} is not reachable ({exc!r}); start it (see README: ./scripts/test.sh starts it)",
        pytrace=False,
    )


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_database() -> str:
    """A throw-away PostgreSQL database for this test session, migrated once."""
    name = f"xy_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        _unavailable("PostgreSQL at " + PG_ADMIN_URL, exc)
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"

    async def _migrate() -> None:
        await db.migrate(url)
        await Tortoise.close_connections()

    asyncio.run(_migrate())
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file, copied for each test so every test starts from an empty schema."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"

    async def _migrate() -> None:
        await db.migrate(f"sqlite://{path}")
        await Tortoise.close_connections()

    asyncio.run(_migrate())
    return str(path)


async def _truncate_pg() -> None:
    conn = Tortoise.get_connection("default")
    rows = await conn.execute_query_dict(
        "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename<>'tortoise_migrations'"
    )
    if rows:
        names = ", ".join(f'"{r["tablename"]}"' for r in rows)
        await conn.execute_script(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """Each DB test runs on both backends."""
    if request.param == "sqlite":
        import shutil

        target = tmp_path / "db.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite://{target}"
    return request.getfixturevalue("pg_database")


@pytest.fixture
async def database(database_url) -> AsyncIterator[str]:
    """An initialised Tortoise connection on an empty, migrated schema."""
    # Tortoise caches INSERT SQL per connection name, not per dialect: clear it between backends.
    EXECUTOR_CACHE.clear()
    await db.connect(database_url)
    if database_url.startswith("postgres"):
        await _truncate_pg()
    try:
        yield database_url
    finally:
        await db.close()


@pytest.fixture
def redis_url() -> str:
    """The real Redis (db 15), flushed; sync so async fixtures can request it by name too."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
        client.flushdb()
    except Exception as exc:
        _unavailable("Redis at " + REDIS_URL, exc)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def settings(tmp_path) -> Settings:
    return load_settings(
        {
            "SELFSERVICE_ENV": "test",
            "DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3",
            "SECRET_KEY": "t" * 40,
            "DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "REPORT_SEAL_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "BACKGROUND_WORKER": "0",
        }
    )


@pytest.fixture
def make_app(settings):
    """Build a fresh app (unique name) on the given database URL; listeners run in asgi_client."""
    import dataclasses

    from sanic import Sanic

    from handlers.app import create_app

    Sanic.test_mode = True
    made = []

    def _make(database_url: str, **overrides):
        app_settings = dataclasses.replace(settings, database_url=database_url, **overrides)
        app = create_app(app_settings, name=f"t{uuid.uuid4().hex[:12]}")
        made.append(app)
        return app

    yield _make
    for app in made:
        Sanic._app_registry.pop(app.name, None)


@pytest.fixture
def serve_app():
    """``async with serve_app(app) as base:`` the app on a loopback socket, listeners run once."""
    import contextlib
    import socket

    @contextlib.asynccontextmanager
    async def serve(app) -> AsyncIterator[str]:
        # Sanic reads port 0 as "the default 8000": hand it a socket on a free port instead
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        server = await app.create_server(sock=sock, return_asyncio_server=True)
        await server.startup()
        await server.before_start()
        await server.after_start()
        port = server.server.sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            await server.before_stop()
            await server.close()
            await server.wait_closed()
            await server.after_stop()

    return serve
