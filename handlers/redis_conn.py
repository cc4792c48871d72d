"""One auto-pipelined Redis connection per worker: commands issued in one pass of the event loop
leave in one write, and Redis answers them in one.

Under load most of a WeChat message's cost was system calls: two round trips to Redis, each a
write and a read at both ends, per message. Coalescing the commands of concurrent requests cuts
those several-fold (``bench/bench_wechat.py``). Replies are parsed by hiredis, Redis's own C parser;
they come back in the order the commands were sent, so each resolves the oldest waiting future.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import hiredis

DEFAULT_TIMEOUT = 5.0


class RedisError(Exception):
    """Anything that went wrong talking to Redis."""


class RedisUnavailable(RedisError, ConnectionError):
    """No connection, or no answer within the timeout (the connection is then dropped)."""


class ReplyError(RedisError):
    """Redis answered with an error (``-ERR ...``)."""


@dataclass(frozen=True, slots=True)
class Address:
    host: str = "127.0.0.1"
    port: int = 6379
    path: str = ""
    db: int = 0
    username: str = ""
    password: str = ""
    tls: bool = False


def parse_url(url: str) -> Address:
    """``redis://[user:pass@]host[:port][/db]``, ``rediss://`` (TLS), ``unix:///path?db=N``."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"not a Redis URL: {parts.scheme}://")
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    unix = parts.scheme == "unix"
    db = query.get("db") if unix else query.get("db") or parts.path.strip("/")
    return Address(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 6379,
        path=parts.path if unix else "",
        db=int(db or 0),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        tls=parts.scheme == "rediss",
    )


class _Protocol(asyncio.Protocol):
    """One connection: its outgoing buffer, and the futures waiting for replies, oldest first."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.reader = hiredis.Reader(encoding="utf-8", errors="replace")
        self.waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self.outgoing: list[bytes] = []
        self.flush_at: asyncio.Handle | None = None
        self.watchdog: asyncio.TimerHandle | None = None
        self.transport: asyncio.Transport | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while True:
            try:
                reply = self.reader.gets()
            except hiredis.ProtocolError:
                self.fail(RedisUnavailable("Redis sent something that is not RESP"))
                return
            if reply is False:
                return
            if not self.waiting:
                self.fail(RedisUnavailable("Redis answered a command nobody sent"))
                return
            future, _ = self.waiting.popleft()
            if future.done():
                continue
            if isinstance(reply, hiredis.ReplyError):
                future.set_exception(ReplyError(str(reply)))
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(RedisUnavailable(f"connection to Redis lost: {exc or 'closed'}"))

    def fail(self, error: RedisError) -> None:
        self.lost = True
        self.outgoing.clear()
        for handle in (self.flush_at, self.watchdog):
            if handle is not None:
                handle.cancel()
        while self.waiting:
            future, _ = self.waiting.popleft()
            if not future.done():
                future.set_exception(error)
        if self.transport is not None:
            self.transport.abort()

    def send(self, packed: bytes) -> asyncio.Future[Any]:
        """Queue one command; everything queued in this loop pass is written at its end."""
        if self.lost:
            raise RedisUnavailable("connection to Redis lost")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.waiting.append((future, time.monotonic()))
        self.outgoing.append(packed)
        if self.flush_at is None:
            self.flush_at = loop.call_soon(self._flush)
        if self.watchdog is None:
            self.watchdog = loop.call_later(self.timeout / 2, self._check)
        return future

    def _flush(self) -> None:
        self.flush_at = None
        data, self.outgoing = b"".join(self.outgoing), []
        if not self.lost and self.transport is not None:
            self.transport.write(data)

    def _check(self) -> None:
        """Drop the connection when its oldest command waits longer than the timeout."""
        self.watchdog = None
        if self.lost or not self.waiting:
            return
        if time.monotonic() - self.waiting[0][1] > self.timeout:
            self.fail(RedisUnavailable("Redis did not answer in time"))
            return
        self.watchdog = asyncio.get_running_loop().call_later(self.timeout / 2, self._check)


class Connection:
    """Lazily connected, reconnects on the next command after a loss; ``timeout`` per command."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.address, self.timeout = parse_url(url), timeout
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None

    async def execute(self, *args: str | bytes | int | float) -> Any:
        protocol = self._protocol
        if protocol is None or protocol.lost:
            protocol = await self._connect()
        return await protocol.send(hiredis.pack_command(args))

    async def evalsha(self, script: Script, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """Run a Lua script by its digest; sends its text once if Redis does not know it yet."""
        try:
            return await self.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        return await self.execute("EVAL", script.text, len(keys), *keys, *args)

    async def _connect(self) -> _Protocol:
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._open())
        connecting = self._connecting
        try:
            return await asyncio.shield(connecting)
        finally:
            if self._connecting is connecting and connecting.done():
                self._connecting = None

    async def _open(self) -> _Protocol:
        loop, a = asyncio.get_running_loop(), self.address

        def make() -> _Protocol:
            return _Protocol(self.timeout)

        try:
            async with asyncio.timeout(self.timeout):
                if a.path:
                    _, protocol = await loop.create_unix_connection(make, a.path)
                else:
                    context = ssl.create_default_context() if a.tls else None
                    _, protocol = await loop.create_connection(make, a.host, a.port, ssl=context)
                setup = []
                if a.password:
                    auth = (a.username, a.password) if a.username else (a.password,)
                    setup.append(protocol.send(hiredis.pack_command(("AUTH", *auth))))
                if a.db:
                    setup.append(protocol.send(hiredis.pack_command(("SELECT", a.db))))
                try:
                    await asyncio.gather(*setup)
                except RedisError:
                    protocol.fail(RedisUnavailable("Redis refused the connection setup"))
                    raise
        except (OSError, TimeoutError) as exc:
            raise RedisUnavailable(f"cannot reach Redis: {exc or 'timeout'}") from None
        self._protocol = protocol
        return protocol

    async def close(self) -> None:
        if self._protocol is not None:
            self._protocol.fail(RedisUnavailable("connection closed"))
            self._protocol = None


@dataclass(frozen=True, slots=True)
class Script:
    text: str
    sha: str

    @classmethod
    def of(cls, text: str) -> Script:
        return cls(text, hashlib.sha1(text.encode()).hexdigest())  # noqa: S324 - Redis's digest
