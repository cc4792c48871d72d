"""The policy knowledge base (``data/faq.toml``) and its jieba + TF-IDF similarity index."""

from __future__ import annotations

import heapq
import itertools
import math
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp import normalize, tokenizer

FAQ_FILE = Path(__file__).parent / "data" / "faq.toml"
MIN_SCORE = 0.2
CACHE_SIZE = 4096
"""Best answers kept per (question, jurisdiction): the quick-reply topics repeat verbatim."""
_SKIP = frozenset("的了吗呢吧啊呀么是我要有和在就都会把被几能")
_STOP = frozenset(
    (
        *("怎么", "怎么样", "怎么办", "什么", "是什么", "啥", "多少", "可以", "一下", "请问"),
        *("我们", "我的", "一个", "有没有", "是不是", "会不会", "能不能", "今天", "意思"),
    )
)


PerCity = str | dict[str, str]


@dataclass(frozen=True, slots=True)
class Entry:
    """A question family with its answer; answer, source and rules may differ per city."""

    id: str
    questions: tuple[str, ...]
    answer: PerCity
    source: PerCity = ""
    jurisdictions: tuple[str, ...] = ()
    rules: tuple[str, ...] | dict[str, tuple[str, ...]] = ()

    def answer_in(self, jurisdiction: str) -> str:
        return _pick(self.answer, jurisdiction)

    def source_in(self, jurisdiction: str) -> str:
        """The documents cited besides the policy rules (``rules_in``)."""
        return _pick(self.source, jurisdiction)

    def rules_in(self, jurisdiction: str) -> tuple[str, ...]:
        """Policy rule ids whose source, in force on the day asked, the answer cites."""
        rules = self.rules
        return tuple(rules.get(jurisdiction, ())) if isinstance(rules, dict) else rules


def _pick(value: PerCity, jurisdiction: str) -> str:
    return value.get(jurisdiction, "") if isinstance(value, dict) else value


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    score: float


def terms(text: str) -> Counter[str]:
    """Words (minus particles) and character bigrams of the normalised text."""
    norm = normalize.load()(text)
    words = [w for w in tokenizer.cut(norm) if w.strip() and w not in _SKIP and w not in _STOP]
    chars = [c for c in norm if "\u4e00" <= c <= "\u9fff"]
    pairs = ("".join(p) for p in itertools.pairwise(chars))
    return Counter(words + [p for p in pairs if p not in _STOP and not set(p) <= _SKIP])


class FaqIndex:
    """Cosine similarity of TF-IDF vectors; each entry is the bag of its questions."""

    def __init__(self, entries: list[Entry], *, cache_size: int = CACHE_SIZE) -> None:
        self.entries = entries
        self.best = lru_cache(maxsize=cache_size)(self._best) if cache_size else self._best
        bags = [sum((terms(q) for q in e.questions), Counter()) for e in entries]
        df = Counter(t for bag in bags for t in bag)
        n = len(entries)
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for number, bag in enumerate(bags):
            for t, w in self._unit(bag).items():
                self.postings.setdefault(t, []).append((number, w))

    def _unit(self, bag: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self.idf.get(t, 0.0) for t, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items() if v}

    def search(self, text: str, *, jurisdiction: str = "", limit: int = 3) -> list[Match]:
        """Best entries for ``text`` in force in ``jurisdiction``, best first."""
        totals = [0.0] * len(self.entries)
        for t, w in self._unit(terms(text)).items():
            for n, weight in self.postings.get(t, ()):
                totals[n] += w * weight
        scored = [
            Match(entry, round(total, 4))
            for entry, total in zip(self.entries, totals, strict=True)
            if not entry.jurisdictions or jurisdiction in entry.jurisdictions
        ]
        return heapq.nlargest(limit, scored, key=lambda m: m.score)

    def _best(self, text: str, *, jurisdiction: str = "") -> Match | None:
        """The best entry for ``text`` if it is close enough (``best`` is this, remembered)."""
        found = self.search(text, jurisdiction=jurisdiction, limit=1)
        return found[0] if found and found[0].score >= MIN_SCORE else None


def read_entries(path: Path = FAQ_FILE) -> list[Entry]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return [
        Entry(
            id=item["id"],
            questions=tuple(item["questions"]),
            answer=item["answer"],
            source=item.get("source", ""),
            jurisdictions=tuple(item.get("jurisdictions", ())),
            rules=_rules(item.get("rules", ())),
        )
        for item in data["faq"]
    ]


def _rules(raw: list[str] | dict[str, list[str]]) -> tuple[str, ...] | dict[str, tuple[str, ...]]:
    if isinstance(raw, dict):
        return {city: tuple(ids) for city, ids in raw.items()}
    return tuple(raw)


@lru_cache(maxsize=1)
def load() -> FaqIndex:
    """The process-wide index, built on first use."""
    return FaqIndex(read_entries())
