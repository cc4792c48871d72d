"""Official-account users: one account per openid, and a bound subject reaches its records in chat."""

from __future__ import annotations

from chat_vectors import event_xml, signed_query, text_xml
from test_chat_web_api import _subject_with_records
from wechatpy import parse_message

from selfservice.accounts.enums import AccountKind
from selfservice.accounts.models import Account


async def _say(served, openid: str, text: str) -> str:
    status, _, out = await served.post(
        "/wechat", params=signed_query(), data=text_xml(openid, text)
    )
    assert status == 200, out
    return parse_message(out.decode()).content


async def test_following_creates_one_account_per_openid(served):
    status, _, _ = await served.post(
        "/wechat", params=signed_query(), data=event_xml("oAcc1", "subscribe")
    )
    assert status == 200
    await _say(served, "oAcc1", "查一下我的信用记录")
    await _say(served, "oAcc1", "我的办理进度")
    accounts = await Account.filter(openid="oAcc1")
    assert len(accounts) == 1
    assert accounts[0].kind is AccountKind.OFFICIAL_ACCOUNT and accounts[0].subject_id is None


async def test_questions_that_need_no_identity_write_no_account(served):
    reply = await _say(served, "oAcc4", "不良信息保存多久")
    assert "依据" in reply or "年" in reply
    assert await Account.filter(openid="oAcc4").count() == 0
    await _say(served, "oAcc4", "查一下我的信用记录")
    assert await Account.filter(openid="oAcc4").count() == 1


async def test_unverified_openid_is_told_to_verify(served):
    reply = await _say(served, "oAcc2", "查一下我的信用记录")
    assert "核验" in reply


async def test_openid_bound_to_a_subject_sees_its_records(served):
    subject, _ = await _subject_with_records()
    await Account.create(
        kind=AccountKind.OFFICIAL_ACCOUNT, openid="oAcc3", subject_id=subject.id, assurance=2
    )
    reply = await _say(served, "oAcc3", "查一下我的信用记录")
    assert "共有 2 条信用记录" in reply and "未按期报送年度报告" in reply
