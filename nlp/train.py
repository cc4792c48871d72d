"""Train the linear intent model from the labelled split: ``python -m nlp.train`` (stdlib only).

Multinomial logistic regression with AdaGrad and L2; the softmax temperature and the unknown
threshold are fitted on out-of-fold predictions, then the model is refitted on all training rows,
scored on the test split against the keyword+BM25 baseline, and written to ``data/model.json``.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from pathlib import Path

from nlp import features, normalize
from nlp.baseline import KeywordBM25
from nlp.evaluate import Report, read_jsonl, score
from nlp.intents import INTENTS, UNKNOWN, table_examples
from nlp.matcher import IntentMatcher
from nlp.model import MODEL_FILE, LinearModel, softmax

EVAL_DIR = Path(__file__).parent / "eval"
Sample = tuple[dict[str, float], int]


def fit(
    samples: list[Sample],
    *,
    epochs: int = 25,
    rate: float = 0.4,
    l2: float = 3e-4,
    seed: int = 0,
) -> dict[str, list[float]]:
    """AdaGrad on the softmax cross-entropy; lazy L2 towards the rule priors on active features."""
    n_classes = len(INTENTS)
    prior = features.priors(INTENTS)
    zero = [0.0] * n_classes
    weights: dict[str, list[float]] = {name: list(vec) for name, vec in prior.items()}
    squares: dict[str, list[float]] = {}
    rng = random.Random(seed)
    order = list(range(len(samples)))
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            feats, label = samples[i]
            total = [0.0] * n_classes
            for name, value in feats.items():
                w = weights.get(name)
                if w is not None:
                    total = [a + b * value for a, b in zip(total, w, strict=True)]
            grad = softmax(total)
            grad[label] -= 1.0
            for name, value in feats.items():
                w = weights.setdefault(name, [0.0] * n_classes)
                sq = squares.setdefault(name, [1e-6] * n_classes)
                centre = prior.get(name, zero)
                for c in range(n_classes):
                    g = grad[c] * value + l2 * (w[c] - centre[c])
                    sq[c] += g * g
                    w[c] -= rate * g / math.sqrt(sq[c])
    return weights


def fit_averaged(samples: list[Sample], seeds: int = 3) -> dict[str, list[float]]:
    """Mean of the weights of fits on differently shuffled orders (less order-dependent)."""
    runs = [fit(samples, seed=seed) for seed in range(seeds)]
    names = set().union(*runs)
    zero = [0.0] * len(INTENTS)
    return {
        name: [sum(col) / seeds for col in zip(*(r.get(name, zero) for r in runs), strict=True)]
        for name in names
    }


def _nll(logits: list[list[float]], labels: list[int], temperature: float) -> float:
    return -sum(
        math.log(max(softmax(s, temperature)[y], 1e-12))
        for s, y in zip(logits, labels, strict=True)
    )


def calibrate(samples: list[Sample], folds: int = 5) -> tuple[float, float]:
    """Temperature and unknown threshold from out-of-fold predictions."""
    idx = list(range(len(samples)))
    random.Random(1).shuffle(idx)
    logits: list[list[float]] = [[] for _ in samples]
    for k in range(folds):
        held = set(idx[k::folds])
        model = LinearModel(INTENTS, fit([s for i, s in enumerate(samples) if i not in held]))
        for i in held:
            logits[i] = model.scores(samples[i][0])
    labels = [y for _, y in samples]
    temperature = min((t / 20 for t in range(10, 81)), key=lambda t: _nll(logits, labels, t))
    unknown = INTENTS.index(UNKNOWN)

    def accuracy(threshold: float) -> float:
        hits = 0
        for s, y in zip(logits, labels, strict=True):
            p = softmax(s, temperature)
            best = max(range(len(p)), key=p.__getitem__)
            hits += (unknown if p[best] < threshold else best) == y
        return hits / len(labels)

    grid = [t / 100 for t in range(0, 61, 2)]
    accs = [accuracy(t) for t in grid]
    # Real traffic holds more out-of-scope chat than the training data: take the highest
    # threshold up to 0.3 that costs at most half a point of out-of-fold accuracy.
    best = max(accs)
    plateau = [t for t, a in zip(grid, accs, strict=True) if a >= best - 0.005 and t <= 0.3]
    return temperature, plateau[-1] if plateau else 0.0


def _samples(matcher: IntentMatcher, rows: list[tuple[str, str]]) -> list[Sample]:
    return [(matcher.features(text), INTENTS.index(intent)) for text, intent in rows]


def evaluate_model(matcher: IntentMatcher, rows: list[dict]) -> Report:
    predictions = [matcher.classify(r["text"]) for r in rows]
    return score(
        [r["intent"] for r in rows],
        [p.intent for p in predictions],
        [(r["slots"], p.slots) for r, p in zip(rows, predictions, strict=True) if "slots" in r],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.train", description=__doc__)
    parser.add_argument("--train", type=Path, default=EVAL_DIR / "train.jsonl")
    parser.add_argument("--test", type=Path, default=EVAL_DIR / "test.jsonl")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--margin", type=float, default=0.2)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    train_rows = read_jsonl(args.train)
    test_rows = read_jsonl(args.test)
    pairs = [(r["text"], r["intent"]) for r in train_rows] + table_examples()
    empty = LinearModel(INTENTS, {})
    probe = IntentMatcher(empty, *_tables())
    samples = _samples(probe, pairs)
    temperature, threshold = calibrate(samples)
    weights = fit_averaged(samples)

    baseline = KeywordBM25([t for t, _ in pairs], [i for _, i in pairs])
    base_report = score(
        [r["intent"] for r in test_rows], [baseline.predict(r["text"]) for r in test_rows]
    )
    model = LinearModel(INTENTS, weights, temperature, threshold, args.margin)
    report = evaluate_model(IntentMatcher(model, *_tables()), test_rows)
    meta = {
        "train_examples": len(samples),
        "test": report.as_dict(),
        "baseline_test": base_report.as_dict(),
    }
    LinearModel(INTENTS, weights, temperature, threshold, args.margin, meta).write(args.out)
    print(f"temperature {temperature:.2f}  unknown threshold {threshold:.2f}")
    print("== keyword + BM25 baseline (test split)")
    print("\n".join(base_report.lines()[:4]))
    print("== linear model (test split)")
    print("\n".join(report.lines()))
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


def _tables() -> tuple[normalize.Normalizer, features.Featurizer]:
    return normalize.load(), features.load()


if __name__ == "__main__":
    raise SystemExit(main())
