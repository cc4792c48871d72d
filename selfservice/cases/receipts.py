"""Receipt numbers: prefix + date + ``-`` + 4-digit daily sequence, e.g. ``YY20261122-0042``."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tortoise import Tortoise

from selfservice.errors import ServiceUnavailable

RECEIPT = re.compile(r"^([A-Z]{2})(\d{8})-(\d{4})$")
# One atomic upsert: the row lock (PostgreSQL) or the write lock (SQLite) serialises callers, and
# a rolled-back case rolls its number back too, so numbers have no gaps.
_BUMP = (
    "INSERT INTO receipt_counter (key, seq) VALUES ({p}, 1) "
    "ON CONFLICT (key) DO UPDATE SET seq = receipt_counter.seq + 1 RETURNING seq"
)


async def next_receipt(*, prefix: str, on: date, conn: Any = None) -> str:
    """The next receipt number with ``prefix`` for day ``on`` (inside the caller's transaction)."""
    conn = conn or Tortoise.get_connection("default")
    placeholder = "$1" if conn.capabilities.dialect == "postgres" else "?"
    day_key = f"{prefix}{on:%Y%m%d}"
    rows = await conn.execute_query_dict(_BUMP.format(p=placeholder), [day_key])
    seq = int(rows[0]["seq"])
    if seq > 9999:
        raise ServiceUnavailable("今日受理量已达上限", "Daily receipt sequence exhausted")
    return f"{day_key}-{seq:04d}"


def is_receipt(text: str) -> bool:
    return bool(RECEIPT.match(text or ""))
