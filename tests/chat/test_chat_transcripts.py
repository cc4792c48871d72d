"""Conversations as transcripts ``[(user_text, expected_reply_fragment), …]`` for every skill,
each run on the official account (plain XML) and on the web chat (JSON)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from chat_vectors import signed_query, text_xml
from wechatpy import parse_message

VALID, INVALID = "91530100MA6K5XYT0D", "91530100MA6K5XYT00"
_ids = itertools.count(700_000)

TRANSCRIPTS: dict[str, list[tuple[str, str]]] = {
    "greeting": [("你好", "信用自助服务"), ("谢谢", "查询信用记录")],
    "verify_identity": [("我要核验身份", "短信验证"), ("怎么绑定企业", "/#/verify")],
    "query_records_anonymous": [
        ("查一下我的信用记录", "工作方案》任务 19"),
        (f"查询 {VALID} 的记录", "9153**********0D"),
    ],
    "invalid_credit_code_then_fixed": [
        (f"查一下{INVALID}", "代码校验位不对"),
        (VALID, "9153**********0D"),
    ],
    "objection": [
        (f"我要对这条记录提异议 {VALID}", f"/#/objection?code={VALID}"),
        ("我要提异议", "10 个工作日内书面核实"),
    ],
    "objection_invalid_code_cancelled": [
        (f"我要对{INVALID}的这条处罚记录提异议", "代码校验位不对"),
        ("取消", "已退出异议申请"),
    ],
    "repair": [("我要申请信用修复", "信用修复免费办理"), ("完成", "/#/repair")],
    "pledge": [
        ("我要签信用承诺", "哪一类"),
        ("随便", "没有识别出承诺类型"),
        ("主动型", "承诺墙"),
    ],
    "report": [("我要举报", "举报人信息严格保密"), ("完成", "/#/report")],
    "progress_asks_for_the_receipt": [
        ("查进度", "受理回执上的编号"),
        ("YY20261122-0042", "没有找到您名下受理编号为 YY20261122-0042 的异议申请"),
    ],
    "progress_by_receipt": [("JB20261120-0007处理得怎么样了", "的失信举报")],
    "policy_faq": [
        ("不良信息保存多久", "严重失信信息公示 1 至 3 年"),
        ("举报人信息保密吗", "依据：《昆明市守信联合激励和失信联合惩戒工作方案》（2017）任务11"),
        ("异议期间惩戒措施暂停吗", "暂不执行"),
    ],
    "human": [("转人工", "排队号"), ("我要找人工客服", "服务时间：工作日 9:00")],
    "cancel": [("我要举报", "严格保密"), ("算了", "已退出失信举报"), ("取消", "已取消")],
    "unknown": [("今天天气怎么样", "没有理解"), ("帮我订一张机票", "我可以帮您")],
}


class WeChatUser:
    def __init__(self, served, openid: str) -> None:
        self.served, self.openid = served, openid

    async def say(self, text: str) -> str:
        body = text_xml(self.openid, text, msg_id=next(_ids))
        status, _, out = await self.served.post("/wechat", params=signed_query(), data=body)
        assert status == 200, out
        return parse_message(out.decode()).content


class WebUser:
    def __init__(self, served) -> None:
        self.served, self.session = served, None

    async def say(self, text: str) -> str:
        payload = {"text": text} | ({"session_id": self.session} if self.session else {})
        async with self.served.http.post(self.served.base + "/api/v1/chat", json=payload) as resp:
            assert resp.status == 200, await resp.text()
            data = await resp.json()
        self.session = data["session_id"]
        reply = data["reply"]
        lines = [reply["text"], *(q["label"] for q in reply["quick_replies"])]
        lines += [f"{link['label']} {link['url']}" for link in reply["links"]]
        return "\n".join(lines)


def _user(served, channel: str, name: str):
    return WeChatUser(served, f"o_{name}") if channel == "wechat" else WebUser(served)


@pytest.mark.parametrize("channel", ["wechat", "web"])
@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
async def test_transcript(served, channel, name):
    user = _user(served, channel, name)
    for said, expected in TRANSCRIPTS[name]:
        answer = await user.say(said)
        assert expected in answer, f"{said!r} → {answer!r}"


@pytest.mark.parametrize("channel", ["wechat", "web"])
async def test_asking_for_a_person_twice_keeps_the_queue_number(served, channel):
    user = _user(served, channel, "twice")
    first, second = await user.say("转人工"), await user.say("我要找人工客服")
    number = first.split("排队号 ")[1].split("）")[0]
    assert number.isdigit() and f"排队号 {number}）" in second


@pytest.mark.parametrize("channel", ["wechat", "web"])
async def test_policy_answers_follow_the_jurisdiction(serve, chat_settings, channel):
    served = await serve(dataclasses.replace(chat_settings, jurisdiction="yuxi"))
    user = _user(served, channel, "yuxi")
    answer = await user.say("异议期间惩戒措施暂停吗")
    assert "不影响失信行为记录的处理" in answer and "第二十三条" in answer


@pytest.mark.parametrize("channel", ["wechat", "web"])
async def test_the_two_channels_do_not_share_a_conversation(served, channel):
    await _user(served, channel, "shared").say("查进度")
    other = _user(served, "web" if channel == "wechat" else "wechat", "shared")
    assert "没有理解" in await other.say("随便")
