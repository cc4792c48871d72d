"""``selfservice demo``: load the fictional demo data set and print who can log in."""

from __future__ import annotations

import argparse
import asyncio

from selfservice import db
from selfservice.demo.data import DEMO_PASSWORD
from selfservice.demo.loader import DemoSummary, load_demo
from selfservice.settings import get_settings

KIND_ZH = {"legal_person": "企业", "individual_business": "个体工商户", "natural_person": "自然人"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")


def _print(summary: DemoSummary) -> None:
    print(
        f"demo data loaded: {summary.departments} departments, {summary.measures} measures, "
        f"{len(summary.subjects)} subjects, {summary.records} records, "
        f"{summary.list_entries} list entries, {len(summary.staff)} staff"
    )
    print("\nsubjects (fictional; identity codes for `selfservice issue-token --subject CODE`):")
    for kind, name, code, phone in summary.subjects:
        print(f"  {KIND_ZH[kind]:<6} {code}  {phone}  {name}")
    print(f"\nstaff logins (password for all: {DEMO_PASSWORD}):")
    for username, role, dept in summary.staff:
        print(f"  {username:<14} {role:<17} {dept}")


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.env == "prod":
        print(
            "selfservice demo: refused with SELFSERVICE_ENV=prod (demo logins have a known password)"
        )
        return 2
    url = settings.database_url

    async def _run() -> DemoSummary:
        if not args.no_migrate:
            await db.migrate(url)
            await db.close()
        await db.connect(url)
        try:
            return await load_demo()
        finally:
            await db.close()

    _print(asyncio.run(_run()))
    return 0
