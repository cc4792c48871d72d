"""Feature extraction shared by training and matching: words, character n-grams, keywords, cues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp import tokenizer
from nlp.intents import load_table

_CODES = re.compile(r"[0-9a-z]*\d[0-9a-z-]{6,}")
_DIGITS = re.compile(r"\d+")
_DROP = re.compile(r"[\s,.!?;:~、，。！？；：…\"'“”‘’()（）【】\[\]<>《》·-]+")
_KEYWORD_CAP = 4.0


def _alternation(words: object) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


@dataclass(frozen=True, slots=True)
class Featurizer:
    """Turns normalised text into sparse binary-ish features; build with :func:`load`."""

    keywords: re.Pattern[str]
    keyword_hits: dict[str, tuple[tuple[str, float], ...]]
    synonyms: re.Pattern[str]
    synonym_of: dict[str, str]
    cues: tuple[tuple[str, re.Pattern[str]], ...]
    negated: re.Pattern[str]
    negation_window: int

    def __call__(self, text: str, slot_keys: tuple[str, ...] = ()) -> dict[str, float]:
        """Features of one normalised message; ``slot_keys`` are the slots found in it."""
        text = _DIGITS.sub("0", _CODES.sub("#", text))
        plain = _DROP.sub("", text)
        feats: dict[str, float] = {"bias": 1.0}
        if not plain:
            feats["empty"] = 1.0
            return feats
        n = len(plain)
        feats["len:" + ("1" if n <= 2 else "2" if n <= 5 else "3" if n <= 10 else "4")] = 1.0
        for key in slot_keys:
            feats["slot:" + key] = 1.0
        padded = "^" + plain + "$"
        for i in range(n):
            feats["c:" + plain[i]] = 1.0
        for i in range(n + 1):
            feats["b:" + padded[i : i + 2]] = 1.0
        for i in range(n):
            feats["t:" + padded[i : i + 3]] = 1.0
        for word in tokenizer.load().lcut(plain, HMM=False):
            if len(word) > 1:
                feats["w:" + word] = 1.0
        self._keywords(text, feats)
        for match in self.synonyms.finditer(text):
            feats["syn:" + self.synonym_of[match.group()]] = 1.0
        for name, pattern in self.cues:
            if pattern.search(text):
                feats["cue:" + name] = 1.0
        return feats

    def _keywords(self, text: str, feats: dict[str, float]) -> None:
        scores: dict[str, float] = {}
        window = self.negation_window
        for match in self.keywords.finditer(text):
            start = match.start()
            negated = bool(self.negated.search(text, max(0, start - window), start))
            for intent, weight in self.keyword_hits[match.group()]:
                if negated and intent != "cancel":
                    feats["neg:" + intent] = 1.0
                else:
                    scores[intent] = scores.get(intent, 0.0) + weight
        for intent, score in scores.items():
            feats["kw:" + intent] = min(score, _KEYWORD_CAP) / 2
        if len(scores) > 1:
            feats["kw:top:" + max(scores, key=scores.__getitem__)] = 1.0


@lru_cache(maxsize=1)
def load() -> Featurizer:
    """The process-wide featurizer built from ``intents.toml``."""
    table = load_table()
    hits: dict[str, list[tuple[str, float]]] = {}
    for intent, spec in table["intents"].items():
        for word, weight in spec.get("keywords", {}).items():
            hits.setdefault(word.lower(), []).append((intent, float(weight)))
    synonym_of = {}
    for canonical, variants in table["synonyms"].items():
        for variant in (canonical, *variants):
            synonym_of.setdefault(variant, canonical)
    cues = tuple(
        (name, re.compile("|".join(f"(?:{p})" for p in spec["patterns"])))
        for name, spec in table["cues"].items()
    )
    negation = table["negation"]
    return Featurizer(
        keywords=_alternation(hits),
        keyword_hits={k: tuple(v) for k, v in hits.items()},
        synonyms=_alternation(synonym_of),
        synonym_of=synonym_of,
        cues=cues,
        negated=re.compile("(?:" + "|".join(map(re.escape, negation["before"])) + ").{0,2}$"),
        negation_window=int(negation["window"]) + 2,
    )
