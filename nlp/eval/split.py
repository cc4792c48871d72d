"""Build ``train.jsonl`` and ``test.jsonl`` from ``utterances.txt``: fill slots, split, no leaks.

Run ``python -m nlp.eval.split``. Near-duplicates (character-bigram Jaccard ≥ 0.5) are grouped and
kept on one side, so test sentences are never light edits of training ones.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from pathlib import Path

from selfservice.identifiers import USCC_ALPHABET, id_check_digit, uscc_check_char

HERE = Path(__file__).parent
SOURCE = HERE / "utterances.txt"
TEST_SHARE = 0.25
SIMILAR = 0.5
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def read_source(path: Path = SOURCE) -> list[tuple[str, str]]:
    """(intent, template) pairs in file order."""
    return [(intent, template) for intent, template, _ in read_rounds(path)]


def read_rounds(path: Path = SOURCE) -> list[tuple[str, str, int]]:
    """(intent, template, round) triples; a ``# Round`` comment line starts the next round."""
    items: list[tuple[str, str, int]] = []
    intent = ""
    round_no = 0
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("# Round"):
            round_no += 1
        elif line.startswith("## "):
            intent = line[3:].strip()
        elif line and not line.startswith("#"):
            items.append((intent, line, round_no))
    return items


def _uscc(rng: random.Random) -> str:
    org_alphabet = USCC_ALPHABET if rng.random() < 0.7 else "0123456789"
    body = rng.choice("91Y5") + rng.choice("1253") + rng.choice(["530100", "530102", "530400"])
    body += "".join(rng.choice(org_alphabet) for _ in range(9))
    return body + uscc_check_char(body)


def _id(rng: random.Random, *, x: bool = False) -> str:
    while True:
        body = rng.choice(["530102", "530103", "530111", "110105", "530402", "532301"])
        body += f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body += f"{rng.randint(0, 999):03d}"
        check = id_check_digit(body)
        if (check == "X") == x:
            return body + check


def fill(template: str, rng: random.Random) -> tuple[str, dict[str, str]]:
    """The template with generated identifiers, and the slots they make."""
    slots: dict[str, str] = {}

    def value(m: re.Match[str]) -> str:
        kind = m.group(1)
        if kind in ("uscc", "uscc_lc"):
            code = _uscc(rng)
            slots["credit_code"] = code
            return code.lower() if kind == "uscc_lc" else code
        if kind == "bad":
            code = _uscc(rng)
            wrong = rng.choice([c for c in USCC_ALPHABET if c != code[-1]])
            slots["invalid_credit_code"] = code[:-1] + wrong
            return code[:-1] + wrong
        if kind in ("id", "idx"):
            number = _id(rng, x=kind == "idx")
            slots["id_number"] = number
            return number.lower() if kind == "idx" else number
        if kind == "phone":
            phone = (
                "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
            )
            slots["phone"] = phone
            return phone
        if kind == "code":
            return f"{rng.randint(0, 999999):06d}"  # an SMS code is never a slot
        if kind in ("phone_sp", "phone86"):
            phone = "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))
            slots["phone"] = phone
            if kind == "phone86":
                return "+86" + phone
            return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        if kind in ("receipt", "receipt_lc"):
            receipt = f"{rng.choice(['YY', 'XF', 'CN', 'JB'])}2026{rng.randint(1, 12):02d}"
            receipt += f"{rng.randint(1, 28):02d}-{rng.randint(1, 9999):04d}"
            slots["receipt"] = receipt
            return receipt.lower() if kind == "receipt_lc" else receipt
        raise ValueError(kind)

    return _PLACEHOLDER.sub(value, template), slots


def _bigrams(text: str) -> set[str]:
    text = _PLACEHOLDER.sub("#", text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _similar(a: set[str], b: set[str]) -> bool:
    union = len(a | b)
    return bool(union) and len(a & b) / union >= SIMILAR


def _clusters(items: list[tuple[str, str]]) -> list[list[int]]:
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grams = [_bigrams(t) for _, t in items]
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if _similar(grams[i], grams[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    return list(groups.values())


def _assign(
    items: list[tuple[str, str]],
    rng: random.Random,
    fixed: dict[str, list[set[str]]],
) -> tuple[list[int], list[int]]:
    """Train and test indices of one round; clusters near an earlier round's item follow it."""
    by_intent: dict[str, list[list[int]]] = defaultdict(list)
    train_idx: list[int] = []
    test_idx: list[int] = []
    for group in _clusters(items):
        grams = [_bigrams(items[i][1]) for i in group]
        near = {
            side
            for side, known in fixed.items()
            if any(_similar(g, k) for g in grams for k in known)
        }
        if near:
            (train_idx if "train" in near else test_idx).extend(group)
        else:
            by_intent[items[group[0]][0]].append(group)
    for intent in sorted(by_intent):
        groups = by_intent[intent]
        rng.shuffle(groups)
        total = sum(len(g) for g in groups)
        taken = 0
        for group in sorted(groups, key=len):
            if len(group) == 1 and taken < total * TEST_SHARE:
                test_idx.extend(group)
                taken += 1
            else:
                train_idx.extend(group)
    return train_idx, test_idx


def split(seed: int = 6) -> tuple[list[dict], list[dict]]:
    """Stratified train/test rows; each near-duplicate cluster lands wholly on one side.

    Rounds of later additions are split on their own, so the sides (and texts) of earlier
    rounds never change; an added message close to an earlier one joins that one's side.
    """
    seen: set[tuple[str, str]] = set()
    rounds: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for intent, template, round_no in read_rounds():
        if (intent, template) not in seen:
            seen.add((intent, template))
            rounds[round_no].append((intent, template))
    train: list[dict] = []
    test: list[dict] = []
    fixed: dict[str, list[set[str]]] = {"train": [], "test": []}
    for round_no in sorted(rounds):
        items = rounds[round_no]
        rng = random.Random(seed + 1000 * round_no)
        train_idx, test_idx = _assign(items, rng, fixed)
        for side, indices, out in (("train", train_idx, train), ("test", test_idx, test)):
            for i in sorted(indices):
                intent, template = items[i]
                text, slots = fill(template, rng)
                out.append({"text": text, "intent": intent, "slots": slots})
                fixed[side].append(_bigrams(template))
    return train, test


def write(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    train, test = split()
    write(train, HERE / "train.jsonl")
    write(test, HERE / "test.jsonl")
    print(f"train {len(train)}  test {len(test)}")


if __name__ == "__main__":
    main()
