"""The PostgreSQL client: a read that lost its connection (server restart, terminated backend)
is tried once more on a fresh pooled connection; anything else is raised as it came."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from tortoise.backends.asyncpg import AsyncpgDBClient

log = logging.getLogger("selfservice.db")
T = TypeVar("T")
CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,  # AdminShutdownError, CannotConnectNowError
    asyncpg.InternalClientError,  # a protocol left mid-operation by a dropped connection
    ConnectionError,
)


def _is_read(query: str) -> bool:
    """Only a plain SELECT is retried: a write whose fate is unknown must not run twice."""
    head = query.lstrip().split(None, 1)[0].upper() if query.strip() else ""
    return head == "SELECT" and " FOR UPDATE" not in query.upper()


async def _once_more(query: str, run: Callable[[], Awaitable[T]]) -> T:
    try:
        return await run()
    except CONNECTION_LOST as exc:
        if not _is_read(query):
            raise
        log.warning("database connection lost (%s); retrying the read once", type(exc).__name__)
        return await run()


class RetryingAsyncpgClient(AsyncpgDBClient):
    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, list]:
        parent = super().execute_query
        return await _once_more(query, lambda: parent(query, values))

    async def execute_query_dict(
        self, query: str, values: list | None = None
    ) -> list[dict[str, Any]]:
        parent = super().execute_query_dict
        return await _once_more(query, lambda: parent(query, values))


client_class = RetryingAsyncpgClient
