"""``selfservice audit verify``: recompute the audit hash chain and report the first broken entry."""

from __future__ import annotations

import argparse
import asyncio

from selfservice import db
from selfservice.audit.service import ChainReport, verify_chain
from selfservice.settings import get_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("verify", help="verify the hash chain of the audit log")


async def _verify(database_url: str) -> ChainReport:
    await db.connect(database_url)
    try:
        return await verify_chain()
    finally:
        await db.close()


def run(args: argparse.Namespace) -> int:
    report = asyncio.run(_verify(get_settings().database_url))
    if report.ok:
        print(f"audit chain OK: {report.checked} entries")
        return 0
    print(
        f"audit chain BROKEN at entry #{report.first_broken_id}: {report.reason} "
        f"({report.checked} entries before it are intact)"
    )
    return 1
