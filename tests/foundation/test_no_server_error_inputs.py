"""Hostile inputs on every route of the app, for every kind of caller: never a 5xx."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
import asyncpg
import pytest
from sanic.response import text

from selfservice import db
from selfservice.accounts.models import Account
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.enums import DepartmentLevel, StaffRole, SubjectKind
from selfservice.staff.models import Department, StaffUser
from selfservice.subjects.models import Subject

BIG = (2**31, 2**63, 2**64 + 7, -(2**63) - 1, 10**40)
LONG = "Y" * 5000
NUL = "a\x00b"
TEXTS = (LONG, NUL, "\u202etxt.exe", "nonsense_enum", "%00", "'; drop table x;--")
QUERY_NAMES = (
    "page",
    "per_page",
    "years",
    "format",
    "nature",
    "severity",
    "class",
    "status",
    "provider",
    "from",
    "to",
    "queue",
    "kind",
    "department_id",
    "receipt",
    "filed_from",
    "filed_to",
    "q",
    "signature",
    "timestamp",
    "nonce",
    "echostr",
)
# this app has no mini-program configured: its sign-in route says so with a 503
NOT_CONFIGURED = {"wechat_not_configured"}
QUERY_CALLERS = ("anonymous", "subject", "agent", "staff")
BODY_FIELDS = (
    "record_id",
    "authorisation_id",
    "assignee_id",
    "days",
    "valid_days",
    "type",
    "statement",
    "reason",
    "opinion",
    "action",
    "outcome",
    "text",
    "session_id",
    "channel",
    "phone",
    "code",
    "username",
    "password",
    "refresh_token",
    "kind",
    "name",
    "id_number",
    "uscc",
    "challenge",
    "approve",
    "scopes",
    "evidence",
    "changes",
)


def path_values(route) -> list[dict[str, str]]:
    """Hostile values for each path parameter of ``route`` (at least one call for static paths)."""
    names = list(route.params.values())
    if not names:
        return [{}]
    values = [str(v) for v in BIG] + [quote(t, safe="") for t in TEXTS]
    return [{p.name: v for p in names} for v in values]


def fill(route, values: dict[str, str]) -> str:
    path = "/" + route.path.lstrip("/")
    for param in route.params.values():
        path = path.replace(f"<{param.raw_path.strip('<>')}>", values[param.name])
    return path.replace("<__file_uri__:path>", "x")


def bodies() -> list[object]:
    out: list[object] = [[], "text", 12, None]
    for value in (*BIG, *TEXTS, ["x" * 5000] * 3, {"a": 2**70}, -1, 0):
        out.append({name: value for name in BODY_FIELDS})
    return out


def queries() -> list[str]:
    """Every known parameter at once, except long values: one parameter at a time (URL limit)."""
    out = [f"{n}={LONG}" for n in QUERY_NAMES]
    for value in (*BIG, *(t for t in TEXTS if t != LONG), "-1", "0", "2026-02-30", "1e309"):
        out.append("&".join(f"{n}={quote(str(value), safe='')}" for n in QUERY_NAMES))
    return out


async def seed() -> dict[str, int]:
    dept = await Department.create(
        code="KM-SCJG", name="市场监督管理局", level=DepartmentLevel.CITY, jurisdiction="kunming"
    )
    ent = await Subject.create(kind=SubjectKind.LEGAL_PERSON, name="甲", uscc="91530100MA6K0R1X6T")
    account = await Account.create(
        kind="phone", phone_index="h" * 64, person_index="p" * 64, subject=ent
    )
    staff = await StaffUser.create(
        username="h",
        display_name="经办",
        password_hash="x",
        role=StaffRole.HANDLER,
        department=dept,
    )
    return {"subject": ent.id, "account": account.id, "staff": staff.id, "dept": dept.id}


def callers(settings, ids: dict[str, int]) -> dict[str, dict[str, str]]:
    def bearer(principal: Principal) -> dict[str, str]:
        token = issue_access_token(settings=settings, principal=principal)
        return {"authorization": f"Bearer {token}"}

    sid, aid = ids["subject"], ids["account"]
    return {
        "anonymous": {},
        "subject": bearer(Principal("subject", account_id=aid, subject_id=sid, scopes=("all",))),
        "agent": bearer(
            Principal(
                "subject",
                account_id=aid,
                subject_id=sid,
                scopes=("records:read",),
                authorisation_id=1,
            )
        ),
        "staff": bearer(
            Principal("staff", staff_id=ids["staff"], roles=("handler",), department_id=ids["dept"])
        ),
        "deleted_account": bearer(Principal("subject", account_id=987654, scopes=("all",))),
        "deleted_subject": bearer(
            Principal("subject", account_id=987654, subject_id=987654, scopes=("all",))
        ),
        "deleted_staff": bearer(
            Principal("staff", staff_id=987654, roles=("admin",), department_id=987654)
        ),
        "provider": {"x-api-key": "k" * 5000},
    }


@pytest.fixture
async def served(make_app, database, serve_app) -> AsyncIterator[tuple[str, dict]]:
    ids = await seed()
    await db.close()
    app = make_app(database)
    heads = callers(app.ctx.settings, ids)
    async with serve_app(app) as base:
        yield app, base, heads


async def test_every_route_answers_hostile_input_without_a_server_error(served):
    app, base, heads = served
    failures: list[str] = []
    seen: dict[int, int] = {}
    # signing out revokes the caller's token: those routes go last
    routes = sorted(
        (r for r in app.router.routes if not r.path.startswith("docs")),
        key=lambda r: "logout" in r.path,
    )
    assert len(routes) > 30
    async with aiohttp.ClientSession() as http:

        async def call(method: str, url: str, who: str, **kw) -> None:
            async with http.request(
                method, url, headers=heads[who] | kw.pop("headers", {}), **kw
            ) as r:
                body = await r.read()
                seen[r.status] = seen.get(r.status, 0) + 1
                if r.status == 503 and json.loads(body)["error"]["code"] in NOT_CONFIGURED:
                    return
                if r.status >= 500:
                    failures.append(f"{who} {method} {url[len(base) :][:120]} → {r.status}")

        for route in routes:
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                for who in heads:
                    for values in path_values(route):
                        url = base + fill(route, values)
                        await call(method, url, who)
                    if who not in QUERY_CALLERS:
                        continue
                    url = base + fill(route, {p.name: "1" for p in route.params.values()})
                    for query in queries():
                        await call(method, f"{url}?{query}", who)
                    if method in ("POST", "PUT", "PATCH"):
                        for body in bodies():
                            await call(
                                method,
                                url,
                                who,
                                data=json.dumps(body),
                                headers={"content-type": "application/json"},
                            )
    print(seen)
    assert not failures, "\n".join(failures[:400]) + f"\n({len(failures)} in all)"


@pytest.fixture
async def slow_app(make_app, database, serve_app):
    """The app with a route slower than its response timeout."""
    await db.close()
    app = make_app(database)
    app.config.RESPONSE_TIMEOUT = 0.5

    async def slow(request):
        await asyncio.sleep(3)
        return text("late")

    app.add_route(slow, "/slow-for-test")
    async with serve_app(app) as base:
        yield base


async def test_response_timeout_is_a_503_and_not_logged_as_unhandled(slow_app, caplog):
    async with aiohttp.ClientSession() as http, http.get(slow_app + "/slow-for-test") as r:
        body = await r.json()
    assert r.status == 503 and body["error"]["code"] == "http_503"
    assert "unhandled" not in caplog.text


async def test_client_disconnect_is_not_logged_as_unhandled(slow_app, caplog):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as http:
        with pytest.raises(asyncio.TimeoutError):
            await http.get(slow_app + "/slow-for-test")
    await asyncio.sleep(0.6)
    assert "unhandled" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # a PostgreSQL scenario
async def test_terminated_database_connections_answer_503_then_recover(served, database_url):
    _, base, heads = served
    name = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(database_url.replace("postgres://", "postgresql://"))
    url = base + "/api/v1/me/records"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers=heads["subject"]) as r:
            assert r.status == 200
        for _ in range(3):
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            async with http.get(url, headers=heads["subject"]) as r:
                body = await r.json()
                assert r.status in (200, 503), body
                if r.status == 503:
                    assert body["error"]["code"] == "database_unavailable"
                    assert r.headers["Retry-After"]
        statuses = []
        for _ in range(5):
            async with http.get(url, headers=heads["subject"]) as r:
                statuses.append(r.status)
    await admin.close()
    assert statuses[-1] == 200, statuses
