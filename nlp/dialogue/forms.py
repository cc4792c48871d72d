"""Declarative multi-turn forms: slots asked in order, filled several at a time, corrected,
stepped back, interrupted by a side question, confirmed, then submitted to the domain.

A form's state is the dialogue state (``flow`` = form name, ``awaiting`` = the field asked, or
``CONFIRM``; ``slots`` = the values; ``context["form_order"]`` = the order they were filled), so
it lives in the shared store and survives a worker restart, and expires with the session.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from channels.message import QuickReply, Reply
from nlp.dialogue.turn import Turn
from nlp.extract import is_back, is_cancel, yes_no

CONFIRM = "_confirm"
ORDER = "form_order"
SIDE_INTENTS = frozenset({"policy_faq"})
SIDE_CONFIDENCE = 0.6
_CORRECTION = re.compile(
    r"(?:说错了?|写错了?|填错了?|搞错了?|弄错了?|不对|不是|改(?:一下|成|为)?|更正|修改)"
)
_AFTER_CUE = re.compile(r"(?:应该是|改成|改为|换成|更正为|更正成|其实是|是|为|：|:|，|,)\s*")

Extractor = Callable[[str, "FormTurn"], str | None]
Validator = Callable[[str, "FormTurn"], str | None]
Condition = Callable[[dict[str, str]], bool]
Prompt = str | Callable[["FormTurn"], str]
Submit = Callable[[Turn, dict[str, str]], Awaitable[Reply]]
SideAnswer = Callable[[Turn], Awaitable[Reply]]


@dataclass(frozen=True)
class FormTurn:
    """What extractors and validators see: this message's turn and the values so far."""

    turn: Turn
    values: dict[str, str]


@dataclass(frozen=True)
class Slot:
    """One field of a form.

    ``extract`` reads a value from a message (None when the message has none); ``greedy`` fields
    (free text such as the facts of a tip) are only filled while asked; ``when`` makes a field
    conditional on earlier values; ``validate`` returns the re-ask text for a bad value.
    """

    name: str
    label: str
    prompt: Prompt
    extract: Extractor
    reask: str = ""
    validate: Validator | None = None
    when: Condition | None = None
    optional: bool = False
    greedy: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    show: Callable[[str], str] = str

    def applies(self, values: dict[str, str]) -> bool:
        return self.when is None or self.when(values)

    def ask(self, ft: FormTurn) -> str:
        return self.prompt(ft) if callable(self.prompt) else self.prompt


@dataclass(frozen=True)
class Form:
    name: str
    title: str
    slots: tuple[Slot, ...]
    submit: Submit
    side: SideAnswer | None = None
    confirm_hint: str = "确认无误请回复「确认」提交；要修改请说「修改」加项目名，如「修改地址」。"
    by_name: dict[str, Slot] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {s.name: s for s in self.slots})

    def pending(self, values: dict[str, str]) -> Slot | None:
        """The first field that applies and has no value yet."""
        return next((s for s in self.slots if s.applies(values) and s.name not in values), None)

    def named_in(self, text: str) -> Slot | None:
        """The field a correction names ("地址说错了" → the address field)."""
        for slot in self.slots:
            for word in (slot.label, *slot.aliases):
                if word and word in text:
                    return slot
        return None


SKIPPED = "—"


async def run(turn: Turn, form: Form) -> Reply:
    """Advance ``form`` by one message (the skill of a form calls only this)."""
    state = turn.state
    if state.flow != form.name:
        state.start(form.name)
        state.context[ORDER] = []
        _fill(turn, form, turn.text.strip())  # "举报城中村口那家饭店…，昨天晚上" starts and answers
        return _next(turn, form, intro=True)
    values = state.slots
    text = turn.text.strip()
    if is_cancel(text):
        state.finish()
        return Reply(text=f"已取消{form.title}，填写的内容未提交。")
    if state.awaiting == CONFIRM:
        return await _confirming(turn, form, text)
    if is_back(text):
        return _back(turn, form)
    corrected = _correction(turn, form, text)
    if corrected is not None:
        return corrected
    filled = _fill(turn, form, text)
    if not filled:
        asked = form.by_name.get(state.awaiting)
        if form.side and turn.intent in SIDE_INTENTS and turn.confidence >= SIDE_CONFIDENCE:
            kept = (state.flow, state.awaiting, dict(state.slots), state.context.get(ORDER, []))
            answer = await form.side(turn)
            # the side answer must not end the form
            state.flow, state.awaiting, state.slots, state.context[ORDER] = kept
            prompt = asked.ask(FormTurn(turn, values)) if asked else ""
            return Reply(text=f"{answer.text}\n\n——继续{form.title}——\n{prompt}".strip())
        if asked is not None:
            return _reask(turn, asked, values)
    return _next(turn, form)


