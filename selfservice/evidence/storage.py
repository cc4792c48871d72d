"""Where evidence bytes live: a small interface, with a local directory as the default.

Writes go to a temporary file that is renamed into place only when complete, so a failed or
rejected upload leaves nothing behind. Keys are generated here; no user input reaches a path.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

CHUNK = 64 * 1024
PARTIAL_DIR = ".partial"


class PendingWrite(Protocol):
    local_path: Path  # the bytes so far, readable for content checks before commit

    async def write(self, chunk: bytes) -> None: ...
    async def commit(self) -> str: ...
    async def abort(self) -> None: ...


class Storage(Protocol):
    async def begin(self) -> PendingWrite: ...
    def read(self, key: str, *, chunk: int = CHUNK) -> AsyncIterator[bytes]: ...
    async def delete(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...


class _LocalWrite:
    def __init__(self, root: Path, temp: Path, fd: int) -> None:
        self._root, self._temp, self._fd = root, temp, fd
        self.local_path = temp
        self._done = False

    async def write(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            written = await asyncio.to_thread(os.write, self._fd, view)
            view = view[written:]

    async def commit(self) -> str:
        name = uuid.uuid4().hex
        key = f"{name[:2]}/{name}"
        final = self._root / key
        await asyncio.to_thread(os.fsync, self._fd)
        self._close()
        await asyncio.to_thread(final.parent.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(os.replace, self._temp, final)
        self._done = True
        return key

    async def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._close()
        await asyncio.to_thread(self._temp.unlink, missing_ok=True)

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class LocalStorage:
    """Files under ``root`` named by random keys (``ab/ab12…``), created with mode 0600."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if len(parts) != 2 or not all(p.isalnum() for p in parts):
            raise ValueError("not a storage key")
        return self.root / parts[0] / parts[1]

    async def begin(self) -> _LocalWrite:
        partial = self.root / PARTIAL_DIR
        await asyncio.to_thread(partial.mkdir, parents=True, exist_ok=True)
        temp = partial / f"{uuid.uuid4().hex}.part"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = await asyncio.to_thread(os.open, temp, flags, 0o600)
        return _LocalWrite(self.root, temp, fd)

    async def read(self, key: str, *, chunk: int = CHUNK) -> AsyncIterator[bytes]:
        fd = await asyncio.to_thread(os.open, self._path(key), os.O_RDONLY)
        try:
            while block := await asyncio.to_thread(os.read, fd, chunk):
                yield block
        finally:
            os.close(fd)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    def files(self) -> list[Path]:
        """Every stored and partial file (for operators and tests)."""
        return [p for p in self.root.rglob("*") if p.is_file()] if self.root.exists() else []
