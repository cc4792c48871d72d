"""Identity test fixtures: fresh apps on the test database, a fake WeChat API and a fake SMS gateway."""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from aiohttp import web
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from handlers.app import create_app
from selfservice import db
from selfservice.enums import DepartmentLevel, StaffRole, SubjectKind
from selfservice.settings import Secret, Settings
from selfservice.staff.models import Department, StaffUser
from selfservice.staff.passwords import hash_password
from selfservice.subjects import service as subjects

MINI_APPID, MINI_SECRET = "wxmini0000000001", "mini-secret"
SMS_TOKEN = "sms-gateway-token"
PASSWORD = "correct horse battery"

# Demo-like people and enterprises (the same numbers as selfservice/demo/data.py).
ZHANG_ID, ZHANG_PHONE = "530102196001010016", "13988000001"
LI_ID, LI_PHONE = "530111198802143316", "13988000002"
DIANCHI_USCC = "91530102MA6KQ1B2CK"
DIANCHI_REP_ID, DIANCHI_PHONE = "530102198003152017", "13888000001"


class FakeWeChat:
    """``/sns/jscode2session`` as WeChat answers it, one error per magic code."""

    ERRORS = {
        "used": (40029, "invalid code"),
        "flood": (45011, "api minute-quota reach limit"),
        "risky": (40226, "high risk user"),
        "busy": (-1, "system error"),
    }

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        return app

    async def jscode2session(self, request: web.Request) -> web.Response:
        q = dict(request.query)
        self.calls.append(q)
        if (q.get("appid"), q.get("secret"), q.get("grant_type")) != (
            MINI_APPID,
            MINI_SECRET,
            "authorization_code",
        ):
            body = {"errcode": 40013, "errmsg": "invalid appid"}
        elif q["js_code"] in self.ERRORS:
            errcode, errmsg = self.ERRORS[q["js_code"]]
            body = {"errcode": errcode, "errmsg": errmsg}
        else:
            user = q["js_code"].split("-")[0]
            body = {"openid": f"oMini-{user}", "session_key": "U0VTU0lPTktFWQ=="}
            if not q["js_code"].endswith("-nounion"):
                body["unionid"] = f"oUnion-{user}"
        # WeChat really answers text/plain
        return web.Response(text=json.dumps(body), content_type="text/plain")


