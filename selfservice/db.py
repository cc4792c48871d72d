"""Tortoise configuration from ``DATABASE_URL``, connection lifecycle and schema migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE

MODEL_MODULES = [
    "selfservice.subjects.models",
    "selfservice.staff.models",
    "selfservice.records.models",
    "selfservice.measures.models",
    "selfservice.audit.models",
    "selfservice.calendar.models",
    "selfservice.creditreport.models",
    "selfservice.accounts.models",
    "selfservice.auth.models",
    "selfservice.evidence.models",
    "selfservice.cases.models",
    "selfservice.notifications.models",
    "selfservice.pledges.models",
    "selfservice.reports.models",
]
MIGRATIONS_MODULE = "selfservice.migrations"
PG_ENGINE = "selfservice.pgclient"  # asyncpg, with a lost connection retried once for reads


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The one Tortoise config; every model lives in the ``models`` app."""
    if database_url.startswith("sqlite://") and database_url != "sqlite://:memory:":
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("postgresql://"):
        database_url = "postgres://" + database_url.removeprefix("postgresql://")
    connection: str | dict[str, Any] = database_url
    if database_url.startswith("postgres://"):
        connection = expand_db_url(database_url) | {"engine": PG_ENGINE}
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "Asia/Shanghai",
    }


async def connect(database_url: str) -> None:
    """Open the connections; global so request tasks see what a server listener opened."""
    # Tortoise caches INSERT SQL per connection name, not per dialect: stale after a backend switch.
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str, *, progress=None) -> None:
    """Apply every committed migration not yet applied (tortoise's built-in migrations)."""
    from tortoise.migrations.api import migrate as run_migrations

    await run_migrations(config=tortoise_config(database_url), progress=progress)


async def ping() -> bool:
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception:
        return False
    return True


def display_url(database_url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = database_url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        rest = f"{user}:***@{host}" if ":" in creds else f"{user}@{host}"
    return scheme + sep + rest
