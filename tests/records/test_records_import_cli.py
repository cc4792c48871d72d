"""``selfservice import-records`` on a 50,000-row file: progress on stderr, summary, resumable."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import signal
import sys
from pathlib import Path

from records_helpers import uscc

from selfservice.records.models import CreditRecord, ImportCheckpoint

ROWS, BAD_EVERY = 50_000, 5_000
HEADER = ["action", "identifier", "subject_name", "document_number", "nature", "severity"]
HEADER += ["class", "title", "finding_date", "measures"]


def _write(path: Path) -> int:
    bad = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(ROWS):
            finding = "2025-06-10"
            if i % BAD_EVERY == 1:
                finding, bad = "2025-13-40", bad + 1
            subject = (uscc(i % 7000), f"导入测试企业{i % 7000}")
            fields = ("bad", "general", "administrative_penalty", "未按规定公示年度报告")
            out.writerow(["new", *subject, f"IMP-{i:06d}", *fields, finding, "strict_supervision"])
    return bad


def _done(progress_line: str) -> int:
    return int(re.search(r"(\d+)/\d+", progress_line).group(1))


async def _cli(database_url: str, *args: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "DATABASE_URL": database_url, "SELFSERVICE_ENV": "dev"}
    env.pop("REDIS_URL", None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "selfservice",
        "import-records",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_import_50000_rows_interrupted_and_resumed(world, database, tmp_path):
    path = tmp_path / "records.csv"
    bad = _write(path)
    args = (str(path), "--provider", "km-amr", "--batch", "1000", "--errors", str(tmp_path / "e"))

    first = await _cli(database, *args)
    seen = []
    while True:
        line = (await first.stderr.readline()).decode()
        assert line, "the import ended before it could be interrupted"
        seen.append(line)
        if line.startswith("[") and _done(line) >= 10_000:
            break
    first.send_signal(signal.SIGINT)
    _, tail = await first.communicate()
    assert first.returncode == 130, tail.decode()
    assert "再次运行" in tail.decode()
    checkpoint = await ImportCheckpoint.get()
    assert 10_000 <= checkpoint.rows_done < ROWS and not checkpoint.finished
    done = checkpoint.rows_done
    # each batch is one transaction with its checkpoint: nothing beyond it was written
    assert await CreditRecord.all().count() == done - checkpoint.counts.get("error", 0)

    second = await _cli(database, *args)
    out, err = await second.communicate()
    assert second.returncode == 1  # some rows were rejected
    summary = json.loads(out.decode().strip().splitlines()[-1])
    assert summary["resumed_from"] == done and summary["finished"] is True
    assert summary["counts"] == {"created": ROWS - bad, "error": bad}
    progress = [ln for ln in err.decode().splitlines() if ln.startswith("[")]
    assert _done(progress[-1]) == ROWS and "100.0%" in progress[-1] and "rows/s" in progress[-1]
    assert "导入完成 50000/50000 行" in err.decode()
    assert await CreditRecord.all().count() == ROWS - bad
    rejected = [json.loads(x) for x in (tmp_path / "e").read_text().splitlines()]
    assert len(rejected) == bad and rejected[0]["errors"][0]["code"] == "bad_date"

    third = await _cli(database, *args)
    out, _ = await third.communicate()
    assert json.loads(out.decode().splitlines()[-1])["processed"] == ROWS
    assert await CreditRecord.all().count() == ROWS - bad
