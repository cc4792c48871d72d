"""The explicit routing table: intents, events and menu keys to skill names."""

from __future__ import annotations

from collections.abc import Mapping

from channels.message import Event, Inbound
from nlp import intents as i
from nlp.dialogue.turn import Skill

WELCOME = "welcome"
FAREWELL = "farewell"
SILENT = "silent"
INVALID_CREDIT_CODE = "invalid_credit_code"
MEDIA = "media"
LOCATION = "location"
SPECIAL: tuple[str, ...] = (WELCOME, FAREWELL, SILENT, INVALID_CREDIT_CODE, MEDIA, LOCATION)

MENU: dict[str, str] = {
    "MENU_VERIFY": i.VERIFY_IDENTITY,
    "MENU_RECORDS": i.QUERY_RECORDS,
    "MENU_OBJECTION": i.OBJECTION,
    "MENU_REPAIR": i.REPAIR,
    "MENU_PLEDGE": i.PLEDGE,
    "MENU_REPORT": i.REPORT,
    "MENU_PROGRESS": i.PROGRESS,
    "MENU_FAQ": i.POLICY_FAQ,
    "MENU_HUMAN": i.HUMAN,
}
"""Click keys of the official account's custom menu; QR scene values use the same intent ids."""

COMMANDS: dict[str, str] = {
    "核验身份": i.VERIFY_IDENTITY,
    "查询信用记录": i.QUERY_RECORDS,
    "我要提异议": i.OBJECTION,
    "申请信用修复": i.REPAIR,
    "签署信用承诺": i.PLEDGE,
    "我要举报": i.REPORT,
    "查询办理进度": i.PROGRESS,
    "政策问答": i.POLICY_FAQ,
    "转人工": i.HUMAN,
}
"""Main-menu buttons (also typed from WeChat's text menu): always start their intent."""

SLOT_ONLY: dict[str, str] = {
    "credit_code": i.QUERY_RECORDS,
    "id_number": i.QUERY_RECORDS,
    "receipt": i.PROGRESS,
}
"""What a bare identifier means when it is all the message says."""

FLOW_WITH_CODE: frozenset[str] = frozenset(
    {i.QUERY_RECORDS, i.OBJECTION, i.REPAIR, i.PLEDGE, i.REPORT, i.VERIFY_IDENTITY}
)


def scene_intent(scene: str) -> str | None:
    """A QR scene (``qrscene_objection`` → ``objection``) or menu key naming an intent."""
    return MENU.get(scene) or (scene if scene in i.INTENTS else None)


def event_route(inbound: Inbound) -> str:
    """The skill an event goes to."""
    match inbound.event:
        case Event.SUBSCRIBE:
            return scene_intent(inbound.scene) or WELCOME
        case Event.SCAN:
            return scene_intent(inbound.scene) or i.GREETING
        case Event.CLICK:
            return MENU.get(inbound.event_key, i.UNKNOWN)
        case Event.UNSUBSCRIBE:
            return FAREWELL
        case _:
            return SILENT


class Router:
    """Skill lookup by name; every intent and special route must be registered."""

    def __init__(self, skills: Mapping[str, Skill]) -> None:
        missing = set(i.INTENTS + SPECIAL) - set(skills)
        if missing:
            raise ValueError(f"no skill registered for {sorted(missing)}")
        self.skills = dict(skills)

    def __getitem__(self, name: str) -> Skill:
        return self.skills[name]
