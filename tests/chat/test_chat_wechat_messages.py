"""Every WeChat message and event type through ``POST /wechat``."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
from chat_fake_wechat import JPEG
from chat_vectors import event_xml, message_xml, signed_query, text_xml
from wechatpy import parse_message


async def _say(served, body: bytes) -> str:
    """Send ``body`` as created now (the cases below are built at import, minutes earlier)."""
    now = f"<CreateTime>{int(time.time())}</CreateTime>".encode()
    body = re.sub(rb"<CreateTime>\d+</CreateTime>", now, body)
    status, _, out = await served.post("/wechat", params=signed_query(), data=body)
    assert status == 200, out
    if out == b"success":
        return "success"
    return parse_message(out.decode()).content


CASES = [
    ("text", text_xml("oT", "我要举报"), "举报人信息严格保密"),
    (
        "voice with recognition",
        message_xml("oV", "voice", MediaId="m1", Format="amr", Recognition="我要申请信用修复"),
        "信用修复免费办理",
    ),
    (
        "voice without recognition",
        message_xml("oV2", "voice", MediaId="m1", Format="amr"),
        "没有听清",
    ),
    (
        "image outside a flow",
        message_xml("oI", "image", PicUrl="http://x/p.jpg", MediaId="MEDIA_OK"),
        "没有需要提交证据",
    ),
    (
        "location",
        message_xml(
            "oL",
            "location",
            Location_X="25.04",
            Location_Y="102.71",
            Scale="15",
            Label="昆明市呈贡区",
        ),
        "昆明市呈贡区",
    ),
    ("link", message_xml("oK", "link", Title="t", Description="d", Url="http://x"), "暂时只能处理"),
    ("video", message_xml("oD", "video", MediaId="v", ThumbMediaId="t"), "暂时只能处理"),
    ("shortvideo", message_xml("oS", "shortvideo", MediaId="v", ThumbMediaId="t"), "暂时只能处理"),
    ("unknown type", message_xml("oU", "miniprogrampage", Title="t"), "暂时只能处理"),
    ("subscribe", event_xml("oE1", "subscribe"), "感谢关注"),
    (
        "subscribe from a QR scene",
        event_xml("oE2", "subscribe", EventKey="qrscene_report", Ticket="t"),
        "举报人信息严格保密",
    ),
    ("scan", event_xml("oE3", "SCAN", EventKey="objection", Ticket="t"), "异议"),
    (
        "scan of an unknown scene",
        event_xml("oE4", "SCAN", EventKey="12345", Ticket="t"),
        "信用自助服务",
    ),
    ("menu click", event_xml("oE5", "CLICK", EventKey="MENU_PROGRESS"), "受理回执上的编号"),
    ("menu click on human", event_xml("oE6", "CLICK", EventKey="MENU_HUMAN"), "人工服务"),
    ("unknown menu key", event_xml("oE7", "CLICK", EventKey="MENU_GONE"), "没有理解"),
    ("view", event_xml("oE8", "VIEW", EventKey="https://xy.example.cn/"), "success"),
    (
        "reported location",
        event_xml("oE9", "LOCATION", Latitude="25.0", Longitude="102.7", Precision="65"),
        "success",
    ),
    ("unsubscribe", event_xml("oE10", "unsubscribe"), "success"),
]


@pytest.mark.parametrize(("name", "body", "fragment"), CASES, ids=[c[0] for c in CASES])
async def test_message_and_event_types(served, name, body, fragment):
    assert fragment in await _say(served, body)


async def test_evidence_images_are_downloaded_hashed_and_kept_for_the_form(served, fake_api):
    api, _ = fake_api
    assert "证据" in await _say(served, text_xml("oEv", "我要举报"))
    image = message_xml("oEv", "image", PicUrl="http://x/p.jpg", MediaId="MEDIA_OK")
    reply = await _say(served, image)
    digest = hashlib.sha256(JPEG).hexdigest()
    assert f"第 1 份证据图片（SHA-256 {digest[:12]}" in reply
    assert api.media_requests == ["MEDIA_OK"]
    stored = Path(served.app.ctx.settings.upload_dir) / "chat" / f"{digest}.jpg"
    assert stored.read_bytes() == JPEG
    broken = message_xml("oEv", "image", PicUrl="http://x/p.jpg", MediaId="MEDIA_GONE")
    assert "没能取到" in await _say(served, broken)
    done = await _say(served, text_xml("oEv", "完成"))
    assert "已保存 1 份证据" in done and "https://xy.example.cn/#/report?draft=" in done


async def test_unsubscribe_forgets_the_conversation(served):
    await _say(served, text_xml("oBye", "我要签信用承诺"))
    await _say(served, event_xml("oBye", "unsubscribe"))
    assert "没有理解" in await _say(served, text_xml("oBye", "其他"))  # no open flow
