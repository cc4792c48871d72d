"""Evidence uploads over HTTP: streaming limits, magic bytes, hostile names, concurrency, access."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path

import aiohttp
import pytest
from upload_samples import HEIC, JPEG, PDF, PHP, PNG, noise_jpeg, zip_of

from selfservice import db
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.cases.actors import Actor
from selfservice.enums import DepartmentLevel, StaffRole, SubjectKind
from selfservice.evidence import service as evidence_service
from selfservice.evidence.models import Evidence
from selfservice.evidence.service import FileTooLarge, UnsupportedFileType, Upload
from selfservice.evidence.storage import LocalStorage
from selfservice.staff.models import Department, StaffUser
from selfservice.subjects.models import Subject


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


async def chunked(body: bytes, size: int = 8192):
    for i in range(0, len(body), size):
        yield body[i : i + size]
        await asyncio.sleep(0)


async def test_ten_concurrent_uploads_streamed_over_a_socket(api, serve_app):
    app, heads, root = api
    contents = [noise_jpeg(i) for i in range(10)]
    async with serve_app(app) as base, aiohttp.ClientSession() as http:

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


def text_part_then_file(text_size: int) -> tuple[bytes, str]:
    """A multipart body whose first part is a text field of ``text_size`` bytes."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n'.encode()
        + b"t" * text_size
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="a.jpg"\r\n\r\n'.encode()
        + JPEG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


async def test_a_40mb_text_part_is_refused_with_413(api, serve_app):
    app, heads, root = api
    body, ctype = text_part_then_file(40 * 1024 * 1024)
    _, res = await app.asgi_client.post(
        "/api/v1/evidence", content=body, headers=heads["a"] | {"content-type": ctype}
    )
    assert res.status == 413 and res.json["error"]["code"] == "evidence_too_large"
    async with serve_app(app) as base, aiohttp.ClientSession() as http:
        status = None
        try:  # chunked: no Content-Length to refuse up front, the stream itself is counted
            async with http.post(
                f"{base}/api/v1/evidence",
                data=chunked(body, 256 * 1024),
                headers=heads["a"] | {"content-type": ctype},
            ) as res:
                status = res.status
        except aiohttp.ClientError:
            status = 413  # the server closed the socket after answering, before the end
        assert status == 413
    assert files_under(root) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("png+zip", PNG + zip_of("shell.php", PHP)),
        ("jpeg+php", JPEG + PHP),
        ("php in a jpeg comment", JPEG[:2] + b"\xff\xfe\x00\x20" + PHP + JPEG[2:]),
        ("pdf+zip", PDF + zip_of("a.exe", b"MZ" * 100)),
        ("pdf that does not parse", b"%PDF-1.7\n" + b"d" * 2000 + b"\n%%EOF\n"),
        ("truncated png", PNG[: len(PNG) // 2] + PNG[-12:]),
        ("jpeg header on noise", JPEG[:20] + b"\x00" * 2000 + b"\xff\xd9"),
        ("heic with trailing zip", HEIC + zip_of("a", b"b")),
        ("heic without meta", HEIC[:24] + HEIC[-72:]),
    ],
)
async def test_polyglots_and_undecodable_files_are_refused(api, name, content):
    app, heads, root = api
    _, res = await post(app, heads["a"], "x.jpg", content)
    assert res.status == 415, (name, res.text)
    assert res.json["error"]["code"] in ("evidence_content_invalid", "evidence_type_not_allowed")
    assert files_under(root) == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("a\u2066b\u2069c\u200b.pdf", "abc.pdf"),
        ("\u200fsigned\u061c.png", "signed.png"),
        ("line\u2028break\u0085.jpg", "linebreak.jpg"),
    ],
)
async def test_bidi_and_control_characters_never_reach_staff(api, raw, shown):
    app, heads, _ = api
    _, res = await post(app, heads["a"], raw, JPEG)
    assert res.status == 201 and res.json["name"] == shown
    # a name stored before this check existed is cleaned when shown
    row = Evidence(id=uuid.uuid4(), name=raw, kind="jpeg", media_type="image/jpeg", size=1)
    assert evidence_service.view(row)["name"] == shown


async def test_per_owner_quota_of_files_and_bytes(make_app, database):
    ids = await seed()
    await db.close()
    first, second = noise_jpeg(1), noise_jpeg(2)
    for who, overrides in (
        ("a", {"upload_quota_files": 2}),
        ("b", {"upload_quota_bytes": len(first) + len(second) // 2}),
    ):
        app = make_app(database, **overrides)
        principal = Principal(kind="subject", subject_id=ids[who], scopes=("all",))
        token = issue_access_token(settings=app.ctx.settings, principal=principal)
        heads = {"authorization": f"Bearer {token}"}
        codes = []
        for content in (first, second, noise_jpeg(3)):
            _, res = await post(app, heads, "x.jpg", content)
            codes.append(res.status if res.status < 400 else res.json["error"]["code"])
        if who == "a":
            assert codes == [201, 201, "evidence_quota_exceeded"]
        else:
            assert codes == [201, "evidence_quota_exceeded", "evidence_quota_exceeded"]
        _, again = await post(app, heads, "again.jpg", first)
        assert again.status == 200  # the same bytes again take no new room
