"""Fixtures for the channel adapters: Tencent's published sample values and WeChat settings."""

from __future__ import annotations

import dataclasses

import pytest
from wechat_sample import AES_KEY, APPID, PREVIOUS_AES_KEY, TOKEN

from selfservice.settings import Secret, Settings


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
