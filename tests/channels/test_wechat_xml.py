"""WeChat XML: recorded payloads of every type to ``Inbound``, hostile XML, passive replies."""

from __future__ import annotations

import time

import defusedxml.ElementTree as SafeET
import pytest
from wechatpy.parser import parse_message
from wechatpy.replies import TextReply

from channels.message import Article, Inbound, Kind, Link, Location, QuickReply, Reply
from channels.wechat.errors import BadXml, BodyTooLarge, ForbiddenXml
from channels.wechat.xml import (
    MAX_ARTICLES,
    MAX_BODY_BYTES,
    TEXT_REPLY_LIMIT,
    cdata,
    parse_xml,
    render_news,
    render_reply,
    reply_text_limit,
    split_text,
    to_inbound,
)

HEAD = (
    "<ToUserName><![CDATA[gh_account]]></ToUserName>"
    "<FromUserName><![CDATA[oUser123]]></FromUserName>"
    "<CreateTime>1700000000</CreateTime>"
)


def _msg(body: str) -> bytes:
    return f"<xml>{HEAD}{body}</xml>".encode()


# (payload body after the common head, expected Inbound fields) — shapes from the official docs.
PAYLOADS: list[tuple[str, dict]] = [
    (
        "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[查询信用记录]]></Content>"
        "<MsgId>1234567890123456</MsgId>",
        {"kind": Kind.TEXT, "text": "查询信用记录", "msg_id": "1234567890123456"},
    ),
    (
        "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[media_v]]></MediaId>"
        "<Format><![CDATA[amr]]></Format><Recognition><![CDATA[我要异议申诉]]></Recognition>"
        "<MsgId>11</MsgId>",
        {"kind": Kind.VOICE, "text": "我要异议申诉", "media_id": "media_v"},
    ),
    (
        "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[media_v]]></MediaId>"
        "<Format><![CDATA[amr]]></Format><MsgId>12</MsgId>",
        {"kind": Kind.VOICE, "text": "", "media_id": "media_v"},
    ),
    (
        "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl>"
        "<MediaId><![CDATA[media_i]]></MediaId><MsgId>13</MsgId>",
        {"kind": Kind.IMAGE, "media_id": "media_i", "pic_url": "http://mmbiz.qpic.cn/x"},
    ),
    (
        "<MsgType><![CDATA[location]]></MsgType><Location_X>25.040609</Location_X>"
        "<Location_Y>102.712251</Location_Y><Scale>15</Scale>"
        "<Label><![CDATA[昆明市五华区]]></Label><MsgId>14</MsgId>",
        {"kind": Kind.LOCATION, "location": Location(25.040609, 102.712251, "昆明市五华区")},
    ),
    (
        "<MsgType><![CDATA[link]]></MsgType><Title><![CDATA[公示]]></Title>"
        "<Description><![CDATA[失信名单]]></Description><Url><![CDATA[https://a.b/c]]></Url>"
        "<MsgId>15</MsgId>",
        {"kind": Kind.LINK, "title": "公示", "text": "失信名单", "url": "https://a.b/c"},
    ),
    (
        "<MsgType><![CDATA[video]]></MsgType><MediaId><![CDATA[m]]></MediaId>"
        "<ThumbMediaId><![CDATA[t]]></ThumbMediaId><MsgId>16</MsgId>",
        {"kind": Kind.VIDEO, "media_id": "m"},
    ),
    (
        "<MsgType><![CDATA[shortvideo]]></MsgType><MediaId><![CDATA[m2]]></MediaId>"
        "<ThumbMediaId><![CDATA[t]]></ThumbMediaId><MsgId>17</MsgId>",
        {"kind": Kind.VIDEO, "media_id": "m2"},
    ),
    (
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>",
        {"kind": Kind.EVENT, "event": "subscribe", "event_key": "", "scene": ""},
    ),
    (
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"
        "<EventKey><![CDATA[qrscene_hall_3]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>",
        {
            "kind": Kind.EVENT,
            "event": "subscribe",
            "event_key": "qrscene_hall_3",
            "scene": "hall_3",
        },
    ),
    (
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event>",
        {"kind": Kind.EVENT, "event": "unsubscribe"},
    ),
    (
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event>"
        "<EventKey><![CDATA[hall_3]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>",
        {"kind": Kind.EVENT, "event": "scan", "event_key": "hall_3", "scene": "hall_3"},
    ),
    (
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>"
        "<EventKey><![CDATA[MENU_QUERY]]></EventKey>",
        {"kind": Kind.EVENT, "event": "click", "event_key": "MENU_QUERY"},
    ),
    (
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[VIEW]]></Event>"
        "<EventKey><![CDATA[https://h5.example/me]]></EventKey>",
        {"kind": Kind.EVENT, "event": "view", "event_key": "https://h5.example/me"},
    ),
    (
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[LOCATION]]></Event>"
        "<Latitude>24.3512</Latitude><Longitude>102.5416</Longitude><Precision>65.0</Precision>",
        {
            "kind": Kind.EVENT,
            "event": "location",
            "location": Location(24.3512, 102.5416, "", 65.0),
        },
    ),
    (
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"
        "<MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>",
        {"kind": Kind.EVENT, "event": "templatesendjobfinish"},
    ),
    (
        "<MsgType><![CDATA[miniprogrampage]]></MsgType><Title><![CDATA[x]]></Title>"
        "<MsgId>18</MsgId>",
        {"kind": Kind.UNSUPPORTED, "msg_id": "18"},
    ),
]


