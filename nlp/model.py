"""The shipped linear intent model: sparse per-feature weight vectors and a tempered softmax."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_FILE = Path(__file__).parent / "data" / "model.json"


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Multinomial logistic regression over sparse features."""

    classes: tuple[str, ...]
    weights: dict[str, list[float]]
    temperature: float = 1.0
    threshold: float = 0.0
    margin: float = 0.0
    meta: dict[str, Any] | None = None

    def scores(self, feats: dict[str, float]) -> list[float]:
        """Raw class scores: the sum of the weight rows of the message's features."""
        get = self.weights.get
        rows = []
        for name, value in feats.items():
            w = get(name)
            if w is not None:
                rows.append(w if value == 1.0 else [b * value for b in w])
        if not rows:
            return [0.0] * len(self.classes)
        return [sum(column) for column in zip(*rows, strict=True)]

    def probabilities(self, feats: dict[str, float]) -> list[float]:
        """Calibrated class probabilities (softmax of scores over the fitted temperature)."""
        return softmax(self.scores(feats), self.temperature)

    @classmethod
    def read(cls, path: Path = MODEL_FILE) -> LinearModel:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        return cls(
            classes=tuple(data["classes"]),
            weights=data["weights"],
            temperature=data["temperature"],
            threshold=data["threshold"],
            margin=data["margin"],
            meta=data.get("meta"),
        )

    def write(self, path: Path = MODEL_FILE, *, digits: int = 4) -> None:
        weights = {
            name: [round(x, digits) for x in w]
            for name, w in sorted(self.weights.items())
            if max(abs(x) for x in w) >= 10**-digits
        }
        data = {
            "classes": list(self.classes),
            "temperature": self.temperature,
            "threshold": self.threshold,
            "margin": self.margin,
            "meta": self.meta or {},
            "weights": weights,
        }
        with path.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            fh.write("\n")


def softmax(scores: list[float], temperature: float = 1.0) -> list[float]:
    top = max(scores)
    exps = [math.exp((s - top) / temperature) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]
