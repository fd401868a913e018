"""The workshop day at the tables: a whole room opening its screens at once.

    .venv/bin/python bench/workshop_day.py                 # 8 table laptops
    .venv/bin/python bench/workshop_day.py --tables 3 --write docs/benchmarks.md

Starts ``ureshii serve`` on a demo store (set back to the happiness phase) on a free loopback
port and drives Debian's Chromium headless (Playwright, never its own browsers), one browser
context per laptop, as in the room:

1. the facilitator opens the facilitator link (the console) and the board; each of
   ``--tables`` table laptops opens its own table link (never the facilitator's), all within
   the same second;
2. every screen is polled until it is interactive: its heading is there, no "Loading
   widget..." is left, nothing says "Error displaying widget", and the app's own box is
   there (a heading over an empty page is the "half-empty app" of issue 13); a screen that
   is not interactive after ``--timeout`` seconds counts as failed;
3. kernels and RSS (server + kernels) are read with psutil;
4. every table posts a happiness card through its app (seat 1, the first stakeholder); the
   time from the click until the card's text is on the projector board is measured;
5. every tab closes; the kernels are watched until none is left;
6. the browsers' floor: one table page is opened alone, three times, and Chromium's CPU for
   it is read (ten such pages cannot be interactive sooner than their CPU over two cores).

Prints the figures (a benchmark: it asserts nothing). Targets from issue 13, N = 8: every
screen interactive p95 < 15 s and max < 25 s, no "Loading widget" left, server + kernels RSS
< 1.5 GB, at most one kernel per open screen, each card on the board < 2 s, kernels back to
zero within 60 s of the close.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from serving import (  # noqa: E402  (the benchmarks' shared server helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    SECRET,
    free_port,
    kernel_processes,
    start_server,
)

LANG = "en"  # start_server (serving.py) serves the apps in English
HEADING = "h1"
LOADING = "Loading widget..."
BROKEN = "Error displaying widget"


def rss_mb(server_pid: int) -> float:
    """Server + kernels resident memory (MB)."""
    total = 0.0
    with contextlib.suppress(psutil.NoSuchProcess):
        total += psutil.Process(server_pid).memory_info().rss
    for process in kernel_processes(server_pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total / 2**20


#: The app's own box, by screen kind: a page with its heading but without it is the
#: "half-empty app" of issue 13 (item 5), not an interactive screen.
APP_BOX = {"console": ".ureshii-console", "board": ".ureshii-board", "table": ".ureshii-seats"}


#: Evaluated in the page: the heading and the app's own box are there, and no output area
#: is still loading or broken (the page watchdog's rule: its own script holds those words).
#: ``textContent`` reads text without laying the page out, so polling ten pages twice a
#: second costs the browsers little (``inner_text`` forced a layout on every poll).
READY_JS = """([box, loading, broken]) => {
    if (document.querySelector("h1") === null || document.querySelector(box) === null) {
        return false;
    }
    for (const output of document.querySelectorAll(".jp-OutputArea-output")) {
        const text = (output.textContent || "").trim();
        if (text === loading || text.startsWith(broken)) { return false; }
    }
    return true;
}"""


def interactive(page: Any, name: str) -> bool:
    """The heading and the app's own widgets are there, none loading, none broken."""
    try:
        return bool(page.evaluate(READY_JS, [APP_BOX[name.split()[0]], LOADING, BROKEN]))
    except Exception:  # still navigating
        return False


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """User + system CPU time of ``processes`` (those that have ended count as zero)."""
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def browser_processes() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if "chromium" in (p.info["name"] or "")]


