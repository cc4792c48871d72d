"""SMS gateways: the HTTP one against a local provider endpoint, the console one in the log."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from identity_support import SMS_TOKEN

from channels.sms import HttpSmsGateway, make_sms_gateway
from selfservice.notifications.sms import ConsoleSmsGateway, SmsUnavailable
from selfservice.settings import Secret


async def test_http_gateway_posts_template_and_params(fake_sms):
    sms, url = fake_sms
    async with aiohttp.ClientSession() as session:
        gateway = HttpSmsGateway(session, url=url, token=Secret(SMS_TOKEN))
        await gateway.send(phone="13988000001", template="otp_login", params={"code": "123456"})
    [message] = sms.messages
    assert message["phone"] == "13988000001"
    assert message["template"] == "otp_login"
    assert message["params"] == {"code": "123456"}
    assert len(message["request_id"]) == 32


@pytest.mark.parametrize("failure", ["status500", "status401", "provider_code", "unreachable"])
async def test_http_gateway_failures_raise_unavailable(fake_sms, failure, caplog):
    sms, url = fake_sms
    token = Secret(SMS_TOKEN)
    if failure == "status500":
        sms.fail_with = 500
    elif failure == "status401":
        token = Secret("wrong")
    elif failure == "provider_code":
        sms.reply_code = "isv.BUSINESS_LIMIT_CONTROL"
    elif failure == "unreachable":
        url = "http://127.0.0.1:9/sms/send"
    caplog.set_level(logging.INFO)
    async with aiohttp.ClientSession() as session:
        gateway = HttpSmsGateway(session, url=url, token=token)
        with pytest.raises(SmsUnavailable):
            await gateway.send(phone="13988000001", template="otp_login", params={"code": "1"})
    assert "13988000001" not in caplog.text
    assert "139****0001" in caplog.text


async def test_console_gateway_masks_phone_and_refuses_in_production(caplog):
    caplog.set_level(logging.INFO)
    await ConsoleSmsGateway(env="dev").send(
        phone="13988000001", template="otp_login", params={"code": "654321"}
    )
    assert "139****0001" in caplog.text and "654321" in caplog.text
    assert "13988000001" not in caplog.text
    with pytest.raises(SmsUnavailable):
        await ConsoleSmsGateway(env="prod").send(
            phone="13988000001", template="otp_login", params={"code": "654321"}
        )


async def test_gateway_choice_follows_settings(settings, fake_sms):
    import dataclasses

    async with aiohttp.ClientSession() as session:
        assert isinstance(make_sms_gateway(settings, session), ConsoleSmsGateway)
        configured = dataclasses.replace(settings, sms_gateway_url=fake_sms[1])
        assert isinstance(make_sms_gateway(configured, session), HttpSmsGateway)