@pytest.mark.parametrize(("body", "expected"), PAYLOADS, ids=[e["kind"] for _, e in PAYLOADS])
def test_every_type_maps_to_inbound(body, expected):
    inbound = to_inbound(parse_xml(_msg(body)))
    assert isinstance(inbound, Inbound)
    assert (inbound.channel, inbound.user_id, inbound.recipient) == (
        "wechat",
        "oUser123",
        "gh_account",
    )
    assert inbound.created_at == 1700000000
    assert {name: getattr(inbound, name) for name in expected} == expected
    assert inbound.raw["FromUserName"] == "oUser123"


def test_nested_fields_are_flattened():
    body = _msg(
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[scancode_push]]></Event>"
        "<EventKey><![CDATA[k]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>"
        "<ScanResult><![CDATA[91530100MA6K5XYZ12]]></ScanResult></ScanCodeInfo>"
    )
    fields = parse_xml(body)
    assert fields["ScanCodeInfo/ScanResult"] == "91530100MA6K5XYZ12"
    assert to_inbound(fields).event == "scancode_push"


def test_wechatpy_generated_xml_parses():
    xml = TextReply(source="gh_account", target="oUser123", content="你好 <b>&", time=1700000000)
    inbound = to_inbound(parse_xml(xml.render().encode()))
    assert (inbound.kind, inbound.text, inbound.user_id) == ("text", "你好 <b>&", "gh_account")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<xml><Content>unclosed</xml>",
        b"not xml at all",
        b"<root><MsgType>text</MsgType></root>",
        b"<xml><MsgType>text</MsgType>\xff\xfe</xml>",
    ],
)
def test_malformed_xml_is_400(body):
    with pytest.raises(BadXml) as caught:
        parse_xml(body)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "fields",
    [
        {"MsgType": "text", "CreateTime": "1"},
        {"FromUserName": "o", "CreateTime": "1"},
        {"FromUserName": "o", "MsgType": "text", "CreateTime": "soon"},
        {"FromUserName": "o", "MsgType": "location", "CreateTime": "1", "Location_X": "north"},
    ],
)
def test_missing_or_bad_fields_are_400(fields):
    with pytest.raises(BadXml):
        to_inbound(fields)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>
