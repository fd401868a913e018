"""Console and board speed: time to an interactive console, board latency, kernel memory.

    .venv/bin/python bench/console.py                 # demo store built in a temp folder
    .venv/bin/python bench/console.py --runs 5 --write docs/benchmarks.md

Starts ``ureshii serve STORE`` (the shipped apps on a demo store, English labels) on a free
loopback port and drives Debian's Chromium headless (Playwright, never its own browsers):

1. **console interactive**: ``--runs`` times, a fresh browser context opens the facilitator
   link; the time runs until the console's "Next phase" button is visible and enabled
   (the widgets are drawn and the kernel answered). Each run starts a new kernel, as a
   facilitator opening the console does. Target: median < 4 s.
2. **board latency**: the board is opened on the happiness phase; ``--runs`` times, a card
   with a unique text is added through ``Store.add_card`` (another screen) and the time runs
   until that text is visible on the board. Target: median < 2 s (feed interval 1 s).
3. **facilitator kernel RSS**: the resident memory of each console kernel (the server's
   ``ipykernel`` child processes, found with psutil) once it is interactive. Target: < 300 MB.

A benchmark, not a test: it prints figures and asserts nothing. ``--write FILE`` replaces
the ``## Console and board (bench/console.py)`` section of FILE with the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sections import write_section  # noqa: E402
from serving import (  # noqa: E402  (the benchmarks' shared server helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    SECRET,
    free_port,
    kernel_processes,
    start_server,
)

from toolkit.store import Store  # noqa: E402

SECTION = "## Console and board (bench/console.py)"
TARGETS = {"console": 4.0, "latency": 2.0, "rss": 300.0}


def server_env(bytecode_cache: Path | None) -> dict[str, str]:
    """The server's (and so its kernels') environment.

    An installed package normally has compiled bytecode (pip compiles at install time). In
    an environment with ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__`` (this sandbox:
    uv installs without compiling), every kernel compiles pandas, scipy and SQLAlchemy from
    source again; ``bytecode_cache`` gives the kernels a cache folder (outside the venv)
    instead, as on a normal installation.
    """
    env = dict(os.environ)
    if bytecode_cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    return env


def kernels(server: subprocess.Popen[bytes]) -> dict[int, psutil.Process]:
    return {process.pid: process for process in kernel_processes(server.pid)}


def new_kernel(server: subprocess.Popen[bytes], before: set[int]) -> psutil.Process | None:
    fresh = [p for pid, p in kernels(server).items() if pid not in before]
    return fresh[0] if fresh else None


def open_console(browser: Any, base: str) -> float:
    """Seconds from the facilitator link to an enabled "Next phase" button (new context)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{base}/?secret={SECRET}", timeout=120_000)
    page.get_by_role("button", name="Next phase").wait_for(state="visible", timeout=120_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "b => b.textContent.includes('Next phase') && !b.disabled)",
        timeout=120_000,
    )
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def measure(
    store_path: Path, runs: int, bytecode_cache: Path | None, *, latency: bool = True
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with Store.open(store_path) as store:
        slug = store.workshops()[-1].slug
        store.set_phase(slug, "happiness")
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"ureshii-bench-console-{port}.log"
    server = start_server(store_path, port, log, server_env(bytecode_cache))
    base = f"http://127.0.0.1:{port}"
    result: dict[str, Any] = {"console_s": [], "latency_s": [], "console_rss_mb": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            if bytecode_cache is not None:  # the first open compiles the bytecode cache
                result["warm_up_s"] = open_console(browser, base)
            for _ in range(runs):
                before = set(kernels(server))
                result["console_s"].append(open_console(browser, base))
                kernel = new_kernel(server, before)
                if kernel is not None:
                    result["console_rss_mb"].append(kernel.memory_info().rss / 2**20)

            if not latency:
                browser.close()
                return result
            before = set(kernels(server))
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/?secret={SECRET}", timeout=120_000)  # sets the cookie
            page.get_by_role("button", name="Next phase").wait_for(timeout=120_000)
            board = context.new_page()
            board.goto(f"{base}/voila/render/board.ipynb", timeout=120_000)
            board.get_by_role("heading", name="Happiness map").wait_for(timeout=120_000)
            time.sleep(3)  # let the first redraws settle
            with Store.open(store_path) as store:
                for n in range(runs):
                    text = f"bench card {n} {uuid.uuid4().hex[:8]}"
                    start = time.perf_counter()
                    store.add_card(slug, text, stakeholder="kosodate")
                    board.get_by_text(text).wait_for(state="visible", timeout=60_000)
                    result["latency_s"].append(time.perf_counter() - start)
                    time.sleep(0.37)  # land at different points of the 1 s poll cycle
            kernels_now = kernels(server)
            result["board_kernels_rss_mb"] = sorted(
                p.memory_info().rss / 2**20 for pid, p in kernels_now.items() if pid not in before
            )
            context.close()
            browser.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return result


def report(result: dict[str, Any], runs: int, command: str) -> str:
    console = result["console_s"]
    latency = result["latency_s"]
    rss = result["console_rss_mb"]
    med_console, med_latency = statistics.median(console), statistics.median(latency)
    max_rss = max(rss) if rss else float("nan")

    def ok(value: float, target: float) -> str:
        return "OK" if value < target else "over target"

    def listed(values: list[float], unit: str, digits: int = 2) -> str:
        return ", ".join(f"{v:.{digits}f}" for v in values) + f" {unit}"

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        SECTION,
        "",
        "Command (from the repository root):",
        "",
        "```",
        command,
        "```",
        "",
        f"Recorded {time.strftime('%Y-%m-%d')} on the shared 2-core development machine "
        f"(Python {platform.python_version()}, Debian Chromium headless via Playwright), "
        f"`ureshii serve` on a demo store (24 participants, 48 cards, 12 issues), "
        f"{runs} runs each; load average at the end {load}.",
        "",
        "| what | target | median | all runs | result |",
        "|---|---|---|---|---|",
        f'| facilitator console interactive (facilitator link → "Next phase" enabled; '
        f"a new kernel each run; bytecode compiled, as installed by pip) | < 4 s | "
        f"{med_console:.2f} s | {listed(console, 's')} | {ok(med_console, TARGETS['console'])} |",
    ]
    cold = result.get("cold_console_s")
    if cold:
        lines.append(
            "| the same without any bytecode cache (this sandbox: `PYTHONDONTWRITEBYTECODE=1`, "
            f"packages installed uncompiled) | < 4 s | {statistics.median(cold):.2f} s | "
            f"{listed(cold, 's')} | {ok(statistics.median(cold), TARGETS['console'])} |"
        )
    lines += [
        f"| board shows a card added through `Store.add_card` by another process (feed "
        f"interval 1 s) | < 2 s | {med_latency:.2f} s | {listed(latency, 's')} | "
        f"{ok(med_latency, TARGETS['latency'])} |",
        f"| facilitator (console) kernel RSS once interactive | < 300 MB | "
        f"{statistics.median(rss):.0f} MB | {listed(rss, 'MB', 0)} | "
        f"{ok(max_rss, TARGETS['rss'])} (max {max_rss:.0f} MB) |",
        "",
        "Kernels of the latency run (console, board): "
        + listed(result.get("board_kernels_rss_mb", []), "MB", 0)
        + (
            f"; the warm-up open that compiled the bytecode cache took {result['warm_up_s']:.2f} s."
            if "warm_up_s" in result
            else "."
        ),
        "",
        "Notes:",
        "",
        "- Each console open starts a new kernel (Voilà: one per tab; preheated kernels are "
        "off, docs/serving.md). The time is the kernel's start (~1 s), its imports, building "
        "the panels, and the page's ~95 requests and ~5 MB of JavaScript. The console kernel "
        "imports neither pandas nor scipy, pabutools or krippendorff: `toolkit.methods` loads "
        "each name on first use and the store imports pandas only to return scores; the i18n "
        "catalogs are read with libyaml. Before that (same machine, loaded) the console took "
        "6.2 s and 206 MB; importing `widgets.console` went from ~3.4 s to ~1.8 s uncompiled. "
        "A preheated console kernel (`--preheat_kernel`, pool of 1) is the next lever if "
        "needed.",
        "- The console draws no chart (the projector check's sample chart is drawn on "
        "request): the chart engine, vl-convert, adds ~70 MB to a kernel; the board, which "
        "draws charts, is the larger kernel.",
        "- The board's latency is the feed's poll (every 1 s, so 0.5 s on average), one "
        "`summarize()` of the workshop, the new cards' text, then redrawing the charts whose "
        "data changed (vl-convert), and the widget messages to the browser.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", type=Path, help="an existing store (default: a new demo)")
    parser.add_argument("--write", type=Path, help="update this benchmarks file's section")
    parser.add_argument(
        "--skip-cold",
        action="store_true",
        help="skip the console opens without a bytecode cache (PYTHONDONTWRITEBYTECODE=1)",
    )
    args = parser.parse_args()
    command = ".venv/bin/python bench/console.py" + (
        f" --runs {args.runs}" if args.runs != 5 else ""
    )
    if args.write:
        command += f" --write {args.write}"
    if args.store is None:
        from toolkit.demo import build_demo

        folder = Path(tempfile.mkdtemp(prefix="ureshii-bench-console-"))
        store = build_demo(folder, lang="ja", seed=0).path
    else:
        store = args.store
    cache = Path(tempfile.mkdtemp(prefix="ureshii-bench-pycache-"))
    result = measure(store, args.runs, cache)
    if not args.skip_cold:
        cold = measure(store, args.runs, None, latency=False)
        result["cold_console_s"] = cold["console_s"]
    text = report(result, args.runs, command)
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
