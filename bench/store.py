"""Store write throughput: one process, then 8 processes writing at once.

    .venv/bin/python bench/store.py                      # SQLite file in a temp folder
    .venv/bin/python bench/store.py --database-url postgresql://user@127.0.0.1:5432/bench

Prints writes per second and per-write latency (p50 / p95 / max) for ``add_card`` and
``cast_vote`` — each one transaction that returns only after commit (durable) — and the
wall time for 8 processes × 200 cards. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.workshop_data import small_workshop
from toolkit.store import Store

SLUG = "bench"


def _percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return f"p50 {statistics.median(ms):.1f} ms  p95 {p95:.1f} ms  max {ms[-1]:.1f} ms"


def _timed(calls: int, action: object) -> tuple[float, list[float]]:
    latencies = []
    start = time.perf_counter()
    for n in range(calls):
        t0 = time.perf_counter()
        action(n)  # type: ignore[operator]
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - start, latencies


def _worker(url: str, worker: int, writes: int) -> float:
    with Store.open(url, upgrade=False) as store:
        start = time.perf_counter()
        for n in range(writes):
            store.add_card(SLUG, f"w{worker} c{n}")
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--writes", type=int, default=500)
    args = parser.parse_args()
    url = args.database_url or str(Path(tempfile.mkdtemp()) / "bench.sqlite")
    store = Store.open(url)
    store.create_workshop(small_workshop(SLUG))
    engine = store.engine.dialect.name
    print(f"store: {engine}  ({args.writes} writes each, one process)")

    total, lat = _timed(args.writes, lambda n: store.add_card(SLUG, f"card {n}"))
    print(f"add_card   {args.writes / total:7.0f} writes/s  {_percentiles(lat)}")

    store.open_ballot(SLUG, "town")
    tokens = [store.join(SLUG) for _ in range(args.writes)]
    total, lat = _timed(args.writes, lambda n: store.cast_vote(SLUG, "town", tokens[n], ["chat"]))
    print(f"cast_vote  {args.writes / total:7.0f} writes/s  {_percentiles(lat)}")

    processes, each = 8, 200
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        busy = pool.starmap(_worker, [(url, w, each) for w in range(processes)])
    wall = time.perf_counter() - start
    print(
        f"{processes} processes x {each} add_card: {processes * each} rows in {wall:.1f} s wall "
        f"(writing {max(busy):.1f} s; {processes * each / max(busy):.0f} writes/s together)"
    )
    store.close()


if __name__ == "__main__":
    main()
