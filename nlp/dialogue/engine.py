"""The dialogue engine: one inbound message in, one reply out, whatever the channel."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from channels.message import Inbound, Kind, Reply
from nlp import intents as i
from nlp.dialogue import router as r
from nlp.dialogue.state import StateStore
from nlp.dialogue.turn import Identity, MediaFetcher, Services, Skill, Turn
from nlp.intents import Classification

SWITCH_CONFIDENCE = 0.9
CANCEL_WORDS = frozenset({"取消", "算了", "退出", "不办了", "不用了", "结束", "cancel", "q"})
STAY_INTENTS = frozenset({i.UNKNOWN, i.GREETING})
LOCK_TTL, LOCK_WAIT = 30.0, 4.0

Classifier = Callable[[str], Classification]


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
        async with self.services.store.lock(
            f"dialogue:{identity.user}", ttl=LOCK_TTL, wait=LOCK_WAIT
        ):
            state = await self.states.load(identity.user)
            before = state.to_json()
            turn = Turn(inbound, identity, state, self.services, fetch_media=fetch_media)
            route = self.route(turn)
            reply = await self.router[route](turn)
            if route == r.FAREWELL:
                await self.states.clear(identity.user)
            elif state.to_json() != before:
                await self.states.save(identity.user, state)
            return reply

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
        return turn.confidence < SWITCH_CONFIDENCE
