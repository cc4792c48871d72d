"""Evidence uploads: streamed into storage with limits, typed by magic bytes, deduplicated."""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from selfservice.accounts.models import AgentAuthorisation
from selfservice.cases.access import can_see
from selfservice.cases.actors import Actor
from selfservice.cases.models import Case, CaseEvidence
from selfservice.errors import DomainError, NotFound, ValidationFailed
from selfservice.evidence.inspect import BadContent, inspect
from selfservice.evidence.models import Evidence
from selfservice.evidence.sniff import HEAD_BYTES, FileType, sniff
from selfservice.evidence.storage import PendingWrite, Storage

NAME_MAX = 120
UNATTACHED_TTL = timedelta(days=1)
PURGE_BATCH = 500
LETTER_REF = "evidence:"  # an agent authorisation's letter_path naming its letter's evidence id
_UNSAFE = re.compile(r"[<>:\"|?*]")
# controls, format characters (bidi overrides and isolates, zero-width), separators, private use
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True, slots=True)
class Quota:
    files: int
    bytes: int


class FileTooLarge(DomainError):
    status, code = 413, "evidence_too_large"
    message_zh, message_en = "文件过大", "File too large"


class UnsupportedFileType(DomainError):
    status, code = 415, "evidence_type_not_allowed"
    message_zh, message_en = (
        "仅支持 JPEG、PNG、HEIC 图片和 PDF 文件",
        "Only JPEG, PNG, HEIC images and PDF files are accepted",
    )


class BadFileContent(DomainError):
    status, code = 415, "evidence_content_invalid"
    message_zh, message_en = (
        "文件内容无法识别为有效的图片或 PDF",
        "The file is not a valid image or PDF throughout",
    )


class QuotaExceeded(DomainError):
    status, code = 413, "evidence_quota_exceeded"
    message_zh, message_en = "已上传的材料超过存储限额", "Your evidence storage quota is used up"


class EmptyFile(ValidationFailed):
    code = "evidence_empty"
    message_zh, message_en = "文件为空", "The file is empty"


class EvidenceNotFound(NotFound):
    code = "evidence_not_found"
    message_zh, message_en = "未找到该材料", "Evidence not found"


def display_name(raw: str) -> str:
    """The last path segment of a client-supplied name, stripped of control characters."""
    base = re.split(r"[\\/]", raw or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in _HIDDEN)
    base = _UNSAFE.sub("", base).strip().lstrip(".")
    return base[:NAME_MAX]


async def check_quota(*, owner: str, quota: Quota | None, incoming: int) -> None:
    """Room for one more file of ``incoming`` bytes in the owner's quota, else QuotaExceeded.

    Checked once the file is received: the same bytes again reuse the stored file and pass.
    """
    if quota is None:
        return
    sizes = await Evidence.filter(owner=owner).values_list("size", flat=True)
    files, total = len(sizes), sum(sizes)
    if files + 1 > quota.files or total + incoming > quota.bytes:
        raise QuotaExceeded(details={"max_files": quota.files, "max_bytes": quota.bytes})


