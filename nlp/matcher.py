"""The intent matcher: normalise, extract slots, featurise, score with the shipped linear model."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from nlp import features, normalize
from nlp.intents import UNKNOWN, Classification
from nlp.model import LinearModel
from nlp.slots import CONTRACT_KEYS, extract_slots
from selfservice.clock import Clock

_CLARIFY_MAX = 3
CACHE_SIZE = 4096
"""Results kept per (text, day): quick replies and menu words arrive verbatim from many users."""


class IntentMatcher:
    """Classifies one user message; build once per process with :meth:`load`."""

    def __init__(
        self,
        model: LinearModel,
        normalizer: normalize.Normalizer,
        featurizer: features.Featurizer,
        *,
        cache_size: int = CACHE_SIZE,
        clock: Clock | None = None,
    ) -> None:
        self.clock = clock or Clock()
        self.model = model
        self.normalizer = normalizer
        self.featurizer = featurizer
        self._order = range(len(model.classes))
        self._remembered = lru_cache(maxsize=cache_size)(self._classify) if cache_size else None

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> IntentMatcher:
        """The process-wide matcher (tokenizer, tables and model loaded once)."""
        return cls(LinearModel.read(), normalize.load(), features.load())

    def features(self, text: str, slots: dict[str, str] | None = None) -> dict[str, float]:
        """The model features of a raw message."""
        if slots is None:
            slots = extract_slots(text)
        return self.featurizer(self.normalizer(text), tuple(slots))

    def classify(self, text: str, *, extra_slots: bool = False) -> Classification:
        """Intent, calibrated confidence, slots, and a clarify list when the top two are close."""
        today = self.clock.today()  # relative dates in slots (昨天) depend on the day in Beijing
        if self._remembered is None:
            return self._classify(text, extra_slots, today)
        found = self._remembered(text, extra_slots, today)
        return Classification(found.intent, found.confidence, dict(found.slots), [*found.clarify])

    def _classify(self, text: str, extra_slots: bool, today: date) -> Classification:
        slots = extract_slots(text, extra=extra_slots, today=today)
        if not text.strip():
            return Classification(UNKNOWN, 1.0, slots)
        contract = {k: v for k, v in slots.items() if k in CONTRACT_KEYS}
        probs = self.model.probabilities(self.features(text, contract))
        ranked = sorted(self._order, key=probs.__getitem__, reverse=True)
        classes = self.model.classes
        best, second = ranked[0], ranked[1]
        clarify: list[str] = []
        if probs[best] - probs[second] < self.model.margin:
            clarify = [
                classes[i]
                for i in ranked[:_CLARIFY_MAX]
                if classes[i] != UNKNOWN and probs[best] - probs[i] < self.model.margin
            ]
            if len(clarify) < 2:
                clarify = []
        if probs[best] < self.model.threshold:
            return Classification(UNKNOWN, round(1.0 - probs[best], 4), slots, clarify)
        return Classification(classes[best], round(probs[best], 4), slots, clarify)
