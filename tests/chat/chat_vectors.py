"""Tencent's official safe-mode sample (WXBizMsgCrypt) and XML builders for callbacks."""

from __future__ import annotations

import secrets
import time

from channels.wechat.crypto import signature

TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PREVIOUS_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
APPID = "wx2c2769f8efd9abc2"
TIMESTAMP = "1409735669"
NONCE = "1320562132"
SIGNATURE = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6"
    "tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp"
    "3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhv"
    "Ql+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
SAMPLE_USER, SAMPLE_ACCOUNT = "oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_10f6c3c3ac5a"
ACCOUNT = "gh_test_account"


def signed_query(
    token: str = TOKEN, *, timestamp: str | None = None, nonce: str | None = None
) -> dict:
    """A signed callback query; each call a fresh nonce unless one is given (reuse is a replay)."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(8)
    return {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def _cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def message_xml(user: str, msg_type: str, msg_id: str | int | None = None, **fields: str) -> bytes:
    """A WeChat callback body; ``msg_id`` defaults to a fresh one (events have none)."""
    created = fields.pop("CreateTime", str(int(time.time())))
    parts = [
        f"<ToUserName>{_cdata(ACCOUNT)}</ToUserName>",
        f"<FromUserName>{_cdata(user)}</FromUserName>",
        f"<CreateTime>{created}</CreateTime>",
        f"<MsgType>{_cdata(msg_type)}</MsgType>",
    ]
    parts += [f"<{k}>{_cdata(v)}</{k}>" for k, v in fields.items()]
    if msg_type != "event":
        parts.append(f"<MsgId>{msg_id if msg_id is not None else time.time_ns()}</MsgId>")
    return ("<xml>" + "".join(parts) + "</xml>").encode()


def text_xml(user: str, content: str, msg_id: str | int | None = None) -> bytes:
    return message_xml(user, "text", msg_id, Content=content)


def event_xml(user: str, event: str, **fields: str) -> bytes:
    return message_xml(user, "event", Event=event, **fields)
