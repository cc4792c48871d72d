"""Starts the in-process record lifecycle sweep; with Redis, one worker of many runs each round."""

from __future__ import annotations

import asyncio

from sanic import Blueprint, Sanic

from selfservice.records.sweeps import run_periodically

bp = Blueprint("sweeper")
SWEEP_INTERVAL = 3600.0


@bp.after_server_start
async def start_sweeper(app: Sanic) -> None:
    if not app.ctx.settings.background_worker:
        return  # BACKGROUND_WORKER=0: `selfservice sweep` runs from cron instead
    app.ctx.sweeper = asyncio.create_task(
        run_periodically(store=app.ctx.store, policy=app.ctx.policy, interval=SWEEP_INTERVAL)
    )


@bp.before_server_stop
async def stop_sweeper(app: Sanic) -> None:
    task = getattr(app.ctx, "sweeper", None)
    if task is not None:
        task.cancel()
