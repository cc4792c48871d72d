"""The PostgreSQL client: a read that lost its connection (server restart, terminated backend)
is tried once more on a fresh pooled connection; anything else is raised as it came."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from tortoise.backends.asyncpg import AsyncpgDBClient

log = logging.getLogger("selfservice.db")
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


class RetryingAsyncpgClient(AsyncpgDBClient):
    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, list]:
        try:
            return await super().execute_query(query, values)
        except CONNECTION_LOST as exc:
            if not _is_read(query):
                raise
            log.warning("database connection lost (%s); retrying the read once", type(exc).__name__)
            return await super().execute_query(query, values)

    async def execute_query_dict(
        self, query: str, values: list | None = None
    ) -> list[dict[str, Any]]:
        try:
            return await super().execute_query_dict(query, values)
        except CONNECTION_LOST as exc:
            if not _is_read(query):
                raise
            log.warning("database connection lost (%s); retrying the read once", type(exc).__name__)
            return await super().execute_query_dict(query, values)


client_class = RetryingAsyncpgClient
