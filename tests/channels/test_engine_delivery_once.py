"""Each delivery answered once (WeChat retries), on the in-process store and on real Redis."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from channels.message import Inbound, Kind, Reply
from nlp import intents as i
from nlp.dialogue.engine import LATE, Engine
from nlp.dialogue.turn import Identity, Services, Turn
from nlp.intents import Classification
from nlp.skills import registry
from selfservice.store import key

KEY = key("wechat", "dedupe", "test")
WHO = Identity("wechat:oOnce", "wechat")


class Greeter:
    """A greeting skill that counts its runs and remembers them in the dialogue state."""

    def __init__(self, delay: float = 0.0, fail: int = 0) -> None:
        self.delay, self.fail, self.calls = delay, fail, 0

    async def __call__(self, turn: Turn) -> Reply:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.calls <= self.fail:
            raise RuntimeError("db down")
        turn.state.context["greeted"] = turn.state.context.get("greeted", 0) + 1
        return Reply(text=f"第{self.calls}次：您好")


class Late:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.done = asyncio.Event()
        self.tasks: list[asyncio.Future] = []

    def __call__(self, reply) -> None:
        async def wait() -> None:
            self.replies.append(await reply)
            self.done.set()

        self.tasks.append(asyncio.ensure_future(wait()))


@pytest.fixture
def greeter() -> Greeter:
    return Greeter()


@pytest.fixture
def engine(shared_store, settings, greeter) -> Engine:
    skills = dict(registry()) | {i.GREETING: greeter}
    return Engine(
        skills=skills,
        services=Services(settings, shared_store),
        classify=lambda text: Classification(i.GREETING, 1.0),
    )


def _message(msg_id: str = "1") -> Inbound:
    return Inbound(channel="wechat", user_id="oOnce", kind=Kind.TEXT, text="你好", msg_id=msg_id)


def _render(reply: Reply) -> bytes:
    return f"<xml>{reply.text}</xml>".encode()


async def _deliver(engine: Engine, *, key: str = KEY, wait: float = 2.0, late=None):
    return await engine.deliver(
        _message(), WHO, key=key, render=_render, wait=wait, late=late or Late()
    )


async def test_first_delivery_runs_the_turn_and_saves_state(engine, greeter):
    assert await _deliver(engine) == "<xml>第1次：您好</xml>".encode()
    assert greeter.calls == 1
    assert (await engine.states.load(WHO.user)).context == {"greeted": 1}


async def test_sequential_retry_gets_the_same_bytes_without_a_second_turn(engine, greeter):
    first = await _deliver(engine)
    again = await _deliver(engine)
    assert again == first and greeter.calls == 1
    assert (await engine.states.load(WHO.user)).context == {"greeted": 1}


async def test_concurrent_retries_run_the_turn_once(engine, greeter):
    greeter.delay = 0.3
    bodies = await asyncio.gather(*(_deliver(engine) for _ in range(4)))
    assert greeter.calls == 1
    assert bodies == ["<xml>第1次：您好</xml>".encode()] * 4


async def test_a_new_key_is_a_new_message(engine, greeter):
    await _deliver(engine)
    assert await _deliver(engine, key=key("wechat", "dedupe", "other")) == (
        "<xml>第2次：您好</xml>".encode()
    )
    assert (await engine.states.load(WHO.user)).context == {"greeted": 2}


async def test_late_answer_is_handed_over_once_and_retries_get_nothing(engine, greeter):
    greeter.delay = 0.5
    late = Late()
    assert await _deliver(engine, wait=0.1, late=late) is None
    assert await engine.services.store.get(KEY) == LATE
    assert await _deliver(engine, wait=0.1) is None  # retry while the answer is being made
    await asyncio.wait_for(late.done.wait(), 5)
    assert [r.text for r in late.replies] == ["第1次：您好"]
    assert await engine.services.store.get(KEY) == LATE  # not overwritten by the finished turn
    assert await _deliver(engine) is None and greeter.calls == 1


async def test_a_failed_turn_gives_the_key_back_for_the_retry(engine, greeter):
    greeter.fail = 1
    with pytest.raises(RuntimeError):
        await _deliver(engine)
    assert await engine.services.store.get(KEY) is None
    assert await _deliver(engine) == "<xml>第2次：您好</xml>".encode()
    assert (await engine.states.load(WHO.user)).context == {"greeted": 1}


async def test_messages_of_one_user_take_turns(engine, greeter):
    greeter.delay = 0.1
    keys = [key("wechat", "dedupe", f"m{n}") for n in range(3)]
    await asyncio.gather(*(_deliver(engine, key=k) for k in keys))
    assert greeter.calls == 3
    assert (await engine.states.load(WHO.user)).context == {"greeted": 3}


async def test_identity_is_resolved_only_when_a_skill_asks(engine):
    looked_up: list[str] = []

    async def resolve() -> Identity:
        looked_up.append("db")
        return dataclasses.replace(WHO, subject_id=7, resolve=None)

    who = dataclasses.replace(WHO, resolve=resolve)
    await engine.handle(_message(), who)
    assert looked_up == []

    async def asks(turn: Turn) -> Reply:
        first, second = await turn.who(), await turn.who()
        return Reply(text=f"{first.subject_id}/{second.subject_id}")

    engine.router.skills[i.GREETING] = asks
    assert (await engine.handle(_message("2"), who)).text == "7/7"
    assert looked_up == ["db"]
