"""``create_app()``: the Sanic app with its listeners, error handler, blueprints and OpenAPI."""

from __future__ import annotations

import aiohttp
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse
from sanic_ext import Extend

from handlers import (
    cases,
    chat,
    creditreport,
    errors,
    evidence,
    health,
    identity,
    me,
    notifications,
    objections,
    openapi_doc,
    policy_routes,
    provider,
    records,
    staff_auth,
    staff_queue,
    sweeper,
    validation,
    wechat,
    worker,
)
from handlers.logging import logging_config, new_request_id, request_id
from handlers.redis_store import make_store
from selfservice import db
from selfservice.calendar import set_calendar
from selfservice.calendar.service import load_calendar
from selfservice.policy import load_policy
from selfservice.settings import Settings, get_settings

BLUEPRINTS: tuple[Blueprint, ...] = (
    health.bp,
    me.bp,
    identity.bp,
    staff_auth.bp,
    records.bp,
    creditreport.bp,
    provider.bp,
    policy_routes.bp,
    sweeper.bp,
    wechat.bp,
    chat.bp,
    evidence.bp,
    objections.bp,
    cases.bp,
    staff_queue.bp,
    notifications.bp,
)
MAX_BODY = 12 * 1024 * 1024


def create_app(settings: Settings | None = None, *, name: str = "selfservice") -> Sanic:
    settings = settings or get_settings()
    app = Sanic(name, log_config=logging_config(), error_handler=errors.JsonErrorHandler())
    app.config.REQUEST_MAX_SIZE = MAX_BODY
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.OAS_URL_PREFIX = "/docs"
    app.config.OAS_UI_DEFAULT = "swagger"
    app.config.OAS_UI_REDOC = False
    app.config.CORS = False
    # who the client is behind a reverse proxy (Sanic's request.remote_addr)
    app.config.PROXIES_COUNT = settings.proxies_count
    app.config.REAL_IP_HEADER = settings.real_ip_header
    app.config.FORWARDED_SECRET = settings.forwarded_secret.reveal() or None
    app.ctx.settings = settings
    errors.install(app)
    validation.install(app)
    Extend(app)
    openapi_doc.install(app)
    app.ext.openapi.describe(
        "信用自助服务 xinyong-selfservice API",
        version="1.0.0",
        description="Self-service backend of a city social-credit platform.",
    )
    app.ext.openapi.add_security_scheme("bearer", "http", scheme="bearer", bearer_format="JWT")
    _middleware(app)
    _listeners(app, settings)
    worker.install(app, settings)
    app.blueprint(Blueprint.group(*BLUEPRINTS))
    return app


def _middleware(app: Sanic) -> None:
    @app.on_request(priority=100)
    async def assign_request_id(request: Request) -> None:
        request.ctx.request_id = new_request_id(request.headers.get("x-request-id"))
        request_id.set(request.ctx.request_id)

    @app.on_response
    async def echo_request_id(request: Request, response: HTTPResponse) -> None:
        rid = getattr(request.ctx, "request_id", None)
        if rid:
            response.headers["X-Request-ID"] = rid
        response.headers.setdefault("X-Content-Type-Options", "nosniff")


def _listeners(app: Sanic, settings: Settings) -> None:
    @app.before_server_start
    async def open_resources(app: Sanic) -> None:
        await db.connect(settings.database_url)
        set_calendar(await load_calendar())
        app.ctx.policy = load_policy(settings.jurisdiction)
        app.ctx.store = make_store(settings.redis_url)
        app.ctx.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    @app.after_server_stop
    async def close_resources(app: Sanic) -> None:
        await app.ctx.http.close()
        await app.ctx.store.close()
        await db.close()
