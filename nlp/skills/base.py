"""What the skills share: the main menu, record references, deep-link replies, evidence intake."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import secrets
from pathlib import Path

from channels.message import Kind, Link, QuickReply, Reply
from nlp.dialogue.router import COMMANDS
from nlp.dialogue.turn import Turn
from selfservice.errors import DomainError
from selfservice.store import key

MENU = tuple(QuickReply(label) for label in COMMANDS)
CAPABILITIES = (
    "我可以帮您：核验身份、查询本人或本企业的信用记录、对记录提出异议、申请信用修复、"
    "签署信用承诺、举报失信行为、查询办理进度、解答信用政策问题，也可以为您转人工服务。"
)
CANCEL_HINT = "随时回复「取消」可退出当前办理。"
DONE_WORDS = frozenset({"完成", "好了", "提交", "发完了", "没有了", "就这些", "ok", "OK"})
DRAFT_TTL = 24 * 3600
MAX_EVIDENCE = 9

_RECORD_REF = re.compile(r"第\s*(\d{1,2})\s*条|记录\s*#?(\d{1,2})(?!\d)")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*$")


def menu(text: str, *, links: tuple[Link, ...] = ()) -> Reply:
    return Reply(text=text, quick_replies=MENU, links=links)


def record_ref(turn: Turn) -> str:
    """The record a message or the conversation names: "第2条" of the list last shown, or the
    only record shown."""
    shown: list = turn.state.context.get("records", [])
    match = _RECORD_REF.search(turn.text) or (
        _BARE_NUMBER.match(turn.text) if turn.state.awaiting == "record" else None
    )
    if match and shown:
        index = int(next(g for g in match.groups() if g)) - 1
        if 0 <= index < len(shown):
            return str(shown[index])
    if turn.state.slots.get("record"):
        return turn.state.slots["record"]
    return str(shown[0]) if len(shown) == 1 else ""


def record_label(turn: Turn, record: str) -> str:
    """How the user saw the record: "第2条「title」" of the list last shown, else its number."""
    shown = [str(r) for r in turn.state.context.get("records", [])]
    titles = turn.state.context.get("record_titles", [])
    if record in shown:
        n = shown.index(record)
        title = f"「{titles[n]}」" if n < len(titles) else ""
        return f"第{n + 1}条记录{title}"
    return f"记录（编号 {record}）"


def form_reply(turn: Turn, *, page: str, title: str, text: str, **params: str | None) -> Reply:
    """Hand the flow to its H5 form: a deep link with what the chat already knows."""
    url = turn.link(page, **params)
    return Reply(text=text, links=(Link(title, url),), more_url=url)


def wants_done(turn: Turn) -> bool:
    return turn.text.strip("。.!！ ") in DONE_WORDS


async def keep_evidence(turn: Turn) -> Reply:
    """An image sent while a flow collects evidence: downloaded at once, hashed, kept in a draft."""
    if turn.fetch_media is None or not turn.inbound.media_id:
        return Reply(text="这个渠道不能直接收图片，请在表单页面上传证据材料。")
    draft_id = turn.state.context.get("draft") or secrets.token_urlsafe(12)
    draft_key = key("chat", "draft", draft_id)
    draft = json.loads(await turn.services.store.get(draft_key) or '{"evidence": []}')
    if len(draft["evidence"]) >= MAX_EVIDENCE:
        return Reply(
            text=f"最多可在对话中提交 {MAX_EVIDENCE} 张图片，请回复「完成」后在表单中补充。"
        )
    try:
        data, content_type = await turn.fetch_media(turn.inbound.media_id)
    except DomainError:
        return Reply(text="这张图片没能取到，请重新发送一次。")
    digest = hashlib.sha256(data).hexdigest()
    ext = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ".bin"
    folder = Path(turn.settings.upload_dir) / "chat"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}{ext}").write_bytes(data)
    if all(item["sha256"] != digest for item in draft["evidence"]):
        draft["evidence"].append(
            {
                "sha256": digest,
                "size": len(data),
                "content_type": content_type,
                "file": digest + ext,
            }
        )
    await turn.services.store.set(draft_key, json.dumps(draft), ttl=DRAFT_TTL)
    count = len(draft["evidence"])
    turn.state.context.update(draft=draft_id, evidence_count=count)
    return Reply(
        text=f"已收到第 {count} 份证据图片（SHA-256 {digest[:12]}…）。"
        "可以继续发送，发完请回复「完成」。"
    )


def evidence_count(turn: Turn) -> int:
    return int(turn.state.context.get("evidence_count", 0))


async def evidence_flow(
    turn: Turn, *, flow: str, page: str, title: str, intro: str, **params: str | None
) -> Reply:
    """A flow that may take evidence images in the chat before handing over to its form."""
    state = turn.state
    collecting = state.flow == flow and state.awaiting == "evidence"
    if collecting and turn.inbound.kind is Kind.IMAGE:
        return await keep_evidence(turn)
    if not collecting:
        state.start(flow, awaiting="evidence")
        state.context.pop("draft", None)
        state.context.pop("evidence_count", None)
        url = turn.link(page, **params)
        text = (
            f"{intro}如有照片等证据，可以现在直接发给我（最多 {MAX_EVIDENCE} 张），"
            f"发完回复「完成」；也可以直接打开表单填写。{CANCEL_HINT}"
        )
        return Reply(text=text, links=(Link(title, url),), quick_replies=(QuickReply("完成"),))
    if not wants_done(turn):
        return Reply(
            text="请发送证据图片，发完回复「完成」；不需要证据可以直接打开表单。",
            quick_replies=(QuickReply("完成"), QuickReply("取消")),
        )
    count = evidence_count(turn)
    draft = state.context.pop("draft", None) if count else None
    state.context.pop("evidence_count", None)
    state.finish()
    kept = f"已保存 {count} 份证据，打开表单后会自动附上。" if count else ""
    return form_reply(
        turn,
        page=page,
        title=title,
        text=f"{kept}请打开表单补充说明并提交。",
        draft=draft,
        **params,
    )
