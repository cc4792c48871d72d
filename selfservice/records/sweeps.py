"""Lifecycle sweeps: expire records past their period, end list memberships, recompute measures."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from selfservice.clock import Clock
from selfservice.enums import RecordStatus
from selfservice.measures import service as measures
from selfservice.policy import Policy
from selfservice.records import status as record_status
from selfservice.records.models import CreditRecord, ListEntry
from selfservice.store import SharedStore, key

log = logging.getLogger("selfservice.sweeps")
TZ = ZoneInfo("Asia/Shanghai")
ACTOR = "系统：公示期限管理"
BATCH = 500
ONE_DAY = timedelta(days=1)


async def expire_records(*, today: date) -> int:
    """Move live and repaired records whose last day of publication is past to expired."""
    done = 0
    statuses = [RecordStatus.PUBLISHED, RecordStatus.CORRECTED, RecordStatus.REPAIRED]
    while True:
        batch = await CreditRecord.filter(status__in=statuses, published_through__lt=today).limit(
            BATCH
        )
        if not batch:
            return done
        for record in batch:
            rule = record.flags.get("period", {}).get("source") or record.period_rule
            async with in_transaction():
                await record_status.move(
                    record,
                    RecordStatus.EXPIRED,
                    actor=ACTOR,
                    reason=(
                        f"最长公示期限已于{record.published_through.isoformat()}届满，"
                        f"自次日起停止公示（{rule}）"
                    ),
                    data={"published_through": record.published_through.isoformat()},
                )
            done += 1


async def end_memberships(*, today: date) -> int:
    """Close list entries the day after their last day, or when their record no longer stands."""
    due = await ListEntry.filter(exited_on=None, listed_through__lt=today).only(
        "id", "listed_through"
    )
    for entry in due:
        await ListEntry.filter(id=entry.id).update(exited_on=entry.listed_through + ONE_DAY)
    stale = await ListEntry.filter(
        exited_on=None, record__status__in=[RecordStatus.EXPIRED, RecordStatus.REVOKED]
    ).values_list("id", flat=True)
    if stale:
        await ListEntry.filter(id__in=list(stale)).update(exited_on=today)
    return len(due) + len(stale)


async def sweep(*, policy: Policy, today: date) -> dict[str, int]:
    """One idempotent pass; a second run on the same day changes nothing."""
    expired = await expire_records(today=today)
    ended = await end_memberships(today=today)
    recomputed = await measures.recompute(policy=policy, today=today)
    result = {"expired": expired, "memberships_ended": ended, "measures_changed": recomputed}
    log.info("sweep %s: %s", today.isoformat(), result)
    return result


async def run_periodically(
    *, store: SharedStore, policy: Policy, interval: float = 3600.0, first_delay: float = 60.0
) -> None:
    """Sweep every ``interval`` seconds; the shared store lets one worker of many do each round."""
    await asyncio.sleep(first_delay)
    while True:
        slot = int(datetime.now(TZ).timestamp() // interval)
        if await store.set_if_absent(key("sweep", slot), "1", ttl=interval * 2):
            try:
                await sweep(policy=policy, today=Clock().today())
            except Exception:
                log.exception("lifecycle sweep failed; retried next round")
        await asyncio.sleep(interval)
