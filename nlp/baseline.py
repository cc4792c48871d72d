"""The comparison baseline: intent-table keywords plus BM25 nearest examples (training only)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from nlp import features, normalize, tokenizer
from nlp.intents import INTENTS, UNKNOWN

_K1 = 1.2
_B = 0.75


def _terms(text: str) -> list[str]:
    plain = "".join(ch for ch in text if not ch.isspace())
    words = [w for w in tokenizer.load().lcut(plain, HMM=False) if w.strip()]
    return words + [plain[i : i + 2] for i in range(len(plain) - 1)]


class KeywordBM25:
    """Class score = best BM25 match among its examples + its keyword weight."""

    def __init__(self, texts: list[str], labels: list[str], *, min_score: float = 1.0) -> None:
        self.norm = normalize.load()
        self.featurizer = features.load()
        self.docs = [Counter(_terms(self.norm(t))) for t in texts]
        self.labels = labels
        self.avg_len = sum(sum(d.values()) for d in self.docs) / len(self.docs)
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(self.docs):
            for term in doc:
                self.postings[term].append(i)
        self.min_score = min_score

    def predict(self, text: str) -> str:
        norm = self.norm(text)
        best: dict[str, float] = dict.fromkeys(INTENTS, 0.0)
        scores: dict[int, float] = defaultdict(float)
        for term in set(_terms(norm)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i in self.postings[term]:
                doc = self.docs[i]
                tf = doc[term]
                length = sum(doc.values())
                scores[i] += (
                    idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / self.avg_len))
                )
        for i, s in scores.items():
            label = self.labels[i]
            best[label] = max(best[label], s)
        for name, value in self.featurizer(norm).items():
            if name.startswith("kw:") and name.count(":") == 1:
                best[name[3:]] += 2 * value
        intent = max(best, key=best.__getitem__)
        return intent if best[intent] >= self.min_score else UNKNOWN
