"""``selfservice sweep``: run the lifecycle sweep once (expiry, list exits, measures)."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date

from selfservice import db
from selfservice.clock import Clock
from selfservice.policy import load_policy
from selfservice.records.sweeps import sweep
from selfservice.settings import get_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", type=date.fromisoformat, help="sweep as of this day (YYYY-MM-DD)")


def run(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def _run() -> dict[str, int]:
        await db.connect(settings.database_url)
        try:
            policy = load_policy(settings.jurisdiction)
            return await sweep(policy=policy, today=args.date or Clock().today())
        finally:
            await db.close()

    print(json.dumps(asyncio.run(_run()), ensure_ascii=False))
    return 0
