"""Timings of the prioritisation methods (a benchmark, not a test: it prints numbers).

Run from the repository root::

    .venv/bin/python bench/methods.py

Targets (2-core machine): rank_issues 1,000 raters × 200 issues × 10 criteria < 0.2 s;
rank_acceptability 10,000 samples × 200 issues × 10 criteria < 1 s and < 500 MB;
Schulze 50 options × 10,000 ballots < 1 s; Equal Shares 50 projects × 5,000 voters timed
side by side with pabutools itself, same outcome. Record the output in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pabutools.election import Cost_Sat
from pabutools.rules import method_of_equal_shares

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit import methods
from toolkit.methods.budgeting import build_pabutools_election

REPEATS = 5


def timed(label: str, target: float | None, run: Callable[[], Any]) -> Any:
    """Run ``run`` REPEATS times; print the best and the median wall time."""
    times = []
    result = None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    best, median = min(times), statistics.median(times)
    verdict = "" if target is None else ("  OK" if median < target else "  OVER TARGET")
    goal = "" if target is None else f"  (target < {target:g} s)"
    print(f"{label:<58} best {best:7.3f} s  median {median:7.3f} s{goal}{verdict}")
    return result


def peak_memory_mb(run: Callable[[], Any]) -> float:
    """Peak memory traced by tracemalloc (numpy reports its buffers to it) during ``run``."""
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    rng = np.random.default_rng(2026)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{REPEATS} runs each; load average before the run: {load}\n")

    # 1. Aggregate and rank: 1,000 raters × 200 issues × 10 criteria, 10% "don't know".
    cube = rng.integers(1, 6, size=(1000, 200, 10)).astype(np.float64)
    cube[rng.random(cube.shape) < 0.10] = np.nan
    criteria = [f"c{j}" for j in range(10)]
    weights = dict(zip(criteria, rng.random(10).tolist(), strict=True))
    directions = {"c9": -1}
    for statistic in ("mean", "median"):
        timed(
            f"rank_issues 1000×200×10, {statistic}, minmax",
            0.2,
            lambda s=statistic: methods.rank_issues(
                cube,
                weights,
                criteria=criteria,
                directions=directions,
                normalization="minmax",
                statistic=s,
            ),
        )

    # 2. SMAA-2 rank acceptability: 10,000 samples × 200 issues × 10 criteria.
    table = methods.aggregate_scores(cube, criteria=criteria)
    for concentration in (None, 50.0):
        timed(
            f"rank_acceptability 10000×200×10, concentration={concentration}",
            1.0,
            lambda c=concentration: methods.rank_acceptability(
                table, weights, samples=10_000, concentration=c, directions=directions
            ),
        )
    peak = peak_memory_mb(
        lambda: methods.rank_acceptability(table, weights, samples=10_000, directions=directions)
    )
    print(f"{'rank_acceptability peak traced memory':<58} {peak:7.1f} MB  (target < 500 MB)")

    # 3. Schulze: 50 options × 10,000 ballots (each a full random ranking, count 1).
    options = [f"o{i:02d}" for i in range(50)]
    ballots = [(1, [options[i] for i in rng.permutation(50)]) for _ in range(10_000)]
    timed("schulze 50 options × 10000 ballots", 1.0, lambda: methods.schulze(ballots))

    # 4. Equal Shares: 50 projects × 5,000 voters, ours (validation + pabutools) vs pabutools.
    costs = {f"p{j:02d}": int(c) * 1000 for j, c in enumerate(rng.integers(10, 200, 50))}
    names = list(costs)
    popularity = rng.random(50) * 0.5
    approvals = {
        v: {names[j] for j in np.flatnonzero(rng.random(50) < popularity)} for v in range(5000)
    }
    budget = sum(costs.values()) // 3
    ours = timed(
        "equal_shares 50 projects × 5000 voters (toolkit.methods)",
        None,
        lambda: methods.equal_shares(costs, approvals, budget),
    )

    def pabutools_only() -> list[str]:
        instance, profile, _ = build_pabutools_election(costs, approvals, budget)
        return [p.name for p in method_of_equal_shares(instance, profile, sat_class=Cost_Sat)]

    theirs = timed(
        "equal_shares 50 projects × 5000 voters (pabutools itself)", None, pabutools_only
    )
    print(f"{'same outcome as pabutools':<58} {ours == theirs}  ({len(ours)} projects selected)")
    if ours != theirs:
        raise SystemExit("equal_shares differs from pabutools")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{'process peak RSS (whole run)':<58} {rss:7.1f} MB")


if __name__ == "__main__":
    main()
