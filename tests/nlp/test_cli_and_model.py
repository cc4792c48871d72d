"""The ``selfservice intent`` command end to end, and the shipped model as a regression guard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from nlp.eval import split
from nlp.evaluate import read_jsonl, score
from nlp.intents import INTENTS
from nlp.matcher import IntentMatcher
from nlp.slots import CONTRACT_KEYS

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "nlp" / "eval"


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "selfservice", "intent", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )


def test_cli_prints_one_json_line_per_input_line() -> None:
    lines = [
        "我要举报",
        "",
        "回执YY20261122-0042进度怎么样",
        "社保怎么交",
        "代码91530100MA6K0R1X6T查记录",
    ]
    done = _run(stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["intent"] for o in out] == [
        "report",
        "unknown",
        "progress",
        "unknown",
        "query_records",
    ]
    assert out[2]["slots"] == {"receipt": "YY20261122-0042"}
    assert out[4]["slots"] == {"credit_code": "91530100MA6K0R1X6T"}
    for o in out:
        assert set(o) == {"intent", "confidence", "slots"}
        assert 0.0 <= o["confidence"] <= 1.0


def test_cli_extra_slots_are_printed_unescaped() -> None:
    done = _run("--extra-slots", stdin="我们是昆明滇池水务有限公司，查记录\n")
    assert done.returncode == 0, done.stderr
    assert "昆明滇池水务有限公司" in done.stdout
    assert json.loads(done.stdout)["slots"]["enterprise_name"] == "昆明滇池水务有限公司"


def test_cli_evaluate_prints_figures() -> None:
    done = _run("--evaluate", str(EVAL / "test.jsonl"))
    assert done.returncode == 0, done.stderr
    for label in ("accuracy", "macro-F1", "slot exact", "top confusions", "verify_identity"):
        assert label in done.stdout
    accuracy = float(
        next(x for x in done.stdout.splitlines() if x.startswith("accuracy")).split()[1]
    )
    assert accuracy >= 0.90


def test_shipped_model_accuracy_on_the_test_split() -> None:
    rows = read_jsonl(EVAL / "test.jsonl")
    matcher = IntentMatcher.load()
    predicted = [matcher.classify(r["text"]) for r in rows]
    report = score(
        [r["intent"] for r in rows],
        [p.intent for p in predicted],
        [(r["slots"], p.slots) for r, p in zip(rows, predicted, strict=True)],
    )
    assert report.accuracy >= 0.90, "\n".join(report.lines())
    assert report.macro_f1 >= 0.88
    assert report.slot_exact is not None and report.slot_exact >= 0.97


def test_model_classes_are_the_contract_intents() -> None:
    assert IntentMatcher.load().model.classes == INTENTS


@pytest.fixture(scope="module")
def splits() -> tuple[list[dict], list[dict]]:
    return read_jsonl(EVAL / "train.jsonl"), read_jsonl(EVAL / "test.jsonl")


def test_eval_data_is_large_labelled_and_stratified(splits: tuple[list[dict], list[dict]]) -> None:
    train, test = splits
    assert len(train) + len(test) >= 900
    counts = Counter(r["intent"] for r in train + test)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 40
    share = len(test) / (len(train) + len(test))
    assert 0.2 <= share <= 0.3
    for row in train + test:
        assert set(row["slots"]) <= set(CONTRACT_KEYS)


def test_test_split_has_no_copies_of_training_texts(
    splits: tuple[list[dict], list[dict]],
) -> None:
    train, test = splits
    assert not {r["text"] for r in train} & {r["text"] for r in test}


def test_split_files_are_reproducible(splits: tuple[list[dict], list[dict]]) -> None:
    assert split.split() == splits