def post_card(page: Any, board: Any, text: str, t: Any) -> float:
    """Seat 1 of a table posts a card; seconds from the click until the board shows it."""
    page.get_by_role("tab", name=t("table_step_cards", LANG)).click()
    page.get_by_role("button", name=t("seat_label", LANG, n=1), exact=True).click()
    page.get_by_label(t("table_card_stakeholder", LANG), exact=True).select_option(index=1)
    page.get_by_label(t("table_card_text", LANG), exact=True).fill(text)
    clicked = time.monotonic()
    page.get_by_role("button", name=t("table_card_post", LANG)).click()
    board.get_by_text(text).wait_for(timeout=60_000)
    return time.monotonic() - clicked


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def one_page(browser: Any, url: str, timeout: float) -> tuple[float, float]:
    """One table page opened alone: seconds until interactive, and the browsers' CPU for it."""
    time.sleep(2)  # the room's pages are closed; let the browser settle
    before = cpu_seconds(browser_processes())
    started = time.monotonic()
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(url, wait_until="commit")
    while not interactive(page, "table") and time.monotonic() < started + timeout:
        time.sleep(0.25)
    seconds = time.monotonic() - started
    time.sleep(1)  # the last paints
    cpu = cpu_seconds(browser_processes()) - before
    context.close()
    return seconds, cpu


