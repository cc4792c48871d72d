"""Tortoise configuration from ``DATABASE_URL``, connection lifecycle and schema migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise

MODEL_MODULES = [
    "selfservice.subjects.models",
    "selfservice.staff.models",
    "selfservice.records.models",
    "selfservice.measures.models",
    "selfservice.audit.models",
    "selfservice.calendar.models",
]
MIGRATIONS_MODULE = "selfservice.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The one Tortoise config; every model lives in the ``models`` app."""
    if database_url.startswith("sqlite://") and database_url != "sqlite://:memory:":
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("postgresql://"):
        database_url = "postgres://" + database_url.removeprefix("postgresql://")
    return {
        "connections": {"default": database_url},
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
    await Tortoise.init(config=tortoise_config(database_url))


async def close() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str, *, progress=None) -> None:
    """Apply every committed migration not yet applied (tortoise's built-in migrations)."""
    from tortoise.migrations.api import migrate as run_migrations

    await run_migrations(config=tortoise_config(database_url), progress=progress)


async def ping() -> bool:
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - any driver error means the database is not usable
        return False
    return True
