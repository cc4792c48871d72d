"""File type by magic bytes: the name and the client's MIME type are never trusted."""

from __future__ import annotations

from dataclasses import dataclass

HEAD_BYTES = 16
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})


@dataclass(frozen=True, slots=True)
class FileType:
    kind: str
    media_type: str
    extension: str


JPEG = FileType("jpeg", "image/jpeg", "jpg")
PNG = FileType("png", "image/png", "png")
HEIC = FileType("heic", "image/heic", "heic")
PDF = FileType("pdf", "application/pdf", "pdf")
ALLOWED = (JPEG, PNG, HEIC, PDF)
BY_KIND = {t.kind: t for t in ALLOWED}


def sniff(head: bytes) -> FileType | None:
    """The allowed type whose signature ``head`` starts with, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    return None
