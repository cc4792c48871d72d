"""``selfservice serve``: run the app with Sanic's worker manager (one process per worker)."""

from __future__ import annotations

import argparse
import gc
import ipaddress
import logging

from sanic import Sanic
from sanic.worker.loader import AppLoader

from handlers.app import create_app
from selfservice.errors import ConfigError
from selfservice.settings import Settings, get_settings

log = logging.getLogger("handlers.serve")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)


def serving_app() -> Sanic:
    """The app as a worker serves it: what start-up loaded is frozen out of the collector.

    Jieba's dictionary, the model and the policy are ~235,000 objects kept for the worker's life;
    a full collection walking them took ~60 ms, which had become the p99 of a WeChat message.
    (Only here, not in ``create_app``: tests start many apps in one process.)
    """
    app = create_app()

    @app.after_server_start
    async def freeze_loaded_objects(app: Sanic) -> None:
        gc.collect()
        gc.freeze()

    return app


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_keys(settings: Settings, host: str) -> None:
    """Dev keys (from this installation's local key file) serve only loopback with SQLite."""
    if settings.dev_keys and not (_loopback(host) and settings.database_url.startswith("sqlite")):
        raise ConfigError(
            "refusing to serve on dev keys outside loopback with SQLite: set SELFSERVICE_ENV=prod "
            "and SECRET_KEY, DATA_KEY, REPORT_SEAL_KEY (see README, Configuration)"
        )


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    check_keys(settings, args.host)
    if args.workers > 1 and not settings.redis_url:
        print(
            "warning: REDIS_URL is unset, so each worker keeps its own codes, limits and dialogue"
        )
    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        print("warning: SQLite with several workers serialises writes; use PostgreSQL")
    loader = AppLoader(factory=serving_app)
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
