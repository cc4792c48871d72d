"""``create_app()``: the Sanic app with its listeners, error handler, blueprints and OpenAPI."""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
from functools import partial
from urllib.parse import urlsplit

import aiohttp
from sanic import Blueprint, Request, Sanic
from sanic.helpers import json_dumps
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
    pledges,
    policy_routes,
    provider,
    records,
    repairs,
    staff_auth,
    staff_queue,
    sweeper,
    tips,
    validation,
    wechat,
    worker,
)
from handlers.logging import logging_config, new_request_id, request_id
from handlers.redis_store import make_store
from selfservice import db
from selfservice.calendar import set_calendar
from selfservice.calendar.service import load_calendar
from selfservice.clock import Clock
from selfservice.policy import load_policy
from selfservice.settings import Settings, get_settings, install_settings

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
    pledges.bp,
    repairs.bp,
    cases.bp,
    staff_queue.bp,
    notifications.bp,
    tips.bp,
)
MAX_BODY = 12 * 1024 * 1024
UTF8_DUMPS = partial(json_dumps, ensure_ascii=False)
"""Every JSON body as readable UTF-8 (Chinese not escaped as ``\\uXXXX``), errors included."""
log = logging.getLogger("handlers.app")


def create_app(settings: Settings | None = None, *, name: str = "selfservice") -> Sanic:
    settings = settings or get_settings()
    app = Sanic(
        name,
        log_config=logging_config(),
        error_handler=errors.JsonErrorHandler(),
        dumps=UTF8_DUMPS,
    )
    app.config.REQUEST_MAX_SIZE = MAX_BODY
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.OAS_URL_PREFIX = "/docs"
    app.config.OAS_UI_DEFAULT = "swagger"
    app.config.OAS_UI_REDOC = False
    app.config.OAS_PATH_TO_SWAGGER_HTML = str(openapi_doc.SWAGGER_HTML)
    app.config.OAS_UI_SWAGGER_HTML_TITLE = "信用自助服务 API"
    app.config.CORS = False
    # who the client is behind a reverse proxy (Sanic's request.remote_addr)
    app.config.PROXIES_COUNT = settings.proxies_count
    app.config.REAL_IP_HEADER = settings.real_ip_header
    app.config.FORWARDED_SECRET = settings.forwarded_secret.reveal() or None
    app.ctx.settings = settings
    install_settings(settings)
    app.ctx.clock = Clock()
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


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return not host


def served_base_url(app: Sanic) -> str:
    """``http://host:port`` of the address this server listens on ("" when not known, e.g. ASGI).

    A wildcard bind (``0.0.0.0``) names no reachable host: links then use the loopback address,
    and ``PUBLIC_BASE_URL`` must be set for users on other machines.
    """
    location = app.serve_location
    if not location.startswith(("http://", "https://")) or "<" in location:
        return ""
    parts = urlsplit(location)
    if _unspecified(parts.hostname or ""):
        log.warning("serving on %s without PUBLIC_BASE_URL: chat links use 127.0.0.1", location)
        return f"{parts.scheme}://127.0.0.1:{parts.port}"
    return location.rstrip("/")


def _listeners(app: Sanic, settings: Settings) -> None:
    @app.before_server_start(priority=1000)
    async def derive_public_base_url(app: Sanic) -> None:
        if not settings.public_base_url:
            base = served_base_url(app)
            app.ctx.settings = dataclasses.replace(settings, public_base_url=base)

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
