"""Evidence uploads (multipart, streamed to storage) and downloads for the owner or entitled staff."""

from __future__ import annotations

from dataclasses import dataclass

from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from handlers.auth import authenticate, check_scope
from handlers.multipart import MalformedMultipart, MultipartParser, Part, boundary_of
from handlers.schemas import error
from selfservice.cases.actors import Actor, actor_of
from selfservice.errors import DomainError, Forbidden, ValidationFailed
from selfservice.evidence import service
from selfservice.evidence.models import Evidence
from selfservice.evidence.service import FileTooLarge
from selfservice.evidence.storage import LocalStorage

bp = Blueprint("evidence", url_prefix="/api/v1/evidence")

EVIDENCE = {
    "id": str,
    "name": str,
    "kind": str,
    "media_type": str,
    "size": int,
    "sha256": str,
    "created_at": str,
    "url": str,
}
FILE_FIELD = "file"
FIELD_MAX = 4096  # a text field of an upload form
FORM_OVERHEAD = 64 * 1024  # part headers and text fields around the file
# evidence goes with a filing; an agent reads it back only if it may file or follow cases
UPLOAD_SCOPES = ("objection", "repair", "pledge")
READ_SCOPES = (*UPLOAD_SCOPES, "progress")


def storage_of(request: Request) -> LocalStorage:
    return LocalStorage(request.app.ctx.settings.upload_dir)


async def _uploader(request: Request) -> Actor:
    principal = await authenticate(request)
    actor = actor_of(principal)
    if (actor.kind == "subject" and actor.subject_id is None) or actor.kind == "provider":
        raise Forbidden("请先完成身份核验", "Identity verification required", code="not_verified")
    check_scope(principal, *UPLOAD_SCOPES)
    return actor


class BadUpload(ValidationFailed):
    code = "bad_multipart"
    message_zh, message_en = (
        "上传格式有误：需要一个名为 file 的文件字段",
        "Send one multipart field named file",
    )


class RequestTooLarge(FileTooLarge):
    """The whole upload request, text parts included, is over the cap."""

    message_zh, message_en = "上传内容过大", "The upload request is too large"


@dataclass
class Received:
    row: Evidence
    created: bool
    fields: dict[str, str]


def _too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(details={"max_bytes": limit})


async def receive(
    request: Request,
    *,
    owner: Actor,
    file_field: str = FILE_FIELD,
    text_fields: frozenset[str] = frozenset(),
) -> Received:
    """The one upload path: a streamed multipart body with one file (stored as evidence after
    its content checks) and a few short text fields. The whole body is capped, not only the file.
    """
    settings = request.app.ctx.settings
    quota = service.Quota(settings.upload_quota_files, settings.upload_quota_bytes)
    limit = settings.upload_max_bytes + FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    try:
        parser = MultipartParser(boundary_of(request.headers.get("content-type", "")))
    except MalformedMultipart:
        raise BadUpload() from None
    current: service.Upload | None = None
    fields: dict[str, str] = {}
    field: bytearray | None = None
    field_name = ""
    in_file, row, before, total = False, None, None, 0
    try:
        while (chunk := await request.stream.read()) is not None:
            total += len(chunk)
            if total > limit:
                raise _too_large(limit)
            for event, value in parser.feed(chunk):
                if event == "part":
                    part: Part = value  # type: ignore[assignment]
                    in_file = part.name == file_field and part.filename is not None
                    field = bytearray() if not in_file and part.name in text_fields else None
                    if in_file and current is not None:
                        raise BadUpload("一次只能上传一个文件", "One file per request")
                    if in_file:
                        current = service.Upload(
                            storage=storage_of(request),
                            owner=owner,
                            max_bytes=settings.upload_max_bytes,
                            name=part.filename or "",
                            quota=quota,
                        )
                    elif field is not None:
                        field_name = part.name
                elif event == "data" and in_file and current is not None:
                    await current.write(value)  # type: ignore[arg-type]
                elif event == "data" and field is not None:
                    field += value  # type: ignore[operator]
                    if len(field) > FIELD_MAX:
                        raise _too_large(FIELD_MAX)
                elif event == "end" and in_file and current is not None:
                    in_file = False
                    before = await service.existing(actor=owner, upload=current)
                    row = await current.finish()
                elif event == "end" and field is not None:
                    fields[field_name] = field.decode("utf-8", "replace")
                    field = None
        if not parser.done or current is None or row is None:
            raise BadUpload()
    except (DomainError, MalformedMultipart) as exc:
        if current is not None:
            await current.abort()
        if isinstance(exc, MalformedMultipart):
            raise BadUpload() from None
        raise
    except BaseException:
        if current is not None:
            await current.abort()
        raise
    return Received(row=row, created=before is None, fields=fields)


@bp.post("/", stream=True)
@openapi.summary("Upload one evidence file (multipart field `file`; JPEG, PNG, HEIC or PDF)")
@openapi.description(
    "The body is streamed to storage and never held in memory; the whole request is capped. The "
    "type is decided by the file's magic bytes, not its name or declared type, and the whole "
    "file must then parse (PDF) or decode (image) with nothing appended. Files never attached "
    "to a case are deleted after a day; each owner has a quota of files and bytes. The same "
    "file uploaded again by the same owner returns the existing entry (200 instead of 201)."
)
@openapi.secured("bearer")
@openapi.body(
    {"multipart/form-data": {"file": {"type": "string", "format": "binary"}}}, required=True
)
@openapi.response(201, {"application/json": EVIDENCE}, "stored")
@openapi.response(200, {"application/json": EVIDENCE}, "same file already uploaded by this owner")
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("not_verified, agent_scope_denied"))
@openapi.response(413, *error("evidence_too_large, evidence_quota_exceeded"))
@openapi.response(415, *error("evidence_type_not_allowed, evidence_content_invalid"))
@openapi.response(422, *error("bad_multipart, evidence_empty"))
async def upload(request: Request) -> JSONResponse:
    actor = await _uploader(request)
    received = await receive(request, owner=actor)
    return json(service.view(received.row), status=201 if received.created else 200)


@bp.get("/<evidence_id:str>")
@openapi.summary("Download an evidence file (its owner, or staff entitled to a case it is on)")
@openapi.secured("bearer")
@openapi.response(200, {"application/octet-stream": str}, "the file")
@openapi.response(401, *error("unauthorized, invalid_token"))
@openapi.response(403, *error("agent_scope_denied"))
@openapi.response(404, *error("evidence_not_found (also for someone else's file)"))
async def download(request: Request, evidence_id: str):
    principal = await authenticate(request)
    check_scope(principal, *READ_SCOPES)
    actor = actor_of(principal)
    row = await service.get_visible(actor=actor, evidence_id=evidence_id)
    response = await request.respond(
        content_type=row.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="evidence.{row.kind}"',
            "Content-Length": str(row.size),
            "Cache-Control": "private, no-store",
        },
    )
    async for block in storage_of(request).read(row.storage_key):
        await response.send(block)
    await response.eof()
