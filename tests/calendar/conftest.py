"""Calendar test fixtures."""

from __future__ import annotations

import pytest
from tortoise.backends.base import executor


@pytest.fixture(autouse=True)
def _fresh_executor_cache() -> None:
    """Tortoise caches INSERT SQL per connection name, not per dialect: SQLite's ``?`` would leak
    into the PostgreSQL run of the same test. The shared conftest should clear it per test."""
    executor.EXECUTOR_CACHE.clear()
