"""Appending to the hash-chained audit log, verifying the chain, and the subject's access listing."""

from __future__ import annotations

import asyncio
import hashlib
import json
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from selfservice.audit.models import AuditLog
from selfservice.enums import ActorKind

GENESIS = "0" * 64
_PG_LOCK_ID = 0x7879_6175  # "xyau": one advisory lock serialises appends across processes
_local_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Actor:
    """Who acted, as the audit log records it (never a name, never PII)."""

    kind: ActorKind
    id: str = ""
    role: str = ""
    department: str = ""


SYSTEM = Actor(ActorKind.SYSTEM, "system")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(entry: AuditLog) -> str:
    """SHA-256 over the entry's content and the previous entry's hash."""
    content = {
        "at": _canonical_time(entry.at),
        "actor_kind": str(entry.actor_kind),
        "actor_id": entry.actor_id,
        "actor_role": entry.actor_role,
        "actor_department": entry.actor_department,
        "action": entry.action,
        "target": entry.target,
        "subject_id": entry.subject_id,
        "purpose": entry.purpose,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
    }
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def _local_lock() -> asyncio.Lock:
    """One lock per event loop (tests run many loops in one process)."""
    loop = asyncio.get_running_loop()
    lock = _local_locks.get(loop)
    if lock is None:
        lock = _local_locks[loop] = asyncio.Lock()
    return lock


def _is_postgres() -> bool:
    return Tortoise.get_connection("default").capabilities.dialect == "postgres"


async def append(
    *,
    actor: Actor,
    action: str,
    target: str = "",
    subject_id: int | None = None,
    purpose: str = "",
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one entry at the end of the chain; appends are serialised so the chain never forks."""
    async with _local_lock(), in_transaction() as conn:
        if _is_postgres():
            await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [_PG_LOCK_ID])
        last = await AuditLog.all().using_db(conn).order_by("-id").first()
        entry = AuditLog(
            at=datetime.now(UTC),
            actor_kind=actor.kind,
            actor_id=actor.id[:64],
            actor_role=actor.role[:24],
            actor_department=actor.department[:100],
            action=action,
            target=target[:100],
            subject_id=subject_id,
            purpose=purpose,
            data=json.loads(json.dumps(data or {}, ensure_ascii=False)),
            prev_hash=last.hash if last else GENESIS,
        )
        entry.hash = entry_hash(entry)
        await entry.save(using_db=conn)
    return entry


async def verify_chain(*, batch: int = 500) -> ChainReport:
    """Recompute every hash in order; report the first entry whose hash or link does not match."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = await AuditLog.filter(id__gt=last_id).order_by("id").limit(batch)
        if not rows:
            return ChainReport(ok=True, checked=checked)
        for entry in rows:
            if entry.prev_hash != prev:
                return ChainReport(False, checked, entry.id, "prev_hash does not link")
            if entry_hash(entry) != entry.hash:
                return ChainReport(False, checked, entry.id, "content does not match its hash")
            prev, last_id, checked = entry.hash, entry.id, checked + 1


async def access_log(*, subject_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """Who (role and department, never a name) touched this subject's data, why and when."""
    rows = (
        await AuditLog.filter(subject_id=subject_id)
        .exclude(actor_kind=ActorKind.SUBJECT)
        .order_by("-id")
        .limit(limit)
    )
    return [
        {
            "at": entry.at.isoformat(),
            "actor_kind": str(entry.actor_kind),
            "role": entry.actor_role,
            "department": entry.actor_department,
            "action": entry.action,
            "purpose": entry.purpose,
        }
        for entry in rows
    ]
