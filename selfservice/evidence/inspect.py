"""Content checks deeper than magic bytes: the whole file must be what its first bytes claim.

A PDF must parse (pypdf), a JPEG or PNG must decode (Pillow), a HEIC must be a well-formed box
tree; nothing may follow the format's end, and no file may also read as a ZIP archive or carry
script markers (polyglots such as PNG+ZIP or JPEG+PHP).
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from selfservice.evidence.sniff import HEIC, JPEG, PDF, PNG, FileType

MAX_PIXELS = 40_000_000
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_END = b"\xff\xd9"
PDF_TAIL = 1024
_SCRIPT = re.compile(rb"<\?php|<script", re.IGNORECASE)  # long enough never to occur by chance


class BadContent(ValueError):
    """The bytes are not a clean file of the type they claim."""


def _no_polyglot(data: bytes) -> None:
    if _SCRIPT.search(data):
        raise BadContent("script marker")
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise BadContent("also a ZIP archive")


def _image(data: bytes, fmt: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise BadContent("too many pixels")
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.load()
    except (
        OSError,
        SyntaxError,
        ValueError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        struct.error,
    ) as exc:
        raise BadContent(f"does not decode: {exc}") from None


def _png(data: bytes) -> None:
    if not data.endswith(PNG_END):
        raise BadContent("data after the PNG end")
    _image(data, "PNG")


def _jpeg(data: bytes) -> None:
    if not data.rstrip(b"\x00").endswith(JPEG_END):
        raise BadContent("data after the JPEG end")
    _image(data, "JPEG")


def _pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_TAIL:]:
        raise BadContent("data after the PDF end")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            raise BadContent("no pages")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise BadContent(f"does not parse: {exc}") from None


def _heic(data: bytes) -> None:
    """Top-level ISO-BMFF boxes cover the file exactly: ``ftyp`` first, a ``meta`` box inside."""
    at, kinds = 0, []
    while at < len(data):
        if len(data) - at < 8:
            raise BadContent("truncated box")
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            if len(data) - at < 16:
                raise BadContent("truncated box")
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        elif size == 0:
            size = len(data) - at
        if size < 8 or at + size > len(data):
            raise BadContent("bad box size")
        kinds.append(kind)
        at += size
    if not kinds or kinds[0] != b"ftyp" or b"meta" not in kinds:
        raise BadContent("not a HEIF box tree")


CHECKS = {JPEG.kind: _jpeg, PNG.kind: _png, PDF.kind: _pdf, HEIC.kind: _heic}


def inspect(path: Path, file_type: FileType) -> None:
    """Raise BadContent unless the file at ``path`` is a clean ``file_type`` (blocking: run in a
    thread)."""
    data = Path(path).read_bytes()
    _no_polyglot(data)
    CHECKS[file_type.kind](data)
