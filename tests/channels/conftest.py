"""Fixtures for the channel adapters: Tencent's published sample values and WeChat settings."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from wechat_sample import AES_KEY, APPID, PREVIOUS_AES_KEY, TOKEN

from handlers.redis_store import RedisStore
from selfservice.settings import Secret, Settings
from selfservice.store import MemoryStore, SharedStore


@pytest.fixture
def wechat_settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        wechat_token=Secret(TOKEN),
        wechat_appid=APPID,
        wechat_aes_key=Secret(AES_KEY),
        wechat_aes_key_previous=Secret(PREVIOUS_AES_KEY),
        wechat_appsecret=Secret("app-secret"),
    )


@pytest.fixture
def plain_settings(wechat_settings: Settings) -> Settings:
    return dataclasses.replace(
        wechat_settings, wechat_aes_key=Secret(""), wechat_aes_key_previous=Secret("")
    )


@pytest.fixture(params=["memory", "redis"])
def store_url(request) -> str | None:
    """Each shared-store test runs on the in-process store and on real Redis."""
    return request.getfixturevalue("redis_url") if request.param == "redis" else None


@pytest.fixture
async def shared_store(store_url) -> AsyncIterator[SharedStore]:
    store = RedisStore(store_url) if store_url else MemoryStore()
    try:
        yield store
    finally:
        await store.close()
