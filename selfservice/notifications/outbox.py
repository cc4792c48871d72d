"""The notification outbox: rows written with each status change, delivered by a worker.

Rows are claimed with a lease, so several workers never deliver the same row at once. The
in-app channel is idempotent (one notification per send key). A push channel that cannot be
asked twice safely is marked ``send_started_at`` just before the call: a worker that finds a
row so marked, from a worker that stopped mid-send, does not push it again (the user has seen
it, or sees it in the in-app list), so the user never gets the same push twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from selfservice.notifications.models import Notification, OutboxMessage
from selfservice.transitions import StateTable

log = logging.getLogger("selfservice.outbox")


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


PENDING, DELIVERED, DEAD = OutboxStatus.PENDING, OutboxStatus.DELIVERED, OutboxStatus.DEAD
# a pending row is retried (pending again), delivered or given up; the other two are final
TABLE = StateTable(
    OutboxStatus, {PENDING: {PENDING, DELIVERED, DEAD}, DELIVERED: set(), DEAD: set()}
)
INAPP, WECHAT, WECHAT_CS = "inapp", "wechat", "wechat_cs"
"""Channels: in-app list, WeChat subscribe message, WeChat customer-service message (chat)."""
BACKOFF_BASE = 30.0
BACKOFF_MAX = 3600.0
MAX_ATTEMPTS = 12
LEASE_SECONDS = 60.0


class RetryLater(Exception):
    """The channel failed for now (network, 5xx, busy, token); try again after a backoff."""


class GiveUp(Exception):
    """The channel will never take this message (no subscription, bad recipient)."""


class Sender(Protocol):
    idempotent: bool

    async def send(self, message: OutboxMessage) -> None: ...


def utcnow() -> datetime:
    """Now, in the database's configured zone: SQLite compares datetimes as text."""
    return timezone.localtime(datetime.now(UTC))


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 120 s … capped at one hour."""
    return timedelta(seconds=min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


async def enqueue(
    *,
    channel: str,
    template: str,
    title: str,
    send_key: str,
    body: str = "",
    receipt: str = "",
    subject_id: int | None = None,
    staff_id: int | None = None,
    department_id: int | None = None,
    openid: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> OutboxMessage:
    """Write one outbox row; call inside the transaction of the change it announces."""
    return await OutboxMessage.create(
        channel=channel,
        template=template,
        title=title[:100],
        body=body,
        receipt=receipt,
        send_key=send_key[:120],
        subject_id=subject_id,
        staff_id=staff_id,
        department_id=department_id,
        openid=openid,
        data=dict(data or {}),
        next_attempt_at=utcnow(),
    )


async def notify_subject(
    *,
    subject_id: int,
    template: str,
    title: str,
    body: str,
    receipt: str,
    key: str,
    push_data: Mapping[str, str] | None = None,
) -> list[OutboxMessage]:
    """An in-app notification plus a WeChat push to every WeChat account bound to the subject."""
    from selfservice.accounts.models import Account

    rows = [
        await enqueue(
            channel=INAPP,
            template=template,
            title=title,
            body=body,
            receipt=receipt,
            send_key=f"{key}:inapp:s{subject_id}",
            subject_id=subject_id,
        )
    ]
    openids = await Account.filter(subject_id=subject_id, openid__isnull=False).values_list(
        "openid", flat=True
    )
    for openid in sorted(set(openids)):
        rows.append(
            await enqueue(
                channel=WECHAT,
                template=template,
                title=title,
                body=body,
                receipt=receipt,
                send_key=f"{key}:wx:{openid}",
                subject_id=subject_id,
                openid=openid,
                data=push_data,
            )
        )
    return rows


async def notify_staff(
    *, staff_ids: list[int], template: str, title: str, body: str, receipt: str, key: str
) -> list[OutboxMessage]:
    """In-app notifications to staff members."""
    return [
        await enqueue(
            channel=INAPP,
            template=template,
            title=title,
            body=body,
            receipt=receipt,
            send_key=f"{key}:inapp:t{sid}",
            staff_id=sid,
        )
        for sid in sorted(set(staff_ids))
    ]


async def notify_department(
    *, department_id: int, template: str, title: str, body: str, receipt: str, key: str
) -> OutboxMessage:
    """An in-app notification to a department's shared inbox."""
    return await enqueue(
        channel=INAPP,
        template=template,
        title=title,
        body=body,
        receipt=receipt,
        send_key=f"{key}:inapp:d{department_id}",
        department_id=department_id,
    )


class InAppSender:
    """Delivers into the in-app list; the unique send key makes a repeat a no-op."""

    idempotent = True

    async def send(self, message: OutboxMessage) -> None:
        if await Notification.exists(send_key=message.send_key):
            return
        try:
            await Notification.create(
                subject_id=message.subject_id,
                staff_id=message.staff_id,
                department_id=message.department_id,
                template=message.template,
                title=message.title,
                body=message.body,
                receipt=message.receipt,
                send_key=message.send_key,
            )
        except IntegrityError:
            return


