"""Evidence uploads: streamed into storage with limits, typed by magic bytes, deduplicated."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from tortoise.exceptions import IntegrityError

from selfservice.cases.access import can_see
from selfservice.cases.actors import Actor
from selfservice.cases.models import Case, CaseEvidence
from selfservice.errors import DomainError, NotFound, ValidationFailed
from selfservice.evidence.models import Evidence
from selfservice.evidence.sniff import HEAD_BYTES, FileType, sniff
from selfservice.evidence.storage import PendingWrite, Storage

NAME_MAX = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


class FileTooLarge(DomainError):
    status, code = 413, "evidence_too_large"
    message_zh, message_en = "文件过大", "File too large"


class UnsupportedFileType(DomainError):
    status, code = 415, "evidence_type_not_allowed"
    message_zh, message_en = (
        "仅支持 JPEG、PNG、HEIC 图片和 PDF 文件",
        "Only JPEG, PNG, HEIC images and PDF files are accepted",
    )


class EmptyFile(ValidationFailed):
    code = "evidence_empty"
    message_zh, message_en = "文件为空", "The file is empty"


class EvidenceNotFound(NotFound):
    code = "evidence_not_found"
    message_zh, message_en = "未找到该材料", "Evidence not found"


def display_name(raw: str) -> str:
    """The last path segment of a client-supplied name, stripped of control characters."""
    base = re.split(r"[\\/]", raw or "")[-1]
    base = _UNSAFE.sub("", base).strip().lstrip(".")
    return base[:NAME_MAX]


class Upload:
    """One file being received: bytes go straight to storage while size, hash and type are checked."""

    def __init__(self, *, storage: Storage, owner: Actor, max_bytes: int, name: str = "") -> None:
        self.storage, self.owner, self.max_bytes = storage, owner, max_bytes
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
        except DomainError:
            await self.abort()
            raise
        digest = self._hash.hexdigest()
        existing = await Evidence.get_or_none(owner=self.owner.owner, sha256=digest)
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


def view(row: Evidence) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "kind": row.kind,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "url": f"/api/v1/evidence/{row.id}",
    }
