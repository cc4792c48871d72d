"""Benchmark of the intent matcher: messages/s on one core, CLI start-up, resident memory."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MESSAGES = 20_000


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def throughput() -> tuple[float, float, float, float]:
    """(load seconds, messages/s without and with the result cache, RSS growth in MB)."""
    from nlp.evaluate import read_jsonl
    from nlp.matcher import IntentMatcher

    texts = [r["text"] for r in read_jsonl(ROOT / "nlp" / "eval" / "test.jsonl")]
    before = _rss_mb()
    started = time.perf_counter()
    matcher = IntentMatcher.load()
    loaded = time.perf_counter() - started
    grown = _rss_mb() - before
    batch = (texts * (MESSAGES // len(texts) + 1))[:MESSAGES]
    uncached = IntentMatcher(matcher.model, matcher.normalizer, matcher.featurizer, cache_size=0)
    rates = []
    for m in (uncached, matcher):
        for text in batch[:500]:
            m.classify(text)
        started = time.perf_counter()
        for text in batch:
            m.classify(text)
        rates.append(MESSAGES / (time.perf_counter() - started))
    return loaded, rates[0], rates[1], grown


def startup(runs: int = 5) -> float:
    """Median wall time of ``python -m selfservice intent`` answering one line."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "selfservice", "intent"],
            input="我要举报\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        times.append(time.perf_counter() - started)
        assert json.loads(done.stdout)["intent"] == "report"
    return statistics.median(times)


def traced_load_mb() -> float:
    """Peak Python allocations while loading, measured in a fresh process with tracemalloc."""
    code = (
        "import tracemalloc; tracemalloc.start()\n"
        "from nlp.matcher import IntentMatcher; IntentMatcher.load()\n"
        "print(tracemalloc.get_traced_memory()[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return int(done.stdout.strip()) / 2**20


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    loaded, rate, cached, grown = throughput()
    print(f"load in process     {loaded:.2f} s")
    print(f"throughput          {rate:,.0f} messages/s (one core, {MESSAGES} messages, no cache)")
    print(f"per message         {1e6 / rate:.0f} µs")
    print(f"repeated texts      {cached:,.0f} messages/s (the per-text result cache warm)")
    print(f"RSS growth on load  {grown:.0f} MB")
    print(f"max RSS             {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"tracemalloc peak    {traced_load_mb():.0f} MB (Python objects while loading)")
    print(f"CLI start-up        {startup():.2f} s to the first answer (median of 5)")


if __name__ == "__main__":
    main()