<Content>&lol9;</Content></xml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>
<Content>&xxe;</Content></xml>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">
<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>
<xml><MsgType>text</MsgType></xml>"""


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity"],
)
def test_hostile_xml_is_rejected_quickly(body):
    started = time.perf_counter()
    with pytest.raises(ForbiddenXml) as caught:
        parse_xml(body)
    assert time.perf_counter() - started < 0.5
    assert (caught.value.status, caught.value.code) == (400, "wechat_xml_forbidden")


def test_body_size_cap():
    filler = "字" * ((MAX_BODY_BYTES - 200) // 3)
    fits = _msg(f"<MsgType>text</MsgType><Content>{filler}</Content>")
    assert len(fits) <= MAX_BODY_BYTES
    assert to_inbound(parse_xml(fits)).text == filler
    with pytest.raises(BodyTooLarge) as caught:
        parse_xml(fits + b" " * (MAX_BODY_BYTES - len(fits) + 1))
    assert caught.value.status == 413


def _reply_fields(xml: bytes) -> dict[str, str]:
    return {child.tag: child.text or "" for child in SafeET.fromstring(xml)}


@pytest.mark.parametrize(
    "text", ["好的", "a]]>b", "]]>", "]]]]>", "<a href='x'>&amp;</a>", "行1\n行2"]
)
def test_text_reply_round_trips(text):
    xml = render_reply(Reply(text=text), to_user="oU", from_user="gh", created_at=1700000001)
    fields = _reply_fields(xml)
    assert fields == {
        "ToUserName": "oU",
        "FromUserName": "gh",
        "CreateTime": "1700000001",
        "MsgType": "text",
        "Content": text,
    }
    message = parse_message(xml.decode())
    assert (message.type, message.content) == ("text", text)


def test_control_characters_are_dropped():
    section = cdata("x\x00y\x1bz\ttab")
    assert SafeET.fromstring(f"<a>{section}</a>").text == "xyz\ttab"


def test_short_text_is_untouched():
    assert reply_text_limit("好" * 682, more_url="https://h5/x") == "好" * 682
    exact = "a" * TEXT_REPLY_LIMIT
    assert reply_text_limit(exact) == exact


@pytest.mark.parametrize("unit", ["a", "é", "信", "🙂"])
def test_long_text_is_trimmed_to_the_byte_limit(unit):
    text = unit * 3000
    trimmed = reply_text_limit(text, more_url="https://h5.example/r/1")
    assert len(trimmed.encode()) <= TEXT_REPLY_LIMIT
    assert len(trimmed.encode()) > TEXT_REPLY_LIMIT - 4 - len(
        "…\n查看全文：https://h5.example/r/1".encode()
    )
    assert trimmed.endswith("…\n查看全文：https://h5.example/r/1")
    assert text.startswith(trimmed.split("…")[0])


def test_rendered_long_reply_stays_within_limit():
    reply = Reply(
        text="您的信用记录如下：\n" + "行政处罚 " * 600,
        quick_replies=(QuickReply("异议申诉", "objection"), QuickReply("信用修复", "repair")),
        links=(Link("查看详情", "https://h5.example/me?a=1&b=2"),),
        more_url="https://h5.example/me",
    )
    content = _reply_fields(render_reply(reply, to_user="o", from_user="g", created_at=1))[
        "Content"
    ]
    assert len(content.encode()) <= TEXT_REPLY_LIMIT
    assert "…\n查看全文：https://h5.example/me" in content
    assert content.endswith(
        '「异议申诉」  「信用修复」\n<a href="https://h5.example/me?a=1&amp;b=2">查看详情</a>'
    )


def test_split_text_keeps_everything():
    text = "\n".join(f"第{i}条：" + "记录" * 40 for i in range(60))
    parts = split_text(text)
    assert len(parts) > 1
    assert all(len(p.encode()) <= TEXT_REPLY_LIMIT for p in parts)
    assert "\n".join(parts) == text
    assert split_text("短") == ["短"]
    assert "".join(split_text("字" * 2000)) == "字" * 2000


def test_news_rendering():
    articles = [
        Article(f"标题{i}", f"描述{i}", f"https://h5/a/{i}", f"https://h5/p/{i}.png")
        for i in range(10)
    ]
    xml = render_news(articles, to_user="oU", from_user="gh", created_at=5)
    root = SafeET.fromstring(xml)
    assert root.findtext("MsgType") == "news"
    assert root.findtext("ArticleCount") == str(MAX_ARTICLES)
    items = root.findall("Articles/item")
    assert len(items) == MAX_ARTICLES
    assert [items[1].findtext(t) for t in ("Title", "Description", "Url", "PicUrl")] == [
        "标题1",
        "描述1",
        "https://h5/a/1",
        "https://h5/p/1.png",
    ]


def test_cards_only_reply_renders_news_text_reply_inlines_cards():
    card = Article("信用报告", "点击查看", "https://h5/r")
    news = render_reply(Reply(articles=(card,)), to_user="o", from_user="g", created_at=1)
    assert SafeET.fromstring(news).findtext("MsgType") == "news"
    mixed = render_reply(
        Reply(text="报告已生成", articles=(card,)), to_user="o", from_user="g", created_at=1
    )
    assert _reply_fields(mixed)["Content"] == '报告已生成\n<a href="https://h5/r">信用报告</a>'


def test_fallback_text_is_channel_neutral():
    reply = Reply(
        text="请选择",
        quick_replies=(QuickReply("查询", "q"),),
        articles=(Article("报告", url="https://h5/r"),),
        links=(Link("首页", "https://h5/"),),
    )
    assert reply.fallback_text() == "请选择\n「查询」\n报告：https://h5/r\n首页：https://h5/"
    assert Reply().is_empty