class Upload:
    """One file being received: bytes go straight to storage while size, hash and type are checked."""

    def __init__(
        self,
        *,
        storage: Storage,
        owner: Actor,
        max_bytes: int,
        name: str = "",
        quota: Quota | None = None,
    ) -> None:
        self.storage, self.owner, self.max_bytes = storage, owner, max_bytes
        self.quota = quota
        self.name = display_name(name)
        self.size = 0
        self.type: FileType | None = None
        self._hash = hashlib.sha256()
        self._head = b""
        self._pending: PendingWrite | None = None

    async def write(self, chunk: bytes) -> None:
        """Take the next chunk; a file over the limit or of a wrong type is rejected at once."""
        if not chunk:
            return
        if self._pending is None:
            self._pending = await self.storage.begin()
        self.size += len(chunk)
        if self.size > self.max_bytes:
            await self.abort()
            raise FileTooLarge(
                f"文件超过 {self.max_bytes // (1024 * 1024)} MB 上限",
                f"The file exceeds the {self.max_bytes} byte limit",
                details={"max_bytes": self.max_bytes},
            )
        if self.type is None and len(self._head) < HEAD_BYTES:
            self._head += chunk[: HEAD_BYTES - len(self._head)]
            if len(self._head) >= HEAD_BYTES:
                try:
                    self._check_type()
                except UnsupportedFileType:
                    await self.abort()
                    raise
        self._hash.update(chunk)
        await self._pending.write(chunk)

    def _check_type(self) -> None:
        self.type = sniff(self._head)
        if self.type is None:
            raise UnsupportedFileType()

    @property
    def digest(self) -> str:
        return self._hash.hexdigest()

    async def abort(self) -> None:
        if self._pending is not None:
            await self._pending.abort()

    async def finish(self) -> Evidence:
        """Store the file (or reuse the owner's identical one) and return its row."""
        try:
            if self.size == 0 or self._pending is None:
                raise EmptyFile()
            if self.type is None:
                self._check_type()
            assert self.type is not None
            try:
                await asyncio.to_thread(inspect, self._pending.local_path, self.type)
            except BadContent:
                raise BadFileContent() from None
            digest = self._hash.hexdigest()
            existing = await Evidence.get_or_none(owner=self.owner.owner, sha256=digest)
            if existing is None:
                await check_quota(owner=self.owner.owner, quota=self.quota, incoming=self.size)
        except DomainError:
            await self.abort()
            raise
        if existing is not None:
            await self.abort()
            return existing
        storage_key = await self._pending.commit()
        assert self.type is not None
        try:
            return await Evidence.create(
                id=uuid.uuid4(),
                owner=self.owner.owner,
                subject_id=self.owner.subject_id,
                kind=self.type.kind,
                media_type=self.type.media_type,
                size=self.size,
                sha256=digest,
                storage_key=storage_key,
                name=self.name or f"evidence.{self.type.extension}",
            )
        except IntegrityError:
            # the same owner uploaded the same bytes concurrently: keep theirs
            await self.storage.delete(storage_key)
            return await Evidence.get(owner=self.owner.owner, sha256=digest)


async def existing(*, actor: Actor, upload: Upload) -> Evidence | None:
    """The owner's earlier upload of the same bytes, if any (``upload`` fully received)."""
    return await Evidence.get_or_none(owner=actor.owner, sha256=upload.digest)


def _uuid(evidence_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(evidence_id))
    except ValueError:
        raise EvidenceNotFound() from None


async def get_visible(*, actor: Actor, evidence_id: str) -> Evidence:
    """The evidence if ``actor`` owns it or may see a case it is attached to; else 404."""
    row = await Evidence.get_or_none(id=_uuid(evidence_id))
    if row is None:
        raise EvidenceNotFound()
    if row.owner == actor.owner:
        return row
    if actor.kind in ("staff", "provider"):
        case_ids = await CaseEvidence.filter(evidence_id=row.id).values_list("case_id", flat=True)
        for case in await Case.filter(id__in=list(case_ids)):
            if await can_see(actor, case):
                return row
    raise EvidenceNotFound()


async def owned(*, actor: Actor, evidence_ids: list[str]) -> list[Evidence]:
    """The actor's own evidence rows for ``evidence_ids``; any other id is not found."""
    ids = list(dict.fromkeys(_uuid(e) for e in evidence_ids))
    rows = {r.id: r for r in await Evidence.filter(id__in=ids, owner=actor.owner)}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise EvidenceNotFound(details={"evidence": missing})
    return [rows[i] for i in ids]


async def purge_unattached(
    *,
    storage: Storage,
    older_than: timedelta = UNATTACHED_TTL,
    now: datetime | None = None,
    batch: int = PURGE_BATCH,
) -> int:
    """Delete evidence never attached to a case (nor an agent letter) within ``older_than``."""
    cutoff = (now or datetime.now(UTC)) - older_than
    loose = Evidence.filter(created_at__lt=cutoff, cases__id__isnull=True).order_by("id")
    purged = kept = 0
    while rows := await loose.offset(kept).limit(batch):
        refs = [f"{LETTER_REF}{r.id}" for r in rows]
        letters = set(
            await AgentAuthorisation.filter(letter_path__in=refs).values_list(
                "letter_path", flat=True
            )
        )
        for row in rows:
            if f"{LETTER_REF}{row.id}" in letters:
                kept += 1
                continue
            await storage.delete(row.storage_key)
            await row.delete()
            purged += 1
    return purged


def view(row: Evidence) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": display_name(row.name),
        "kind": row.kind,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "url": f"/api/v1/evidence/{row.id}",
    }