def run(tables: int, timeout: float) -> list[str]:
    from playwright.sync_api import sync_playwright

    from toolkit.demo import build_demo
    from toolkit.i18n import t
    from toolkit.server.table_links import table_link, table_link_key
    from toolkit.store import Store

    folder = Path(tempfile.mkdtemp(prefix="ureshii-bench-day-"))
    demo = build_demo(folder, lang=LANG, seed=0)
    with Store.open(demo.path) as store:
        slug = store.workshops()[-1].slug
        store.set_phase(slug, "happiness")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(demo.path, port, folder / "server.log", dict(os.environ))
    out: list[str] = [f"server log: {folder / 'server.log'}"]
    key = table_link_key(SECRET)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            viewport = {"width": 1920, "height": 1080}
            screens: dict[str, Any] = {}
            facilitator = browser.new_context(viewport=viewport)
            server_process = psutil.Process(server.pid)
            cpu_before = (cpu_seconds([server_process]), cpu_seconds(browser_processes()))
            started = time.monotonic()
            started_epoch = time.time()
            screens["console"] = facilitator.new_page()
            screens["console"].goto(f"{base}/?secret={SECRET}", wait_until="commit")
            screens["board"] = facilitator.new_page()
            screens["board"].goto(f"{base}/voila/render/board.ipynb", wait_until="commit")
            contexts = [facilitator]
            for table in range(1, tables + 1):
                context = browser.new_context(viewport={"width": 1366, "height": 900})
                contexts.append(context)
                page = context.new_page()
                page.goto(base + table_link(key, "/", slug, table, 0), wait_until="commit")
                screens[f"table {table}"] = page
            ready: dict[str, float] = {}
            deadline = started + timeout
            while len(ready) < len(screens) and time.monotonic() < deadline:
                for name, page in screens.items():
                    if name not in ready and interactive(page, name):
                        ready[name] = time.monotonic() - started
                time.sleep(0.5)
            cpu_server = cpu_seconds([server_process]) - cpu_before[0]
            cpu_kernels = cpu_seconds(kernel_processes(server.pid))
            cpu_browser = cpu_seconds(browser_processes()) - cpu_before[1]
            failed = sorted(set(screens) - set(ready))
            for name in failed:  # kept for a look: what the person saw, and the page behind it
                stem = folder / name.replace(" ", "-")
                screens[name].screenshot(path=f"{stem}.png")
                stem.with_suffix(".html").write_text(screens[name].content(), encoding="utf-8")
                out.append(f"  {name} not interactive: {stem}.png, {stem}.html")
            loading = sum(
                1 for page in screens.values() if LOADING in page.inner_text("body", timeout=5_000)
            )
            times = list(ready.values()) or [float("nan")]
            kernels = len(kernel_processes(server.pid))
            out.append(
                f"{len(screens)} screens (console, board, {tables} tables) opened at once: "
                f"interactive p50 {percentile(times, 0.5):.1f} s, "
                f"p95 {percentile(times, 0.95):.1f} s, "
                f"max {max(times):.1f} s; not interactive after {timeout:.0f} s: {len(failed)} "
                f"{failed or ''}; 'Loading widget' left: {loading}"
            )
            out.append(
                f"kernels {kernels} for {len(screens)} open screens; server + kernels RSS "
                f"{rss_mb(server.pid):.0f} MB"
            )
            out.append(
                f"CPU while opening: server {cpu_server:.0f} s, kernels {cpu_kernels:.0f} s, "
                f"browser (Chromium, all pages) {cpu_browser:.0f} s, on 2 cores"
            )
            # The page's HTML complete (every cell has run): the navigation's responseEnd.
            served: dict[str, float] = {}
            for name in ready:
                end_ms = screens[name].evaluate(
                    "performance.timeOrigin"
                    " + performance.getEntriesByType('navigation')[0].responseEnd"
                )
                served[name] = end_ms / 1000 - started_epoch
            html = list(served.values()) or [float("nan")]
            out.append(
                f"HTML complete (the server's part: kernel started, every cell run): "
                f"p50 {percentile(html, 0.5):.1f} s, p95 {percentile(html, 0.95):.1f} s, "
                f"max {max(html):.1f} s"
            )
            for name, seconds in sorted(ready.items(), key=lambda item: item[1]):
                out.append(
                    f"  {name:<10} HTML complete after {served.get(name, float('nan')):5.1f} s,"
                    f" interactive after {seconds:5.1f} s"
                )

            board = screens["board"]
            delays: list[float] = []
            for table in range(1, tables + 1):
                page = screens[f"table {table}"]
                if f"table {table}" not in ready:
                    continue
                text = f"bench card from table {table} {int(time.time())}"
                try:
                    delays.append(post_card(page, board, text, t))
                except Exception as error:  # reported, and the rest still measured
                    shot = folder / f"table-{table}-card-failed.png"
                    page.screenshot(path=str(shot))
                    out.append(f"  table {table}: no card posted ({type(error).__name__}); {shot}")
            if delays:
                out.append(
                    f"a card from each table on the board: p50 {percentile(delays, 0.5):.1f} s, "
                    f"max {max(delays):.1f} s ({len(delays)} cards)"
                )
            for context in contexts:
                context.close()
            closed = time.monotonic()
            zero = None
            while time.monotonic() < closed + 120:
                if not kernel_processes(server.pid):
                    zero = time.monotonic() - closed
                    break
                time.sleep(1)
            out.append(
                "all tabs closed: no kernel left after "
                + (f"{zero:.0f} s" if zero is not None else "120 s (kernels still running)")
            )
            # The browsers' floor: what one page costs Chromium with nothing else running.
            alone = [
                one_page(browser, base + table_link(key, "/", slug, table, 0), timeout)
                for table in (1, 2, 3)
            ]
            out.append(
                "one table page opened alone, three times: interactive after "
                + ", ".join(f"{seconds:.1f} s" for seconds, _ in alone)
                + "; browser CPU "
                + ", ".join(f"{cpu:.1f} s" for _, cpu in alone)
                + f" (x {len(screens)} screens = at least "
                + f"{min(cpu for _, cpu in alone) * len(screens) / 2:.1f} s of two cores)"
            )
            browser.close()
    finally:
        server.terminate()
        with contextlib.suppress(Exception):
            server.wait(timeout=60)
        if server.poll() is None:
            server.kill()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--write", type=Path, help="also write the figures to this markdown file")
    args = parser.parse_args()
    lines = run(args.tables, args.timeout)
    print("\n".join(lines))
    if args.write is not None:
        from sections import write_section

        command = f"`.venv/bin/python bench/workshop_day.py --tables {args.tables}`"
        text = "\n".join(
            [
                "## Workshop day at the tables (bench/workshop_day.py)",
                "",
                f"Command: {command}, {time.strftime('%Y-%m-%d')}, this 2-core machine.",
                "",
                "```",
                *lines[1:],
                "```",
            ]
        )
        write_section(args.write, "## Workshop day at the tables (bench/workshop_day.py)", text)


if __name__ == "__main__":
    main()
