"""``selfservice serve``: run the app with Sanic's worker manager (one process per worker)."""

from __future__ import annotations

import argparse
import logging

from sanic import Sanic
from sanic.worker.loader import AppLoader

from handlers.app import create_app
from selfservice.settings import get_settings

log = logging.getLogger("handlers.serve")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.workers > 1 and not settings.redis_url:
        print(
            "warning: REDIS_URL is unset, so each worker keeps its own codes, limits and dialogue"
        )
    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        print("warning: SQLite with several workers serialises writes; use PostgreSQL")
    loader = AppLoader(factory=create_app)
    app = loader.load()
    app.prepare(
        host=args.host,
        port=args.port,
        workers=args.workers,
        single_process=args.workers == 1,
        access_log=True,
        motd=False,
    )
    print(f"serving on http://{args.host}:{args.port}/  (API docs: /docs, health: /healthz)")
    if args.workers == 1:
        Sanic.serve_single(primary=app)
    else:
        Sanic.serve(primary=app, app_loader=loader)
    return 0
