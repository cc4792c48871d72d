"""Helpers shared by the records tests (a distinct module name: tests have no packages)."""

from __future__ import annotations

from datetime import date

from selfservice.identifiers import uscc_check_char

TODAY = date(2026, 5, 20)


def uscc(n: int) -> str:
    """A valid USCC numbered ``n`` (check char computed)."""
    body = f"91530100MA{n:07d}"
    return body + uscc_check_char(body)
