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
# Many n-grams fire per message; damping them lets the few keyword and cue features count.
NGRAM_VALUE = 0.5
WORD_VALUE = 1.0
_PUNCT = r"[呀啊哈,.!?，。！？~ ]*"
_POLITE_HEAD = re.compile(
    r"^(?:(?:你好|您好|你们好|hello|hi|哈喽|嗨|喂|在吗|在不在|请问(?:一下)?|麻烦(?:问一下|问下|一下|你|您)?"
    r"|打扰(?:了|一下)?|领导好|老师好|我想问(?:一)?下|想问(?:一)?下|问(?:一)?下|咨询(?:一)?下)"
    + _PUNCT
    + ")+"
)
_POLITE_TAIL = re.compile(
    _PUNCT + r"(?:(?:谢谢(?:你|您|啦|了)?|多谢|感谢|麻烦了|辛苦了|thanks|thx)" + _PUNCT + ")+$"
)
_LATIN = re.compile(r"[a-z]+")
_OVERRIDING = frozenset({"submitted", "ask_person", "abandon", "other_service", "rule_question"})


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
        feats: dict[str, float] = {"bias": 1.0}
        core = _POLITE_TAIL.sub("", _POLITE_HEAD.sub("", text))
        if core != text and len(_DROP.sub("", core)) >= 2 and self._has_request(core):
            # DESIGN §5: a greeting or thanks around a request does not count.
            feats["polite"] = 1.0
            text = core
        plain = _DROP.sub("", text)
        if not plain:
            feats["empty"] = 1.0
            return feats
        if _LATIN.fullmatch(plain):
            feats["shape:latin"] = 1.0
        elif plain.isdigit() or plain == "#":
            feats["shape:number"] = 1.0
        n = len(plain)
        feats["len:" + ("1" if n <= 2 else "2" if n <= 5 else "3" if n <= 10 else "4")] = 1.0
        for key in slot_keys:
            feats["slot:" + key] = 1.0
        padded = "^" + plain + "$"
        g = NGRAM_VALUE
        for i in range(n):
            feats["c:" + plain[i]] = g
        for i in range(n + 1):
            feats["b:" + padded[i : i + 2]] = g
        for i in range(n):
            feats["t:" + padded[i : i + 3]] = g
        for word in tokenizer.load().lcut(plain, HMM=False):
            if len(word) > 1:
                feats["w:" + word] = WORD_VALUE
        self._keywords(text, feats)
        for match in self.synonyms.finditer(text):
            feats["syn:" + self.synonym_of[match.group()]] = 1.0
        fired = [name for name, pattern in self.cues if pattern.search(text)]
        for name in fired:
            feats["cue:" + name] = 1.0
        for name in fired:
            # Overriding rules (DESIGN §5) meet a topic: "审核了吗" about a 承诺 is still progress.
            if name in _OVERRIDING:
                for other in fired:
                    if other != name:
                        feats[f"x:{name}:{other}"] = 1.0
        return feats

    def _has_request(self, text: str) -> bool:
        """True when ``text`` holds a keyword of an intent other than greeting."""
        hits = self.keyword_hits
        return any(
            intent != "greeting"
            for m in self.keywords.finditer(text)
            for intent, _ in hits[m.group()]
        )

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


def priors(intents: tuple[str, ...]) -> dict[str, list[float]]:
    """Starting weights (and the centre of the L2 penalty): each rule cue votes for its intent.

    The rules of DESIGN §5 thus act before any data is seen; training only moves them as far as
    the labelled examples insist.
    """
    table = load_table()
    out: dict[str, list[float]] = {}

    def vote(name: str, intent: str, weight: float) -> None:
        vec = out.setdefault(name, [0.0] * len(intents))
        vec[intents.index(intent)] += weight

    for intent in table["intents"]:
        vote("kw:" + intent, intent, 1.0)
    # A receipt number is only ever quoted to follow something already submitted.
    vote("slot:receipt", "progress", 2.0)
    cues = table["cues"]
    for name, spec in cues.items():
        if spec.get("intent"):
            vote("cue:" + name, spec["intent"], float(spec.get("weight", 1.0)))
    for name in _OVERRIDING:
        for other in cues:
            if other != name:
                vote(f"x:{name}:{other}", cues[name]["intent"], 1.0)
    return out


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
