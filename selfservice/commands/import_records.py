"""``selfservice import-records FILE``: provider rows from CSV or JSON lines, resumable by checkpoint."""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import json
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tortoise.transactions import in_transaction

from selfservice import db
from selfservice.clock import Clock
from selfservice.errors import DomainError
from selfservice.policy import load_policy
from selfservice.records.ingest import ingest
from selfservice.records.models import ImportCheckpoint
from selfservice.settings import get_settings
from selfservice.staff.models import Department


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV with a header row, or JSON lines (.jsonl)")
    parser.add_argument("--provider", required=True, help="code of the providing department")
    parser.add_argument("--format", choices=("csv", "jsonl"), help="default: from the extension")
    parser.add_argument("--batch", type=int, default=500, help="rows per transaction")
    parser.add_argument("--restart", action="store_true", help="ignore a saved checkpoint")
    parser.add_argument("--max-rows", type=int, help="stop after this many rows (resume later)")
    parser.add_argument("--errors", type=Path, help="write rejected rows here as JSON lines")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def digest_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _format(path: Path, given: str | None) -> str:
    if given:
        return given
    return "csv" if path.suffix.lower() in (".csv", ".tsv") else "jsonl"


def read_rows(path: Path, fmt: str) -> Iterator[dict[str, Any]]:
    """Rows as dicts; a JSON line that does not parse becomes a row the validator rejects."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        if fmt == "csv":
            for raw in csv.DictReader(f):
                yield {k.strip(): v for k, v in raw.items() if k}
            return
        for line in f:
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                yield {"_unparsed": line[:200]}


def count_rows(path: Path, fmt: str) -> int:
    return sum(1 for _ in read_rows(path, fmt))


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, start: int, out: TextIO, quiet: bool) -> None:
        self.total, self.start, self.out, self.quiet = total, start, out, quiet
        self.began = time.monotonic()
        self.tty = out.isatty()

    def show(self, done: int) -> None:
        if self.quiet:
            return
        share = done / self.total if self.total else 1.0
        rate = (done - self.start) / max(time.monotonic() - self.began, 1e-6)
        bar = "#" * int(share * 30)
        line = f"[{bar:<30}] {done}/{self.total} {share:6.1%} {rate:,.0f} rows/s"
        self.out.write(("\r" if self.tty else "") + line + ("" if self.tty else "\n"))
        self.out.flush()

    def end(self) -> None:
        if not self.quiet and self.tty:
            self.out.write("\n")


def _batches(rows: Iterator[dict[str, Any]], skip: int, size: int) -> Iterator[list]:
    batch: list = []
    for n, row in enumerate(rows):
        if n < skip:
            continue
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def import_file(
    args: argparse.Namespace, *, out: TextIO = sys.stderr, stop: asyncio.Event | None = None
) -> dict[str, Any]:
    """Import the file from its checkpoint on; ``stop`` ends it after the current batch."""
    settings = get_settings()
    policy = load_policy(settings.jurisdiction)
    provider = await Department.get_or_none(code=args.provider)
    if provider is None:
        raise DomainError(
            "未找到信息提供单位", f"No department {args.provider!r}", code="not_found"
        )
    fmt = _format(args.file, args.format)
    digest = digest_of(args.file)
    checkpoint, _ = await ImportCheckpoint.get_or_create(
        file_digest=digest, defaults={"file_name": args.file.name[:300]}
    )
    if args.restart:
        checkpoint.rows_done, checkpoint.counts, checkpoint.finished = 0, {}, False
        await checkpoint.save()
    total = count_rows(args.file, fmt)
    resumed_from = checkpoint.rows_done
    progress = Progress(total, resumed_from, out, args.quiet)
    errors = args.errors.open("a", encoding="utf-8") if args.errors else None
    limit = args.max_rows if args.max_rows is not None else total
    today = Clock().today()
    interrupted = False
    try:
        for batch in _batches(read_rows(args.file, fmt), checkpoint.rows_done, args.batch):
            if stop is not None and stop.is_set():
                interrupted = True
                break
            if checkpoint.rows_done - resumed_from >= limit:
                break
            batch = batch[: limit - (checkpoint.rows_done - resumed_from)]
            async with in_transaction():
                report = await ingest(
                    rows=batch,
                    provider=provider,
                    policy=policy,
                    today=today,
                    first_row=checkpoint.rows_done + 1,
                )
                counts = dict(checkpoint.counts)
                for k, v in report["counts"].items():
                    counts[k] = counts.get(k, 0) + v
                checkpoint.rows_done += len(batch)
                checkpoint.counts = counts
                checkpoint.finished = checkpoint.rows_done >= total
                await checkpoint.save()
            if errors:
                for row in report["rows"]:
                    if row["result"] == "error":
                        errors.write(json.dumps(row, ensure_ascii=False) + "\n")
            progress.show(checkpoint.rows_done)
    finally:
        progress.end()
        if errors:
            errors.close()
    if checkpoint.rows_done >= total and not checkpoint.finished:
        checkpoint.finished = True
        await checkpoint.save()
    return {
        "file": args.file.name,
        "rows": total,
        "resumed_from": resumed_from,
        "processed": checkpoint.rows_done,
        "finished": checkpoint.finished,
        "interrupted": interrupted,
        "counts": checkpoint.counts,
    }


def _stop_then_default(
    loop: asyncio.AbstractEventLoop, sig: signal.Signals, stop: asyncio.Event
) -> None:
    stop.set()
    loop.remove_signal_handler(sig)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def _run() -> dict[str, Any]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # the first signal finishes the batch in hand and saves the checkpoint
            loop.add_signal_handler(sig, _stop_then_default, loop, sig, stop)
        await db.connect(settings.database_url)
        try:
            return await import_file(args, stop=stop)
        finally:
            await db.close()

    try:
        summary = asyncio.run(_run())
    except DomainError as exc:
        print(f"selfservice import-records: {exc.message}", file=sys.stderr)
        return 2
    print(json.dumps(summary, ensure_ascii=False))
    if summary["interrupted"]:
        print(
            f"导入已中断于第 {summary['processed']} 行；再次运行同一命令将从检查点继续 "
            "/ interrupted, rerun to resume",
            file=sys.stderr,
        )
        return 130
    c = summary["counts"]
    print(
        f"导入完成 {summary['processed']}/{summary['rows']} 行：新增 {c.get('created', 0)}，"
        f"更正 {c.get('amended', 0)}，撤销 {c.get('revoked', 0)}，未变 {c.get('unchanged', 0)}，"
        f"错误 {c.get('error', 0)}" + ("" if summary["finished"] else "（未完成，可再次运行继续）"),
        file=sys.stderr,
    )
    return 1 if c.get("error") else 0