class FakeSms:
    """An SMS provider endpoint: checks the bearer token and keeps every message."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.fail_with: int | None = None
        self.reply_code = "OK"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/sms/send", self.send)
        return app

    async def send(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {SMS_TOKEN}":
            return web.json_response({"code": "unauthorized"}, status=401)
        if self.fail_with:
            return web.Response(status=self.fail_with, text="upstream error")
        body = await request.json()
        self.messages.append(body)
        return web.json_response({"code": self.reply_code, "request_id": body["request_id"]})

    def last_code(self, phone: str) -> str:
        for message in reversed(self.messages):
            if message["phone"] == phone:
                return message["params"]["code"]
        raise AssertionError(f"no SMS to {phone}")


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def fake_wechat() -> AsyncIterator[tuple[FakeWeChat, str]]:
    fake = FakeWeChat()
    runner, url = await _serve(fake.app())
    yield fake, url
    await runner.cleanup()


@pytest.fixture
async def fake_sms() -> AsyncIterator[tuple[FakeSms, str]]:
    fake = FakeSms()
    runner, url = await _serve(fake.app())
    yield fake, url + "/sms/send"
    await runner.cleanup()


class Client:
    """A started app (listeners run once) reached over ASGI with httpx."""

    def __init__(self, app, ip: str = "203.0.113.7") -> None:
        self.app = app
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(ip, 40000)),
            base_url="http://testserver",
        )

    async def start(self) -> Client:
        self.app.asgi = True
        self.app.config.TOUCHUP = False  # touch-up recompiles shared methods: once per process
        await self.app._startup()
        await self.app._server_event("init", "before")
        await self.app._server_event("init", "after")
        return self

    async def stop(self) -> None:
        await self.http.aclose()
        await self.app._server_event("shutdown", "before")
        await self.app._server_event("shutdown", "after")

    async def request(self, method: str, url: str, *, token: str | None = None, **kw):
        headers = dict(kw.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return await self.http.request(method, url, headers=headers, **kw)

    async def get(self, url: str, **kw):
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw):
        return await self.request("POST", url, **kw)

    async def delete(self, url: str, **kw):
        return await self.request("DELETE", url, **kw)


async def _empty_database(database_url: str) -> None:
    EXECUTOR_CACHE.clear()
    if database_url.startswith("postgres"):
        await db.connect(database_url)
        conn = Tortoise.get_connection("default")
        rows = await conn.execute_query_dict(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename<>'tortoise_migrations'"
        )
        names = ", ".join(f'"{r["tablename"]}"' for r in rows)
        await conn.execute_script(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        await db.close()


@pytest.fixture
def identity_settings(settings: Settings, database_url: str, fake_sms, fake_wechat) -> Settings:
    return dataclasses.replace(
        settings,
        database_url=database_url,
        sms_gateway_url=fake_sms[1],
        sms_gateway_token=Secret(SMS_TOKEN),
        wechat_api_base=fake_wechat[1],
        miniprogram_appid=MINI_APPID,
        miniprogram_secret=Secret(MINI_SECRET),
    )


@pytest.fixture
async def make_client(identity_settings: Settings) -> AsyncIterator[Callable]:
    """``await make_client(**overrides)`` → a started Client; all are stopped at the end."""
    await _empty_database(identity_settings.database_url)
    started: list[Client] = []
    # one address per test: other test runs may share the Redis database at the same time
    ip = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"

    async def make(**overrides) -> Client:
        settings = dataclasses.replace(identity_settings, **overrides)
        app = create_app(settings, name=f"t{uuid.uuid4().hex[:12]}")
        client = await Client(app, ip).start()
        started.append(client)
        return client

    yield make
    for client in reversed(started):
        await client.stop()


@pytest.fixture
async def client(make_client) -> Client:
    return await make_client()


async def seed_registry() -> dict:
    """Departments (city + county child), two citizens, one enterprise: demo-like values."""
    km_fgw = await Department.create(
        code="KM-FGW",
        name="昆明市信用办",
        level=DepartmentLevel.CITY,
        jurisdiction="kunming",
        region_code="530100",
    )
    km_scjg = await Department.create(
        code="KM-SCJG",
        name="昆明市市场监督管理局",
        level=DepartmentLevel.CITY,
        jurisdiction="kunming",
        region_code="530100",
    )
    wh_scjg = await Department.create(
        code="KM-WH-SCJG",
        name="五华区市场监督管理局",
        level=DepartmentLevel.COUNTY,
        jurisdiction="kunming",
        region_code="530102",
        parent=km_scjg,
    )
    yx_fgw = await Department.create(
        code="YX-FGW",
        name="玉溪市信用办",
        level=DepartmentLevel.CITY,
        jurisdiction="yuxi",
        region_code="530400",
    )
    zhang = await subjects.upsert(
        kind=SubjectKind.NATURAL_PERSON,
        name="张三",
        id_number=ZHANG_ID,
        phone=ZHANG_PHONE,
        region_code="530102",
    )
    li = await subjects.upsert(
        kind=SubjectKind.NATURAL_PERSON,
        name="李四",
        id_number=LI_ID,
        phone=LI_PHONE,
        region_code="530111",
    )
    dianchi = await subjects.upsert(
        kind=SubjectKind.LEGAL_PERSON,
        name="昆明滇池蓝湾餐饮管理有限公司",
        uscc=DIANCHI_USCC,
        legal_rep_name="李明",
        legal_rep_id=DIANCHI_REP_ID,
        phone=DIANCHI_PHONE,
        region_code="530102",
    )
    return {
        "km_fgw": km_fgw,
        "km_scjg": km_scjg,
        "wh_scjg": wh_scjg,
        "yx_fgw": yx_fgw,
        "zhang": zhang,
        "li": li,
        "dianchi": dianchi,
    }


_HASH_CACHE: dict[str, str] = {}


async def make_staff(username: str, role: str, department: Department) -> StaffUser:
    if PASSWORD not in _HASH_CACHE:
        _HASH_CACHE[PASSWORD] = hash_password(PASSWORD)
    return await StaffUser.create(
        username=username,
        display_name=f"{username} 显示名",
        password_hash=_HASH_CACHE[PASSWORD],
        role=StaffRole(role),
        department=department,
    )


async def staff_token(client: Client, username: str) -> str:
    resp = await client.post(
        "/api/v1/staff/login", json={"username": username, "password": PASSWORD}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


async def h5_login(client: Client, sms: FakeSms, phone: str) -> dict:
    resp = await client.post("/api/v1/auth/otp", json={"phone": phone})
    assert resp.status_code == 202, resp.text
    resp = await client.post("/api/v1/auth/h5", json={"phone": phone, "code": sms.last_code(phone)})
    assert resp.status_code == 200, resp.text
    return resp.json()


async def verify_citizen(
    client: Client, sms: FakeSms, token: str, name: str, id_number: str, phone: str
) -> dict:
    resp = await client.post(
        "/api/v1/identity/verify",
        token=token,
        json={"kind": "citizen", "name": name, "id_number": id_number},
    )
    assert resp.status_code == 202, resp.text
    resp = await client.post(
        "/api/v1/identity/verify/confirm",
        token=token,
        json={"challenge": resp.json()["challenge"], "code": sms.last_code(phone)},
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def digits_of(text: str) -> set[str]:
    return set(re.findall(r"\d{11,18}", text))
