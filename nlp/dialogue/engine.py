"""The dialogue engine: one inbound message in, one reply out, whatever the channel."""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from channels.message import Inbound, Kind, Reply
from nlp import intents as i
from nlp.dialogue import forms
from nlp.dialogue import router as r
from nlp.dialogue.state import DialogueState, StateStore
from nlp.dialogue.turn import Identity, MediaFetcher, Services, Skill, Turn
from nlp.intents import Classification
from selfservice.store import Forgotten, OnceUsed, Recall, Write

SWITCH_CONFIDENCE = 0.9
CANCEL_WORDS = frozenset({"取消", "算了", "退出", "不办了", "不用了", "结束", "cancel", "q"})
STAY_INTENTS = frozenset({i.UNKNOWN, i.GREETING})

PENDING, LATE, DONE = "pending", "late", "done:"
"""A delivery key's values: being answered, answered later by push, answered (the body kept)."""
DELIVERY_TTL = 60.0
DELIVERY_POLL = 0.05

NEW_STATE = DialogueState().to_json()


@dataclass(frozen=True, slots=True)
class Held:
    """Another delivery of the message holds its claim; ``prior`` is the claim's value."""

    prior: str | None


Classifier = Callable[[str], Classification]
Render = Callable[[Reply], bytes]
LateDelivery = Callable[[Awaitable[Reply]], None]


