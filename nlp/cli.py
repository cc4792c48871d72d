"""``selfservice intent``: classify stdin lines to JSON lines, or ``--evaluate`` a labelled file."""

from __future__ import annotations

import argparse
import json
import sys

from nlp.evaluate import read_jsonl, score
from nlp.matcher import IntentMatcher


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--evaluate",
        metavar="FILE",
        help='score a JSONL file of {"text", "intent", optional "slots"} instead of reading stdin',
    )
    parser.add_argument(
        "--clarify", action="store_true", help="add the clarify list when top intents are close"
    )
    parser.add_argument(
        "--extra-slots", action="store_true", help="also extract date and enterprise_name"
    )


def run(args: argparse.Namespace) -> int:
    matcher = IntentMatcher.load()
    if args.evaluate:
        return _evaluate(matcher, args.evaluate)
    out = sys.stdout
    classify = matcher.classify
    extra = args.extra_slots
    buffer: list[str] = []
    for line in sys.stdin:
        result = classify(line.rstrip("\r\n"), extra_slots=extra)
        buffer.append(json.dumps(result.as_dict(with_clarify=args.clarify), ensure_ascii=False))
        if len(buffer) >= 512:
            out.write("\n".join(buffer) + "\n")
            buffer.clear()
    if buffer:
        out.write("\n".join(buffer) + "\n")
    out.flush()
    return 0


def _evaluate(matcher: IntentMatcher, path: str) -> int:
    rows = read_jsonl(path)
    predictions = [matcher.classify(row["text"]) for row in rows]
    report = score(
        [row["intent"] for row in rows],
        [p.intent for p in predictions],
        [
            (row["slots"], p.slots)
            for row, p in zip(rows, predictions, strict=True)
            if "slots" in row
        ],
    )
    print("\n".join(report.lines()))
    return 0
