"""Kernels that end: how many kernels and how much memory stay after tabs close.

    .venv/bin/python bench/kernel_lifecycle.py                  # 4 pages, wait 75 s
    .venv/bin/python bench/kernel_lifecycle.py --pages 6 --wait 90 --grace 60

Starts ``ureshii serve STORE`` (the shipped apps on a demo store) on a free loopback port
and drives Debian's Chromium headless (Playwright, never its own browsers):

1. opens the facilitator link (which opens the console) and closes that tab at once, then
   opens ``--pages`` notebook pages in the same browser (console and board in turn) and
   waits until each page is connected to its kernel (the kernel's websocket count, read
   from ``/api/kernels/<id>``);
2. reloads one page (a second kernel for the same screen);
3. closes every page and watches the server's kernel processes (psutil) for ``--wait``
   seconds, printing when the count reaches zero;
4. opens two pages again and sends SIGTERM to the server; counts the kernel processes still
   alive a few seconds after the server exited (orphans).

Prints kernels and their summed RSS at each step. A benchmark, not a test: it asserts
nothing. ``--grace`` is passed to the server as ``URESHII_KERNEL_GRACE_SECONDS``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from serving import (  # noqa: E402  (the benchmarks' shared server helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    SECRET,
    free_port,
    kernel_processes,
    start_server,
)

APPS = ("console.ipynb", "board.ipynb")


def snapshot(server_pid: int) -> tuple[int, float]:
    """(kernel count, summed kernel RSS in MB)."""
    total = 0.0
    processes = kernel_processes(server_pid)
    for process in processes:
        try:
            total += process.memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            continue
    return len(processes), total


def connections(base: str, cookie: str, kernel_id: str) -> int | None:
    """The kernel's websocket count, or None when the server no longer has it."""
    request = urllib.request.Request(f"{base}/api/kernels/{kernel_id}", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return int(json.load(reply)["connections"])
    except urllib.error.HTTPError:
        return None


def page_kernel_id(page: Any) -> str:
    return str(
        page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
        )
    )


def open_connected(context: Any, base: str, cookie: str, app: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/voila/render/{app}", timeout=180_000)
    kernel_id = page_kernel_id(page)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not connections(base, cookie, kernel_id):
        time.sleep(0.5)
    return page


def line(label: str, server_pid: int, started: float) -> None:
    count, rss = snapshot(server_pid)
    print(f"{time.monotonic() - started:7.1f} s  {label:<46} {count:3d} kernels {rss:8.0f} MB")


def run(pages: int, wait: float, grace: float | None) -> None:
    from playwright.sync_api import sync_playwright

    from toolkit.demo import build_demo

    folder = Path(tempfile.mkdtemp(prefix="ureshii-bench-kernels-"))
    store = build_demo(folder, lang="ja", seed=0).path
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if grace is not None:
        env["URESHII_KERNEL_GRACE_SECONDS"] = str(grace)
    log = folder / "server.log"
    server = start_server(store, port, log, env)
    started = time.monotonic()
    seen: dict[int, psutil.Process] = {}  # by pid; psutil checks a pid was not reused
    print(f"server log: {log}")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            login = context.new_page()
            login.goto(f"{base}/?secret={SECRET}", timeout=180_000)
            login.close()  # the console it opened is one more tab that closes
            cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
            opened = [open_connected(context, base, cookie, APPS[n % 2]) for n in range(pages)]
            seen.update((p.pid, p) for p in kernel_processes(server.pid))
            line(f"{pages} pages open and connected", server.pid, started)
            opened[0].reload(timeout=180_000)
            time.sleep(5)
            seen.update((p.pid, p) for p in kernel_processes(server.pid))
            line("one page reloaded", server.pid, started)
            for page in opened:
                page.close()
            closed_at = time.monotonic()
            line("all pages closed", server.pid, started)
            zero_after = None
            while time.monotonic() < closed_at + wait:
                time.sleep(1)
                if snapshot(server.pid)[0] == 0:
                    zero_after = time.monotonic() - closed_at
                    break
            line(f"after waiting (up to {wait:.0f} s)", server.pid, started)
            if zero_after is None:
                print("          kernels still running at the end of the wait")
            else:
                print(f"          no kernel left {zero_after:.0f} s after the close")
            for app in APPS:
                open_connected(context, base, cookie, app)
            seen.update((p.pid, p) for p in kernel_processes(server.pid))
            line("two pages open again", server.pid, started)
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
            time.sleep(3)
            orphans = [p for p in seen.values() if p.is_running()]
            print(
                f"{time.monotonic() - started:7.1f} s  SIGTERM: server exited "
                f"{server.returncode}; kernel processes still alive: {len(orphans)}"
            )
            context.close()
            browser.close()
    finally:
        if server.poll() is None:
            server.kill()
        for process in seen.values():  # never leave an orphan behind this benchmark
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.is_running():
                    process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--wait", type=float, default=75.0, help="seconds to watch after close")
    parser.add_argument("--grace", type=float, default=None, help="URESHII_KERNEL_GRACE_SECONDS")
    args = parser.parse_args()
    run(args.pages, args.wait, args.grace)


if __name__ == "__main__":
    main()