class Engine:
    """Loads the user's state, decides which skill answers, saves the state."""

    def __init__(
        self,
        *,
        skills: Mapping[str, Skill],
        services: Services,
        classify: Classifier,
        states: StateStore | None = None,
    ) -> None:
        self.router = r.Router(skills)
        self.services, self.classify = services, classify
        self.states = states or StateStore(services.store)

    async def handle(
        self, inbound: Inbound, identity: Identity, *, fetch_media: MediaFetcher | None = None
    ) -> Reply:
        """Answer one message; messages of one user are handled one at a time."""
        outcome = await self._turn(inbound, identity, fetch_media=fetch_media)
        assert not isinstance(outcome, Held)  # no claim, so nothing can hold it
        return outcome[0]

    async def deliver(
        self,
        inbound: Inbound,
        identity: Identity,
        *,
        key: str,
        render: Render,
        wait: float,
        late: LateDelivery,
        fetch_media: MediaFetcher | None = None,
        once: Write | None = None,
        keep: float = DELIVERY_TTL,
        redelivery: float = 0.0,
    ) -> bytes | None:
        """Answer a message its channel may deliver more than once (WeChat retries thrice).

        The first delivery of ``key`` runs the turn; its rendered answer is kept ``keep``
        seconds and every retry gets the same bytes. An answer not ready within ``wait`` seconds
        is handed to ``late`` (e.g. a push) and None is returned, for this delivery and its
        retries alike. If the turn fails, the key is given back so that a retry runs it again.
        ``once`` (a request's nonce) is taken with the key in the same round trip; OnceUsed when
        it was taken before by another message. With ``redelivery`` (how long after its creation
        the channel may deliver a message again), a message created before the store's memory
        began (a flush, a restart) is not run: Forgotten, as it may have been answered before.
        """
        deadline = time.monotonic() + wait
        recall = Recall(inbound.created_at, redelivery, time.time()) if redelivery else None
        while True:
            turn = asyncio.ensure_future(
                self._turn(
                    inbound,
                    identity,
                    fetch_media=fetch_media,
                    claim=key,
                    once=once,
                    keep=keep,
                    recall=recall,
                    render=render,
                )
            )
            # asyncio.wait leaves the turn running past the timeout; a rerun gets what is left
            done, _ = await asyncio.wait((turn,), timeout=max(0.0, deadline - time.monotonic()))
            if not done:
                await self.services.store.set(key, LATE, ttl=keep)
                late(_reply_of(turn))
                return None
            outcome = turn.result()
            if not isinstance(outcome, Held):
                return outcome[1]
            kept = await self._kept(key, outcome.prior, deadline)
            if kept is not False:
                return kept

    async def _kept(self, key: str, value: str | None, deadline: float) -> bytes | bool | None:
        """A retry's answer: the kept body, None (answered late), or False (run it again)."""
        while True:
            if value is None:
                return False
            if value.startswith(DONE):
                return base64.b64decode(value[len(DONE) :])
            if value != PENDING or time.monotonic() >= deadline:
                return None
            await asyncio.sleep(DELIVERY_POLL)
            value = await self.services.store.get(key)

    async def _turn(
        self,
        inbound: Inbound,
        identity: Identity,
        *,
        fetch_media: MediaFetcher | None,
        claim: str | None = None,
        once: Write | None = None,
        keep: float = DELIVERY_TTL,
        recall: Recall | None = None,
        render: Render | None = None,
    ) -> tuple[Reply, bytes | None] | Held:
        """One turn under the user's lock: two store round trips, whatever the skill.

        Returns the reply and its rendering, which is kept under ``claim`` unless the claim was
        marked late meanwhile; ``Held`` when another delivery holds the claim.
        """
        token, user = secrets.token_hex(8), identity.user
        taken = Write(claim, PENDING, ttl=DELIVERY_TTL) if claim else None
        got = await self.states.begin(
            user, token, claim=taken, once=once if claim else None, recall=recall
        )
        if got.forgotten:
            raise Forgotten()
        if got.replayed:
            raise OnceUsed()
        if not got.claimed:
            return Held(got.prior)
        writes: list[Write] = []
        try:
            state = DialogueState.from_json(got.value)
            before = got.value or NEW_STATE
            turn = Turn(inbound, identity, state, self.services, fetch_media=fetch_media)
            route = self.route(turn)
            reply = await self.router[route](turn)
            if route == r.FAREWELL:
                writes.append(self.states.write(user, None))
            elif (after := state.to_json()) != before:
                writes.append(self.states.write(user, after))
            body = render(reply) if render is not None else None
        except BaseException:
            given_back = [Write(claim, None)] if claim else []
            if claim and once:
                given_back.append(Write(once.key, None))
            await self.states.end(user, token, given_back)
            raise
        if claim and body is not None:
            kept = DONE + base64.b64encode(body).decode()
            writes.append(Write(claim, kept, ttl=keep, expect=PENDING))
        await self.states.end(user, token, writes)
        return reply, body

    def route(self, turn: Turn) -> str:
        """The skill for this turn; classifies text and fills ``turn.intent`` and ``turn.slots``."""
        inbound, state = turn.inbound, turn.state
        if inbound.kind is Kind.EVENT:
            route = r.event_route(inbound)
            turn.intent = route if route in i.INTENTS else ""
            return route
        if inbound.kind is Kind.LOCATION:
            return r.LOCATION
        if inbound.kind is Kind.IMAGE:
            return state.flow if state.awaiting == "evidence" and state.flow else r.MEDIA
        if inbound.kind not in (Kind.TEXT, Kind.VOICE) or not turn.text:
            return r.MEDIA
        if turn.text in r.COMMANDS:
            turn.intent, turn.confidence = r.COMMANDS[turn.text], 1.0
            return turn.intent
        result = self.classify(turn.text)
        turn.intent, turn.confidence, turn.slots = result.intent, result.confidence, result.slots
        if turn.text.lower().strip("。.!！ ") in CANCEL_WORDS or result.intent == i.CANCEL:
            return i.CANCEL
        if "invalid_credit_code" in turn.slots and "credit_code" not in turn.slots:
            flow = state.flow if self._continues(turn) else result.intent
            state.start(
                flow if flow in r.FLOW_WITH_CODE else i.QUERY_RECORDS, awaiting="credit_code"
            )
            return r.INVALID_CREDIT_CODE
        if self._continues(turn):
            return state.flow
        if result.intent == i.UNKNOWN:
            for slot, intent in r.SLOT_ONLY.items():
                if slot in turn.slots:
                    return intent
        return result.intent

    @staticmethod
    def _continues(turn: Turn) -> bool:
        """An open flow keeps the turn unless the message clearly asks for something else."""
        state = turn.state
        if not (state.flow and state.awaiting):
            return False
        if state.awaiting in turn.slots or turn.intent in STAY_INTENTS | {state.flow}:
            return True
        if forms.ORDER in state.context and turn.intent in forms.SIDE_INTENTS:
            return True  # a side question mid-form: the form answers it and resumes
        return turn.confidence < SWITCH_CONFIDENCE


async def _reply_of(turn: Awaitable[tuple[Reply, bytes | None] | Held]) -> Reply:
    outcome = await turn
    return Reply() if isinstance(outcome, Held) else outcome[0]
