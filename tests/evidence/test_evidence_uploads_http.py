"""Evidence uploads over HTTP: streaming limits, magic bytes, hostile names, concurrency, access."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from selfservice import db
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.cases.actors import Actor
from selfservice.enums import DepartmentLevel, StaffRole, SubjectKind
from selfservice.evidence.service import FileTooLarge, UnsupportedFileType, Upload
from selfservice.evidence.storage import LocalStorage
from selfservice.staff.models import Department, StaffUser
from selfservice.subjects.models import Subject

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"j" * 2000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"p" * 2000
PDF = b"%PDF-1.7\n" + b"d" * 2000
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"h" * 2000


def multipart(filename: str, content: bytes, *, field: str = "file", ctype: str = "image/jpeg"):
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'
    ).encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def seed() -> dict[str, int]:
    dept = await Department.create(
        code="KM-SCJG", name="市场监督管理局", level=DepartmentLevel.CITY, jurisdiction="kunming"
    )
    a = await Subject.create(
        kind=SubjectKind.LEGAL_PERSON, name="甲公司", uscc="91530100MA6K0R1X6T"
    )
    b = await Subject.create(
        kind=SubjectKind.LEGAL_PERSON, name="乙公司", uscc="91530100MA6K0R2X6T"
    )
    staff = await StaffUser.create(
        username="h",
        display_name="经办",
        password_hash="x",
        role=StaffRole.HANDLER,
        department=dept,
    )
    return {"a": a.id, "b": b.id, "staff": staff.id, "dept": dept.id}


@pytest.fixture
async def api(make_app, database):
    ids = await seed()
    await db.close()
    app = make_app(database, upload_max_bytes=256 * 1024)
    settings = app.ctx.settings

    def token(principal: Principal) -> dict[str, str]:
        return {
            "authorization": f"Bearer {issue_access_token(settings=settings, principal=principal)}"
        }

    heads = {
        "a": token(Principal(kind="subject", subject_id=ids["a"], scopes=("all",))),
        "b": token(Principal(kind="subject", subject_id=ids["b"], scopes=("all",))),
        "staff": token(
            Principal(
                kind="staff", staff_id=ids["staff"], roles=("handler",), department_id=ids["dept"]
            )
        ),
    }
    return app, heads, settings.upload_dir


async def post(app, headers, filename, content, **kw):
    body, ctype = multipart(filename, content, **kw)
    return await app.asgi_client.post("/api/v1/evidence", content=body, headers=headers | ctype)


@pytest.mark.parametrize(
    ("content", "kind"), [(JPEG, "jpeg"), (PNG, "png"), (PDF, "pdf"), (HEIC, "heic")]
)
async def test_upload_each_allowed_type_and_download(api, content, kind):
    app, heads, root = api
    _, res = await post(app, heads["a"], "photo.bin", content, ctype="application/octet-stream")
    assert res.status == 201, res.text
    assert res.json["kind"] == kind and res.json["size"] == len(content)
    assert res.json["sha256"] == hashlib.sha256(content).hexdigest()
    _, got = await app.asgi_client.get(res.json["url"], headers=heads["a"])
    assert got.status == 200 and got.body == content
    assert [p.read_bytes() for p in files_under(root)] == [content]


async def test_same_file_twice_reuses_the_entry(api):
    app, heads, root = api
    _, first = await post(app, heads["a"], "a.jpg", JPEG)
    _, again = await post(app, heads["a"], "renamed.jpg", JPEG)
    assert (first.status, again.status) == (201, 200) and again.json["id"] == first.json["id"]
    _, other_owner = await post(app, heads["b"], "a.jpg", JPEG)
    assert other_owner.status == 201 and other_owner.json["id"] != first.json["id"]
    assert len(files_under(root)) == 2


async def test_too_big_is_rejected_and_nothing_is_left(api):
    app, heads, root = api
    _, res = await post(app, heads["a"], "big.jpg", JPEG[:16] + b"x" * (1024 * 1024))
    assert res.status == 413 and res.json["error"]["code"] == "evidence_too_large"
    assert files_under(root) == []


async def test_limit_is_enforced_while_streaming(tmp_path):
    storage = LocalStorage(tmp_path)
    upload = Upload(storage=storage, owner=Actor("subject", "1", subject_id=1), max_bytes=100_000)
    await upload.write(JPEG[:16])
    for _ in range(6):
        await upload.write(b"x" * 16_000)
    assert len(storage.files()) == 1  # the partial file is being written
    with pytest.raises(FileTooLarge):
        await upload.write(b"x" * 16_000)  # the chunk that crosses the limit, not the end
    assert storage.files() == []


async def test_wrong_magic_bytes_with_an_image_name(api):
    app, heads, root = api
    for name, content in [
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 4000),  # a Windows executable
        ("scan.png", b"<html><script>alert(1)</script></html>" * 50),
        ("doc.pdf", b"PK\x03\x04" + b"z" * 4000),  # a zip
        ("tiny.jpg", b"\xff\xd8"),  # too short to be anything
    ]:
        _, res = await post(app, heads["a"], name, content, ctype="image/jpeg")
        assert res.status == 415, (name, res.text)
        assert res.json["error"]["code"] == "evidence_type_not_allowed"
    assert files_under(root) == []
    with pytest.raises(UnsupportedFileType):
        upload = Upload(
            storage=LocalStorage(root), owner=Actor("subject", "1", subject_id=1), max_bytes=10**6
        )
        await upload.write(b"GIF89a" + b"g" * 100)
    assert files_under(root) == []


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd.jpg",
        "..\\..\\windows\\win.ini.jpg",
        "/abs/path.jpg",
        "a\x00b.jpg",
        "....//x.jpg",
        "",
    ],
)
async def test_path_traversal_names_never_reach_the_filesystem(api, tmp_path, name):
    app, heads, root = api
    _, res = await post(app, heads["a"], name, JPEG)
    assert res.status == 201, res.text
    assert (
        "/" not in res.json["name"]
        and "\\" not in res.json["name"]
        and "\x00" not in res.json["name"]
    )
    stored = files_under(root)
    assert len(stored) == 1 and stored[0].resolve().is_relative_to(root.resolve())
    assert stored[0].name not in name and len(stored[0].name) == 32


@contextlib.asynccontextmanager
async def live(app) -> AsyncIterator[str]:
    """The app on a real socket (the ASGI test client starts the app once per request)."""
    server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True)
    await server.startup()
    await server.before_start()
    await server.after_start()
    port = server.server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        await server.close()
        await server.wait_closed()
        await server.after_stop()


async def chunked(body: bytes, size: int = 8192):
    for i in range(0, len(body), size):
        yield body[i : i + size]
        await asyncio.sleep(0)


async def test_ten_concurrent_uploads_streamed_over_a_socket(api):
    app, heads, root = api
    contents = [JPEG[:16] + bytes([i]) * (60_000 + i) for i in range(10)]
    async with live(app) as base, aiohttp.ClientSession() as http:

        async def send(i: int, content: bytes) -> tuple[int, dict]:
            body, ctype = multipart(f"{i}.jpg", content)
            async with http.post(
                f"{base}/api/v1/evidence", data=chunked(body), headers=heads["a"] | ctype
            ) as res:
                return res.status, await res.json()

        results = await asyncio.gather(*(send(i, c) for i, c in enumerate(contents)))
        assert [status for status, _ in results] == [201] * 10
        assert len({body["id"] for _, body in results}) == 10
        assert sorted(p.read_bytes() for p in files_under(root)) == sorted(contents)

        body, ctype = multipart("big.jpg", JPEG[:16] + b"x" * (4 * 1024 * 1024))
        try:
            async with http.post(
                f"{base}/api/v1/evidence", data=chunked(body), headers=heads["a"] | ctype
            ) as res:
                assert res.status == 413
        except aiohttp.ClientError:
            pass  # the server may close the socket before the client finishes sending
        assert len(files_under(root)) == 10


async def test_someone_elses_evidence_is_404(api):
    app, heads, _ = api
    _, res = await post(app, heads["a"], "a.jpg", JPEG)
    url = res.json["url"]
    for who in ("b", "staff"):  # staff not entitled: the file is on none of their cases
        _, got = await app.asgi_client.get(url, headers=heads[who])
        assert got.status == 404 and got.json["error"]["code"] == "evidence_not_found"
    _, got = await app.asgi_client.get(f"/api/v1/evidence/{uuid.uuid4()}", headers=heads["a"])
    assert got.status == 404
    _, got = await app.asgi_client.get("/api/v1/evidence/../../etc/passwd", headers=heads["a"])
    assert got.status == 404
    _, got = await app.asgi_client.get(url)
    assert got.status == 401


async def test_malformed_uploads(api):
    app, heads, root = api
    _, res = await app.asgi_client.post(
        "/api/v1/evidence", content=b"hello", headers=heads["a"] | {"content-type": "text/plain"}
    )
    assert res.status == 422 and res.json["error"]["code"] == "bad_multipart"
    _, res = await post(app, heads["a"], "a.jpg", JPEG, field="other")
    assert res.status == 422
    _, res = await post(app, heads["a"], "empty.jpg", b"")
    assert res.status == 422 and res.json["error"]["code"] == "evidence_empty"
    assert files_under(root) == []
