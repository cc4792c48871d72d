"""Small real files of each accepted upload type, and hostile variants of them."""

from __future__ import annotations

import io
import random
import struct
import zipfile

from PIL import Image
from pypdf import PdfWriter


def _image(fmt: str, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, format=fmt)
    return out.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _heic() -> bytes:
    return (
        _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic")
        + _box(b"meta", b"\x00" * 24)
        + _box(b"mdat", b"h" * 64)
    )


def zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


JPEG = _image("JPEG")
PNG = _image("PNG")
PDF = _pdf()
HEIC = _heic()
PHP = b"<?php system($_GET['c']); ?>"


def noise_jpeg(seed: int, side: int = 160) -> bytes:
    """A distinct, poorly compressible JPEG (tens of kB) per ``seed``."""
    pixels = random.Random(seed).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, format="JPEG", quality=95)
    return out.getvalue()
