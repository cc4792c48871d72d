"""``selfservice issue-token``: print a valid access token for a subject or a staff user."""

from __future__ import annotations

import argparse
import asyncio
import sys

from selfservice import db
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.errors import DomainError
from selfservice.settings import get_settings
from selfservice.staff.models import StaffUser
from selfservice.subjects.service import find_by_identifier


def add_arguments(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--subject", metavar="CODE", help="统一社会信用代码 or 身份证号")
    who.add_argument("--staff", metavar="USERNAME", help="staff username")
    parser.add_argument("--ttl", type=int, default=15 * 60, help="seconds (default 900)")


async def _principal(args: argparse.Namespace) -> Principal:
    if args.subject:
        subject = await find_by_identifier(identifier=args.subject)
        return Principal(kind="subject", subject_id=subject.id, assurance=2, scopes=("all",))
    staff = await StaffUser.get_or_none(username=args.staff, active=True)
    if staff is None:
        raise DomainError(
            "未找到该工作人员", f"No active staff user {args.staff!r}", code="not_found"
        )
    return Principal(
        kind="staff",
        staff_id=staff.id,
        roles=(staff.role.value,),
        department_id=staff.department_id,
        assurance=2,
    )


def run(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def _run() -> str:
        await db.connect(settings.database_url)
        try:
            principal = await _principal(args)
        finally:
            await db.close()
        return issue_access_token(settings=settings, principal=principal, ttl=args.ttl)

    try:
        print(asyncio.run(_run()))
    except DomainError as exc:
        print(f"selfservice issue-token: {exc.message}", file=sys.stderr)
        return 1
    return 0
