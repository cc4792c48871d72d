"""``selfservice migrate``: apply the committed migrations to ``DATABASE_URL``."""

from __future__ import annotations

import argparse
import asyncio

from selfservice import db
from selfservice.settings import get_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults()


def _progress(event: str, app_label: str, name: str) -> None:
    if event == "apply_start":
        print(f"  applying {app_label}.{name} …", end="", flush=True)
    elif event == "apply_done":
        print(" ok", flush=True)


def run(args: argparse.Namespace) -> int:
    url = get_settings().database_url
    print(f"migrating {db.display_url(url)}")

    async def _run() -> None:
        try:
            await db.migrate(url, progress=_progress)
        finally:
            await db.close()

    asyncio.run(_run())
    print("schema is up to date")
    return 0
