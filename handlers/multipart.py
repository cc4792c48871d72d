"""A streaming multipart/form-data parser: parts come out as events while the body arrives."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser

MAX_HEADER = 16 * 1024


class MalformedMultipart(ValueError):
    pass


@dataclass
class Part:
    name: str
    filename: str | None
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def boundary_of(content_type: str) -> bytes:
    """The boundary of a ``multipart/form-data`` content type, or MalformedMultipart."""
    msg = Message()
    msg["content-type"] = content_type or ""
    if msg.get_content_type() != "multipart/form-data":
        raise MalformedMultipart("not multipart/form-data")
    boundary = msg.get_param("boundary")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70:
        raise MalformedMultipart("missing boundary")
    return boundary.encode("latin-1")


def _part(raw: bytes) -> Part:
    headers = HeaderParser().parsestr(raw.decode("utf-8", "replace"))
    disposition = Message()
    disposition["content-disposition"] = headers.get("content-disposition", "")
    if disposition.get_content_disposition() != "form-data":
        raise MalformedMultipart("part without form-data disposition")
    name = disposition.get_param("name", header="content-disposition")
    filename = disposition.get_filename()
    return Part(
        name=str(name or ""),
        filename=filename,
        content_type=headers.get("content-type", "text/plain"),
        headers={k.lower(): v for k, v in headers.items()},
    )


class MultipartParser:
    """Feed body chunks; get ``("part", Part)``, ``("data", bytes)``, ``("end", None)`` events."""

    def __init__(self, boundary: bytes) -> None:
        self._delim = b"--" + boundary
        self._body_delim = b"\r\n" + self._delim
        self._buf = b""
        self._state = "preamble"

    @property
    def done(self) -> bool:
        return self._state == "done"

    def feed(self, chunk: bytes) -> list[tuple[str, object]]:
        self._buf += chunk
        events: list[tuple[str, object]] = []
        while True:
            if self._state == "preamble":
                at = self._buf.find(self._delim)
                if at < 0:
                    if len(self._buf) > MAX_HEADER:
                        raise MalformedMultipart("no opening boundary")
                    return events
                self._buf = self._buf[at + len(self._delim) :]
                self._state = "after_boundary"
            elif self._state == "after_boundary":
                if len(self._buf) < 2:
                    return events
                mark, self._buf = self._buf[:2], self._buf[2:]
                if mark == b"--":
                    self._state, self._buf = "done", b""
                    return events
                if mark != b"\r\n":
                    raise MalformedMultipart("bad boundary line")
                self._state = "headers"
            elif self._state == "headers":
                at = self._buf.find(b"\r\n\r\n")
                if at < 0:
                    if len(self._buf) > MAX_HEADER:
                        raise MalformedMultipart("part headers too long")
                    return events
                events.append(("part", _part(self._buf[:at])))
                self._buf = self._buf[at + 4 :]
                self._state = "body"
            elif self._state == "body":
                at = self._buf.find(self._body_delim)
                if at < 0:
                    keep = len(self._body_delim) - 1
                    if len(self._buf) > keep:
                        events.append(("data", self._buf[:-keep]))
                        self._buf = self._buf[-keep:]
                    return events
                if at:
                    events.append(("data", self._buf[:at]))
                events.append(("end", None))
                self._buf = self._buf[at + len(self._body_delim) :]
                self._state = "after_boundary"
            else:
                return events