def _claimable(now: datetime) -> Q:
    return Q(status=PENDING) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))


async def claim(
    *, worker: str, now: datetime, limit: int = 50, lease: float = LEASE_SECONDS
) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows under a lease; a row is claimed by one worker only."""
    now = timezone.localtime(now)
    # look further than ``limit`` so a worker racing another still finds rows it can win
    ids = (
        await OutboxMessage.filter(_claimable(now), next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .limit(limit * 4)
        .values_list("id", flat=True)
    )
    claimed: list[int] = []
    for message_id in ids:
        if len(claimed) >= limit:
            break
        if await _take(message_id, worker=worker, now=now, lease=lease):
            claimed.append(message_id)
    return await OutboxMessage.filter(id__in=claimed).order_by("id")


async def _take(message_id: int, *, worker: str, now: datetime, lease: float) -> bool:
    """Lease one row unless another worker holds it; counts an attempt."""
    return bool(
        await OutboxMessage.filter(_claimable(now), id=message_id).update(
            lease_owner=worker,
            lease_until=now + timedelta(seconds=lease),
            attempts=F("attempts") + 1,
        )
    )


async def deliver_now(
    *, message_id: int, senders: Mapping[str, Sender], worker: str, lease: float = LEASE_SECONDS
) -> str:
    """Try one row at once, whatever its schedule (someone is waiting for it); a row that is
    not delivered stays for the worker's next passes. Returns what ``deliver`` returns."""
    now = timezone.localtime(utcnow())
    if not await _take(message_id, worker=worker, now=now, lease=lease):
        return "lost"
    message = await OutboxMessage.get(id=message_id)
    return await deliver(message=message, senders=senders, worker=worker, now=now)


async def _finish(message: OutboxMessage, worker: str, **changes: Any) -> None:
    """Release the lease, moving the row's status through the table."""
    if "status" in changes:
        changes["status"] = TABLE.check(message.status, changes["status"]).value
    await OutboxMessage.filter(id=message.id, lease_owner=worker).update(
        lease_owner="", lease_until=None, **changes
    )


async def deliver(
    *, message: OutboxMessage, senders: Mapping[str, Sender], worker: str, now: datetime
) -> str:
    """Deliver one claimed row; returns delivered / retry / dead / uncertain / lost."""
    now = timezone.localtime(now)
    sender = senders.get(message.channel)
    if sender is None:
        await _finish(
            message, worker, next_attempt_at=now + backoff(message.attempts), last_error="no sender"
        )
        return "retry"
    if not sender.idempotent:
        if message.send_started_at is not None:
            log.warning("outbox %s: a worker stopped mid-send; not pushed again", message.id)
            await _finish(
                message,
                worker,
                status=DELIVERED,
                delivered_at=now,
                last_error="uncertain: earlier worker stopped mid-send, not resent",
            )
            return "uncertain"
        started = await OutboxMessage.filter(
            id=message.id, lease_owner=worker, status=PENDING
        ).update(send_started_at=now)
        if not started:
            return "lost"
    try:
        await sender.send(message)
    except RetryLater as exc:
        dead = message.attempts >= MAX_ATTEMPTS
        await _finish(
            message,
            worker,
            status=DEAD if dead else PENDING,
            send_started_at=None,
            next_attempt_at=now + backoff(message.attempts),
            last_error=str(exc)[:300],
        )
        return "dead" if dead else "retry"
    except GiveUp as exc:
        await _finish(message, worker, status=DEAD, send_started_at=None, last_error=str(exc)[:300])
        return "dead"
    await _finish(message, worker, status=DELIVERED, delivered_at=now, last_error="")
    return "delivered"


async def run_once(
    *,
    senders: Mapping[str, Sender],
    worker: str,
    now: datetime | None = None,
    limit: int = 50,
    lease: float = LEASE_SECONDS,
) -> dict[str, int]:
    """Claim and deliver one batch; returns counts per result."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    for message in await claim(worker=worker, now=now, limit=limit, lease=lease):
        try:
            result = await deliver(message=message, senders=senders, worker=worker, now=now)
        except Exception:
            log.exception("outbox %s: delivery crashed", message.id)
            result = "error"
        counts[result] = counts.get(result, 0) + 1
    return counts


async def inbox(
    *,
    subject_id: int | None = None,
    staff_id: int | None = None,
    department_ids: set[int] | None = None,
    limit: int = 50,
) -> list[Notification]:
    """The in-app list of a subject, or of a staff member and their departments."""
    if subject_id is not None:
        query = Notification.filter(subject_id=subject_id)
    else:
        cond = Q(staff_id=staff_id)
        if department_ids:
            cond |= Q(department_id__in=list(department_ids))
        query = Notification.filter(cond)
    return await query.order_by("-id").limit(limit)


def notification_view(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "template": row.template,
        "title": row.title,
        "body": row.body,
        "receipt": row.receipt or None,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "read": row.read_at is not None,
    }
