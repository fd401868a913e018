"""Export speed: 1,000 issues × 1,000 participants to XLSX and HTML (and the other formats).

    .venv/bin/python bench/exports.py                       # SQLite file in a temp folder
    .venv/bin/python bench/exports.py --store /tmp/b.sqlite # keep the store, reuse it next time
    .venv/bin/python bench/exports.py --database-url postgresql://user@127.0.0.1:5432/bench

The store is built through the public ``Store`` API (not timed): the small workshop's three
criteria, ``--issues`` issues (years 2026–2030, linked to a theme), ``--participants``
participants (residents and staff) who each post a happiness card, consent to the charter,
score ``--per-rater`` random issues on every criterion (about 5% "don't know") and vote on
a closed town-meeting approval ballot over all issues (up to 5 choices each). After the
workshop: ``--roadmap`` issues on the roadmap (FY2026–FY2028, by quarter) and ``--indicators``
indicators with ``--measurements`` monthly measurements each (from April 2025).

Then, each ``--repeat`` times, it times ``summarize`` (the one results summary) and each
format's rendering of that summary, and reports the best and the median wall time, plus
the total for ``export(store, slug, fmt)`` (summary + rendering), which is what
``ureshii export`` does. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.workshop_data import small_workshop
from toolkit.export import render
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "bench-exports"
TARGET_S = 5.0


def build(store: Store, issues: int, participants: int, per_rater: int, seed: int) -> None:
    rng = random.Random(seed)
    spec = small_workshop(SLUG)
    keys = [f"issue-{n:04d}" for n in range(issues)]
    spec["issues"] = [
        {
            "id": key,
            "title": f"課題 {n + 1}: 窓口の混雑緩和と手続きのオンライン化（{n % 7 + 1}課）",
            "themes": ["matanai"],
            "stakeholders": [rng.choice(["kosodate", "madoguchi"])],
            "cost": rng.randrange(100_000, 20_000_000, 10_000),
            "year": 2026 + n % 5,
            "current": rng.randint(1, 3),
            "ideal": rng.randint(3, 5),
        }
        for n, key in enumerate(keys)
    ]
    spec["town_meeting"] = {
        "results": "hidden_until_close",
        "ballots": [
            {"id": "town", "title": "どれを先にやる？", "rule": "approval", "options": keys}
        ],
    }
    store.create_workshop(spec)
    tokens = [
        store.join(SLUG, category="resident" if n % 3 else "staff") for n in range(participants)
    ]
    for token in tokens:
        holder = rng.choice(["kosodate", "madoguchi"])
        store.add_card(SLUG, "窓口で待たずに済む", stakeholder=holder, token=token)
    store.propose_charter(
        SLUG, method="weighted_sum", weights={"resident": 50, "staff": 30, "cost": 20}
    )
    for token in tokens:
        store.record_consent(SLUG, token, rng.choice([3, 4, 5]))
    store.lock_charter(SLUG)
    for token in tokens:
        answers: dict[tuple[str, str], float | None] = {}
        for key in rng.sample(keys, per_rater):
            for criterion in ("resident", "staff", "cost"):
                answers[(key, criterion)] = None if rng.random() < 0.05 else rng.randint(1, 5)
        store.record_scores(SLUG, token, answers)
    store.open_ballot(SLUG, "town")
    for token in tokens:
        store.cast_vote(SLUG, "town", token, rng.sample(keys, rng.randint(1, 5)))
    store.close_ballot(SLUG, "town")


def build_followup(store: Store, roadmap: int, indicators: int, measurements: int) -> None:
    """After the workshop: roadmap items by quarter, indicators measured every month."""
    from datetime import date

    for n in range(roadmap):
        store.set_roadmap_item(
            SLUG,
            f"issue-{n:04d}",
            f"FY{2026 + n % 3} Q{n % 4 + 1}",
            owner_department=f"{n % 7 + 1}課",
        )
    for n in range(indicators):
        key = f"kpi-{n:03d}"
        store.add_indicator(
            SLUG,
            f"issue-{n:04d}",
            f"指標 {n + 1}: 電子申請の割合",
            direction="increase",
            baseline=10,
            baseline_on=date(2025, 4, 1),
            target=60,
            target_on=date(2027, 3, 31),
            unit="%",
            key=key,
        )
        for month in range(measurements):
            day = date(2025 + (month + 3) // 12, (month + 3) % 12 + 1, 1)
            store.record_measurement(SLUG, key, 10 + 2 * month, day, entered_by="情報政策課")


def timed(action: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--issues", type=int, default=1_000)
    parser.add_argument("--participants", type=int, default=1_000)
    parser.add_argument("--per-rater", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--roadmap", type=int, default=100, help="issues on the roadmap")
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--measurements", type=int, default=12, help="per indicator")
    parser.add_argument(
        "--store", type=Path, help="a SQLite file: built if missing, reused if present"
    )
    args = parser.parse_args()
    url = args.database_url or str(args.store or Path(tempfile.mkdtemp()) / "bench.sqlite")
    reuse = args.store is not None and args.store.exists()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load {load}")
    start = time.perf_counter()
    with Store.open(url) as store:
        if not reuse:
            build(store, args.issues, args.participants, args.per_rater, args.seed)
            build_followup(store, args.roadmap, args.indicators, args.measurements)
        counts = store.counts(SLUG)
        print(f"{'reused' if reuse else 'built'} in {time.perf_counter() - start:.1f} s: {counts}")
        # vl-convert starts its engine and registers the fonts on the first chart of a
        # process; `ureshii export` pays this once, so it is shown on its own.
        from toolkit.charts import demo_chart, to_svg

        warm = timed(lambda: to_svg(demo_chart("ja")), 1)[0]
        print(f"{'first chart in a process (vl-convert start)':<10} {warm:6.2f} s")
        best, median, summary = timed(lambda: summarize(store, SLUG), args.repeat)
        print(f"{'summarize':<10} best {best:6.2f} s  median {median:6.2f} s")
        print(
            "| format | render best | render median | summarize + render best | median | size "
            "| target < 5 s |"
        )
        print("|---|---|---|---|---|---|---|")
        for fmt in ("xlsx", "html", "csv", "json", "md", "svg", "pb"):
            best, median, data = timed(lambda f=fmt: render(summary, f), args.repeat)
            if fmt not in ("xlsx", "html"):  # the targets; the rest: rendering only
                size = len(data) / 1e6
                print(f"| {fmt} | {best:.2f} s | {median:.2f} s | | | {size:.2f} MB | — |")
                continue
            total, total_median, _ = timed(
                lambda f=fmt: render(summarize(store, SLUG), f), args.repeat
            )
            verdict = "OK" if total < TARGET_S else f"over ({total:.1f} s)"
            print(
                f"| {fmt} | {best:.2f} s | {median:.2f} s | {total:.2f} s | {total_median:.2f} s "
                f"| {len(data) / 1e6:.2f} MB | {verdict} |"
            )
    print(f"load after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
