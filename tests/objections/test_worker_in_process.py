"""The in-process background worker started by an app listener unless BACKGROUND_WORKER=0."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from objection_factories import make_world

from selfservice import db
from selfservice.errors import ConfigError
from selfservice.notifications.models import Notification, OutboxMessage
from selfservice.objections import service
from selfservice.policy import load_policy
from selfservice.settings import load_settings


async def test_app_listener_runs_the_worker(make_app, database):
    w = await make_world()
    await service.file(
        actor=w.subject_actor(),
        filing=service.Filing(w.record.id, "other", "记录主体名称有误"),
        policy=load_policy("kunming"),
        today=date(2026, 11, 20),
    )
    await db.close()
    app = make_app(database, background_worker=True)

    @app.get("/test/wait")
    async def wait(request):
        from sanic.response import json

        for _ in range(100):
            if await Notification.exists():
                break
            await asyncio.sleep(0.05)
        return json({"ok": True})

    _, res = await app.asgi_client.get("/test/wait")
    assert res.status == 200
    await db.connect(database)
    assert await Notification.filter(subject_id=w.subject.id).count() == 1
    assert await OutboxMessage.filter(status="delivered").count() == 1


def test_worker_setting_is_read_from_the_environment():
    base = {"SELFSERVICE_ENV": "dev"}
    assert load_settings(base).background_worker is True
    assert load_settings(base | {"BACKGROUND_WORKER": "1"}).background_worker is True
    assert load_settings(base | {"BACKGROUND_WORKER": "0"}).background_worker is False
    with pytest.raises(ConfigError, match="BACKGROUND_WORKER"):
        load_settings(base | {"BACKGROUND_WORKER": "maybe"})
    limits = load_settings(base | {"UPLOAD_MAX_BYTES": "1048576", "UPLOAD_MAX_FILES": "3"})
    assert (limits.upload_max_bytes, limits.upload_max_files) == (1048576, 3)
