"""Liveness and readiness: ``GET /healthz`` reports the database and the shared store."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import JSONResponse, json
from sanic_ext import openapi

from selfservice import db

bp = Blueprint("health")


@bp.get("/healthz")
@openapi.summary("Health of the database and the shared store (503 when either is down)")
@openapi.response(200, {"application/json": {"status": str, "database": str, "store": str}})
@openapi.response(503, {"application/json": {"status": str, "database": str, "store": str}})
async def healthz(request: Request) -> JSONResponse:
    database = await db.ping()
    store = await request.app.ctx.store.ping()
    body = {
        "status": "ok" if database and store else "degraded",
        "database": "ok" if database else "down",
        "store": "ok" if store else "down",
    }
    return json(body, status=200 if database and store else 503)