def _fill(turn: Turn, form: Form, text: str) -> list[str]:
    """Fill the asked field and any other field the message answers; returns the names."""
    state, values = turn.state, turn.state.slots
    ft = FormTurn(turn, values)
    filled: list[str] = []
    asked = form.by_name.get(state.awaiting)
    if asked is not None:
        value = _read(asked, text, ft)
        if value is not None and _valid(asked, value, ft) is None:
            _set(state, asked.name, value)
            filled.append(asked.name)
        elif value is not None:
            state.context["form_error"] = _valid(asked, value, ft)
    for slot in form.slots:
        if slot.greedy or slot.name in values or slot is asked or not slot.applies(values):
            continue
        value = slot.extract(text, ft)
        if value is not None and _valid(slot, value, ft) is None:
            _set(state, slot.name, value)
            filled.append(slot.name)
    return filled


def _read(slot: Slot, text: str, ft: FormTurn) -> str | None:
    if slot.optional and yes_no(text) == "skip":
        return SKIPPED
    return slot.extract(text, ft)


def _valid(slot: Slot, value: str, ft: FormTurn) -> str | None:
    if value == SKIPPED or slot.validate is None:
        return None
    return slot.validate(value, ft)


def _set(state, name: str, value: str) -> None:
    state.slots[name] = value
    order: list[str] = state.context.setdefault(ORDER, [])
    if name in order:
        order.remove(name)
    order.append(name)


def _unset(state, name: str) -> None:
    state.slots.pop(name, None)
    order: list[str] = state.context.get(ORDER, [])
    if name in order:
        order.remove(name)


def _reask(turn: Turn, slot: Slot, values: dict[str, str]) -> Reply:
    error = turn.state.context.pop("form_error", None)
    text = error or slot.reask or f"没能识别{slot.label}。"
    return _asking(text + "\n" + slot.ask(FormTurn(turn, values)), slot)


def _asking(text: str, slot: Slot) -> Reply:
    skip = (QuickReply("跳过"),) if slot.optional else ()
    quick = (*(QuickReply(c) for c in slot.choices), *skip, QuickReply("取消"))
    return Reply(text=text, quick_replies=quick)


def _next(turn: Turn, form: Form, *, intro: bool = False, note: str = "") -> Reply:
    state, values = turn.state, turn.state.slots
    for name in [n for n in values if n in form.by_name]:
        if not form.by_name[name].applies(values):
            _unset(state, name)  # an answer changed and this field no longer applies
    slot = form.pending(values)
    head = (
        f"好的，我们开始{form.title}（随时回复「取消」退出，「上一步」返回）。\n" if intro else ""
    )
    if note:
        head += note + "\n"
    if slot is not None:
        state.awaiting = slot.name
        return _asking(head + slot.ask(FormTurn(turn, values)), slot)
    state.awaiting = CONFIRM
    return Reply(
        text=f"{head}请核对{form.title}：\n{summary(form, values)}\n{form.confirm_hint}",
        quick_replies=(QuickReply("确认"), QuickReply("取消")),
    )


def summary(form: Form, values: dict[str, str]) -> str:
    lines = []
    for slot in form.slots:
        if slot.applies(values) and slot.name in values:
            value = values[slot.name]
            lines.append(f"· {slot.label}：{'（未填）' if value == SKIPPED else slot.show(value)}")
    return "\n".join(lines)


async def _confirming(turn: Turn, form: Form, text: str) -> Reply:
    answer = yes_no(text)
    if answer == "yes" and not _correction_cue(text):
        values = dict(turn.state.slots)
        turn.state.finish()
        return await form.submit(turn, values)
    corrected = _correction(turn, form, text)
    if corrected is not None:
        return corrected
    slot = form.named_in(text)
    if slot is not None:
        _unset(turn.state, slot.name)
        return _next(turn, form)
    if answer == "no":
        return Reply(text="请告诉我要修改哪一项，例如「修改地址」；不办了请回复「取消」。")
    return Reply(text=form.confirm_hint, quick_replies=(QuickReply("确认"), QuickReply("取消")))


def _correction_cue(text: str) -> bool:
    return bool(_CORRECTION.search(text))


def _correction(turn: Turn, form: Form, text: str) -> Reply | None:
    """ "地址说错了，是北京路": the named field takes the new value (or is asked again)."""
    if not _correction_cue(text):
        return None
    slot = form.named_in(text)
    if slot is None or not slot.applies(turn.state.slots):
        return None
    cue = _CORRECTION.search(text)
    rest = text[cue.end() :] if cue else text
    rest = _AFTER_CUE.sub("", rest, count=1).strip() if rest else ""
    ft = FormTurn(turn, turn.state.slots)
    value = slot.extract(rest, ft) if rest else None
    if value is not None and _valid(slot, value, ft) is None:
        _set(turn.state, slot.name, value)
        return _next(turn, form, note=f"已将{slot.label}改为：{slot.show(value)}")
    _unset(turn.state, slot.name)
    turn.state.awaiting = slot.name
    return _asking(f"好的，重新填写{slot.label}。\n" + slot.ask(ft), slot)


def _back(turn: Turn, form: Form) -> Reply:
    order: list[str] = turn.state.context.get(ORDER, [])
    if not order:
        return _next(turn, form, note="已经是第一项了。")
    last = order[-1]
    _unset(turn.state, last)
    return _next(turn, form, note=f"好的，返回上一步，重新填写{form.by_name[last].label}。")


def field_names(form: Form) -> Sequence[str]:
    return [s.name for s in form.slots]
