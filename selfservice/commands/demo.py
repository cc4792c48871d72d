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
    print(
        "\nsubjects (fictional). Try identity verification on the H5 page (#/signin, then"
        " #/verify)\nwith the details below; sign-in and verification send a 6-digit code to the"
        " phone shown,\nwhich in dev (no SMS_GATEWAY_URL) is written to the server log as"
        " 'SMS to 138****0001: …'.\n`selfservice issue-token --subject CODE` skips all that."
    )
    for s in summary.subjects:
        print(f"  {KIND_ZH[s.kind]:<6} {s.code}  phone {s.phone}  name {s.name}")
        if s.rep_name:
            print(f"{'':<10} legal representative {s.rep_name}, ID number {s.rep_id}")
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
