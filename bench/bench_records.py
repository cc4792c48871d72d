"""Benchmark of ``GET /api/v1/me/records`` on PostgreSQL: 100,000 subjects, 1,000,000 records.

Creates (or reuses) a separate database, bulk-loads it with COPY, starts ``selfservice serve
--workers 2`` and drives it with an open-loop aiohttp load generator at a fixed rate (each request
with the token of a random subject), then with a closed loop for the maximum rate.

    python bench/bench_records.py [--pg postgres://postgres@127.0.0.1:5432/test] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selfservice import db  # noqa: E402
from selfservice.auth.tokens import Principal, issue_access_token  # noqa: E402
from selfservice.identifiers import uscc_check_char  # noqa: E402
from selfservice.settings import load_settings  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
FIELD_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE="  # bench data only: 32 bytes
CLASSES = ("administrative_penalty", "contract_default", "tax_credit_a", "commendation")


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def prepare(admin_url: str, name: str, subjects: int, records: int, fresh: bool) -> str:
    base = admin_url.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    admin = await asyncpg.connect(_dsn(admin_url))
    exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", name)
    if exists and fresh:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = False
    if not exists:
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    await db.migrate(url)
    await db.close()
    conn = await asyncpg.connect(_dsn(url))
    try:
        have = await conn.fetchval("SELECT count(*) FROM credit_record")
        if have >= records:
            print(f"reusing {name}: {have:,} records", file=sys.stderr)
            return url
        await conn.execute("TRUNCATE credit_record, subject, department RESTART IDENTITY CASCADE")
        await _load(conn, subjects, records)
    finally:
        await conn.close()
    return url


async def _load(conn: asyncpg.Connection, subjects: int, records: int) -> None:
    now = datetime.now(UTC)
    began = time.monotonic()
    await conn.execute(
        "INSERT INTO department (code, name, level, jurisdiction, region_code) VALUES "
        "('km-amr', '昆明市市场监督管理局', 'city', 'kunming', '530100'),"
        "('km-tax', '国家税务总局昆明市税务局', 'city', 'kunming', '530100')"
    )

    def subject_rows():
        for i in range(1, subjects + 1):
            body = f"91530100MA{i:07d}"
            yield (
                i,
                "legal_person",
                f"基准测试企业{i}",
                body + uscc_check_char(body),
                "530100",
                now,
                now,
            )

    await conn.copy_records_to_table(
        "subject",
        records=subject_rows(),
        columns=["id", "kind", "name", "uscc", "region_code", "created_at", "updated_at"],
    )
    rnd = random.Random(7)
    start = date(2021, 1, 1)

    def record_rows():
        for i in range(1, records + 1):
            found = start + timedelta(days=rnd.randrange(1900))
            klass = CLASSES[i % 4]
            good = klass in ("tax_credit_a", "commendation")
            yield (
                i,
                1 + rnd.randrange(subjects),
                "good" if good else "bad",
                None if good else ("minor", "general", "severe")[i % 3],
                klass,
                "基准测试记录",
                "",
                "",
                1 + i % 2,
                f"BENCH-{i:08d}",
                found,
                found,
                None,
                found,
                found + timedelta(days=1095),
                "record.bad.period",
                "published",
                False,
                '{"published": true}',
                now,
                now,
            )

    columns = [
        "id", "subject_id", "nature", "severity", "catalogue_class", "title", "content",
        "legal_basis", "provider_id", "document_number", "finding_date", "publicity_start",
        "publicity_end", "repairable_from", "published_through", "period_rule", "status",
        "under_objection", "flags", "created_at", "updated_at",
    ]  # fmt: skip
    await conn.copy_records_to_table("credit_record", records=record_rows(), columns=columns)
    for table in ("subject", "credit_record", "department"):
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    await conn.execute("ANALYZE")
    print(
        f"loaded {subjects:,} subjects and {records:,} records in {time.monotonic() - began:.0f} s",
        file=sys.stderr,
    )


async def _wait_up(base: str, wait_s: float = 60) -> None:
    deadline = time.monotonic() + wait_s
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(base + "/healthz") as res:
                    if res.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit("server did not come up")


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


async def open_loop(base: str, tokens: list[str], rate: float, seconds: float) -> dict:
    """Fire requests on a fixed schedule, whatever the latency (no coordinated omission)."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(scheduled: float) -> None:
            nonlocal errors
            headers = {"Authorization": "Bearer " + random.choice(tokens)}
            async with http.get(base + "/api/v1/me/records?per_page=20", headers=headers) as res:
                await res.read()
                if res.status != 200:
                    errors += 1
            latencies.append(time.monotonic() - scheduled)

        began = time.monotonic()
        tasks = []
        n = 0
        while (due := began + n / rate) < began + seconds:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(one(due)))
            n += 1
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began
    return {
        "requests": n,
        "achieved_rps": round(n / elapsed, 1),
        "p50_ms": round(_pct(latencies, 0.50), 1),
        "p99_ms": round(_pct(latencies, 0.99), 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "mean_ms": round(statistics.mean(latencies) * 1000, 1),
        "errors": errors,
    }


async def closed_loop(base: str, tokens: list[str], concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:

        async def worker() -> None:
            while time.monotonic() < stop:
                t0 = time.monotonic()
                headers = {"Authorization": "Bearer " + random.choice(tokens)}
                async with http.get(base + "/api/v1/me/records", headers=headers) as res:
                    await res.read()
                latencies.append(time.monotonic() - t0)

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - began
    return {
        "concurrency": concurrency,
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(_pct(latencies, 0.50), 1),
        "p99_ms": round(_pct(latencies, 0.99), 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg", default=os.environ.get("TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--db-name", default="xy_bench_records")
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="drop and reload the bench database")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    url = await prepare(args.pg, args.db_name, args.subjects, args.records, args.fresh)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "DATA_KEY": FIELD_KEY,
        "REPORT_SEAL_KEY": FIELD_KEY,
        "SELFSERVICE_ENV": "test",
        "JURISDICTION": "kunming",
    }
    env.pop("REDIS_URL", None)
    settings = load_settings(env)
    tokens = [
        issue_access_token(
            settings=settings,
            principal=Principal(
                kind="subject", subject_id=1 + random.randrange(args.subjects), scopes=("all",)
            ),
            ttl=3600,
        )
        for _ in range(5000)
    ]
    server = await asyncio.create_subprocess_exec(
        *[
            sys.executable,
            "-m",
            "selfservice",
            "serve",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        await _wait_up(base)
        await open_loop(base, tokens, args.rate, 5)  # warm-up
        fixed = await open_loop(base, tokens, args.rate, args.seconds)
        peak = await closed_loop(base, tokens, 32, min(args.seconds, 15))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        await asyncio.wait_for(server.wait(), 30)
    print(
        f"GET /api/v1/me/records, {args.subjects:,} subjects / {args.records:,} records, {args.workers} workers"
    )
    print(f"open loop at {args.rate:.0f} req/s for {args.seconds:.0f} s: {fixed}")
    print(f"closed loop, 32 connections: {peak}")
    verdict = "meets" if fixed["p99_ms"] <= 50 and not fixed["errors"] else "MISSES"
    print(f"target p99 <= 50 ms at {args.rate:.0f} req/s: {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
