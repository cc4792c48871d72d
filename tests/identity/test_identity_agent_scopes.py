"""Agent scopes on every route: each route × each single scope, and every route is classified."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from selfservice import db
from selfservice.accounts.enums import AGENT_SCOPES, AccountKind, AgentStatus
from selfservice.accounts.models import Account, AgentAuthorisation
from selfservice.auth.tokens import Principal, issue_access_token
from selfservice.enums import SubjectKind
from selfservice.subjects.models import Subject

RECEIPT = "YY20261122-0001"
UPLOAD = ("objection", "repair", "pledge")
# (method, path) → the scopes any one of which lets an agent through; () = any verified caller
SUBJECT_ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/api/v1/me"): (),
    ("GET", "/api/v1/me/records"): ("records:read",),
    ("GET", "/api/v1/me/records/1"): ("records:read",),
    ("GET", "/api/v1/me/summary"): ("records:read",),
    ("GET", "/api/v1/me/report"): ("records:read",),
    ("GET", "/api/v1/me/access-log"): ("records:read",),
    ("GET", "/api/v1/cases"): ("progress",),
    ("GET", f"/api/v1/cases/{RECEIPT}"): ("progress",),
    ("GET", "/api/v1/notifications"): ("progress",),
    ("POST", "/api/v1/notifications/1/read"): ("progress",),
    ("POST", "/api/v1/objections"): ("objection",),
    ("POST", f"/api/v1/objections/{RECEIPT}/material"): ("objection",),
    ("POST", f"/api/v1/objections/{RECEIPT}/withdraw"): ("objection",),
    ("GET", "/api/v1/me/records/1/repair"): ("repair",),
    ("GET", "/api/v1/me/records/1/repair/commitment.pdf"): ("repair",),
    ("POST", "/api/v1/repairs"): ("repair",),
    ("POST", f"/api/v1/repairs/{RECEIPT}/material"): ("repair",),
    ("POST", f"/api/v1/repairs/{RECEIPT}/withdraw"): ("repair",),
    ("POST", "/api/v1/pledges"): ("pledge",),
    ("GET", f"/api/v1/pledges/{RECEIPT}"): ("pledge",),
    ("GET", f"/api/v1/pledges/{RECEIPT}/pdf"): ("pledge",),
    ("POST", f"/api/v1/pledges/{RECEIPT}/material"): ("pledge",),
    ("POST", f"/api/v1/pledges/{RECEIPT}/withdraw"): ("pledge",),
    # the scope of the case's kind, checked by cases.service.act (see the test below)
    ("POST", f"/api/v1/cases/{RECEIPT}/material"): (),
    ("POST", f"/api/v1/cases/{RECEIPT}/withdraw"): (),
    ("POST", "/api/v1/evidence"): UPLOAD,
    ("GET", f"/api/v1/evidence/{uuid.UUID(int=1)}"): (*UPLOAD, "progress"),
}
# Routes an agent token never acts through: public, sign-in and account, staff, provider, WeChat.
NOT_FOR_AGENTS = (
    "/api/v1/auth/",
    "/api/v1/identity/",
    "/api/v1/staff/",
    "/api/v1/provider/",
    "/api/v1/policy",
    "/api/v1/reports/verify/",
    "/api/v1/chat",
    "/api/v1/pledges/templates",
    "/api/v1/public/",
    "/api/v1/tips",  # anyone, followed by the tip's secret; a signed-in caller only adds a name
    "/wechat",
    "/healthz",
    "/docs",
)
PUBLIC_PAGES = {"/", "/static/<__file_uri__:path>", "/static/vendor/swagger-ui/<__file_uri__:path>"}


def _pattern(path: str) -> str:
    """``/api/v1/cases/YY…`` → the route pattern's literal prefix, for matching app routes."""
    return path.split("/YY")[0].rstrip("/")


def test_every_route_is_classified(make_app, settings):
    app = make_app(settings.database_url)
    classified = {_pattern(p) for _, p in SUBJECT_ROUTES}
    unclassified = []
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        literal = path.split("<")[0].rstrip("/")
        if path in PUBLIC_PAGES or path.startswith(NOT_FOR_AGENTS):
            continue
        if literal not in classified and not any(c.startswith(literal) for c in classified):
            unclassified.append(path)
    assert not unclassified, f"classify these routes in SUBJECT_ROUTES: {unclassified}"


@pytest.fixture
async def api(make_app, database, serve_app):
    ent = await Subject.create(kind=SubjectKind.LEGAL_PERSON, name="甲", uscc="91530100MA6K0R1X6T")
    account = await Account.create(kind=AccountKind.PHONE)
    auth = await AgentAuthorisation.create(
        account=account,
        enterprise=ent,
        agent_name="乙",
        agent_person_index="i" * 64,
        granted_scopes=list(AGENT_SCOPES),
        letter_path="letters/a.pdf",
        letter_sha256="0" * 64,
        letter_content_type="application/pdf",
        status=AgentStatus.APPROVED,
        valid_until=datetime.now(UTC) + timedelta(days=30),
    )
    await db.close()
    app = make_app(database)

    def agent(*scopes: str) -> dict[str, str]:
        principal = Principal(
            "subject",
            account_id=account.id,
            subject_id=ent.id,
            scopes=scopes,
            authorisation_id=auth.id,
        )
        token = issue_access_token(settings=app.ctx.settings, principal=principal)
        return {"authorization": f"Bearer {token}"}

    async with serve_app(app) as base, aiohttp.ClientSession() as http:
        yield base, http, agent


async def test_each_route_checks_the_scope_it_needs(api):
    base, http, agent = api
    wrong = []
    for (method, path), needed in SUBJECT_ROUTES.items():
        for scope in AGENT_SCOPES:
            kw = {"json": {}} if method == "POST" and "evidence" not in path else {}
            async with http.request(method, base + path, headers=agent(scope), **kw) as r:
                body = await r.json() if r.content_type == "application/json" else {}
            denied = r.status == 403 and body["error"]["code"] == "agent_scope_denied"
            allowed = not needed or scope in needed
            if denied == allowed:
                wrong.append(f"{method} {path} with {scope}: {r.status} {body}")
    assert not wrong, "\n".join(wrong)


async def test_records_read_agent_reads_records_but_not_progress_or_evidence(api):
    base, http, agent = api
    heads = agent("records:read")
    async with http.get(base + "/api/v1/me/records", headers=heads) as r:
        assert r.status == 200
    for path in ("/api/v1/cases", "/api/v1/notifications", f"/api/v1/evidence/{uuid.uuid4()}"):
        async with http.get(base + path, headers=heads) as r:
            assert r.status == 403, path
            assert (await r.json())["error"]["code"] == "agent_scope_denied"
