"""Scoring predictions against labels: accuracy, macro-F1, per-intent figures, confusions, slots."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nlp.intents import INTENTS
from nlp.slots import CONTRACT_KEYS


@dataclass(frozen=True, slots=True)
class Report:
    """Figures of one evaluation run."""

    total: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, tuple[float, float, float, int]]
    confusions: list[tuple[str, str, int]]
    slot_total: int
    slot_exact: float | None

    @property
    def min_recall(self) -> float:
        return min((r for _, r, _, n in self.per_intent.values() if n), default=0.0)

    def lines(self) -> list[str]:
        """A human-readable summary."""
        out = [
            f"examples   {self.total}",
            f"accuracy   {self.accuracy:.4f}",
            f"macro-F1   {self.macro_f1:.4f}",
            f"min recall {self.min_recall:.4f}",
        ]
        if self.slot_exact is not None:
            out.append(f"slot exact {self.slot_exact:.4f} ({self.slot_total} labelled)")
        out.append(f"{'intent':<16}{'prec':>7}{'recall':>8}{'f1':>7}{'n':>6}")
        for intent, (p, r, f, n) in self.per_intent.items():
            out.append(f"{intent:<16}{p:>7.3f}{r:>8.3f}{f:>7.3f}{n:>6}")
        if self.confusions:
            out.append("top confusions (gold -> predicted):")
            out.extend(f"  {g} -> {p}: {n}" for g, p, n in self.confusions)
        return out

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "min_recall": round(self.min_recall, 4),
            "per_intent_recall": {k: round(v[1], 4) for k, v in self.per_intent.items()},
            "slot_exact": None if self.slot_exact is None else round(self.slot_exact, 4),
        }


def read_jsonl(path: str | Path) -> list[dict]:
    """Rows of a JSONL file of ``{"text", "intent", optional "slots"}``."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def slots_match(gold: dict[str, str], predicted: dict[str, str]) -> bool:
    """Exact match over the contract keys plus any extra key the label uses."""
    keys = set(CONTRACT_KEYS) | set(gold)
    return {k: v for k, v in predicted.items() if k in keys} == gold


def score(
    gold: Iterable[str],
    predicted: Iterable[str],
    slot_pairs: Iterable[tuple[dict[str, str], dict[str, str]]] = (),
    top_confusions: int = 8,
) -> Report:
    """Compare gold and predicted intents (and optionally slots)."""
    pairs = list(zip(gold, predicted, strict=True))
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for g, p in pairs:
        n_gold[g] += 1
        n_pred[p] += 1
        if g == p:
            tp[g] += 1
        else:
            confusions[(g, p)] += 1
    per_intent: dict[str, tuple[float, float, float, int]] = {}
    labels = [i for i in INTENTS if n_gold[i] or n_pred[i]]
    for intent in labels:
        prec = tp[intent] / n_pred[intent] if n_pred[intent] else 0.0
        rec = tp[intent] / n_gold[intent] if n_gold[intent] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_intent[intent] = (prec, rec, f1, n_gold[intent])
    gold_labels = [i for i in labels if n_gold[i]]
    slot_list = list(slot_pairs)
    return Report(
        total=len(pairs),
        accuracy=sum(tp.values()) / len(pairs) if pairs else 0.0,
        macro_f1=sum(per_intent[i][2] for i in gold_labels) / len(gold_labels)
        if gold_labels
        else 0.0,
        per_intent=per_intent,
        confusions=[(g, p, n) for (g, p), n in confusions.most_common(top_confusions)],
        slot_total=len(slot_list),
        slot_exact=(
            sum(slots_match(g, p) for g, p in slot_list) / len(slot_list) if slot_list else None
        ),
    )
