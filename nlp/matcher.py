"""The intent matcher: normalise, extract slots, featurise, score with the shipped linear model."""

from __future__ import annotations

from functools import lru_cache

from nlp import features, normalize
from nlp.intents import UNKNOWN, Classification
from nlp.model import LinearModel
from nlp.slots import CONTRACT_KEYS, extract_slots

_CLARIFY_MAX = 3


class IntentMatcher:
    """Classifies one user message; build once per process with :meth:`load`."""

    def __init__(
        self,
        model: LinearModel,
        normalizer: normalize.Normalizer,
        featurizer: features.Featurizer,
    ) -> None:
        self.model = model
        self.normalizer = normalizer
        self.featurizer = featurizer
        self._order = range(len(model.classes))

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
        slots = extract_slots(text, extra=extra_slots)
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
