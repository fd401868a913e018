"""How long ``ureshii serve`` takes to start: from the command until ``/healthz`` answers.

    .venv/bin/python bench/server_start.py                      # 5 starts
    .venv/bin/python bench/server_start.py --write docs/benchmarks.md

Each start is a new process on the shipped apps and a fresh SQLite store, as a facilitator
starts the day (and as each browser test starts its server). It prints the wall time and
the server process's CPU until its first answer, and its memory then. A benchmark, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from sections import median_range, write_section  # noqa: E402
from town_meeting import SECRET, VENV_BIN, free_port, wait_healthy  # noqa: E402

SECTION = "## Server start (bench/server_start.py)"


def one_start(folder: Path) -> tuple[float, float, float]:
    """Wall seconds and CPU seconds until ``/healthz`` answers, and RSS in MB then."""
    port = free_port()
    env = {**os.environ, "URESHII_DATABASE_URL": str(folder / "start.sqlite")}
    command = [str(VENV_BIN / "ureshii"), "serve", str(REPO / "workshops")]
    started = time.monotonic()
    server = subprocess.Popen(
        [*command, "--port", str(port), "--secret", SECRET],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", server, deadline=120)
        wall = time.monotonic() - started
        process = psutil.Process(server.pid)
        cpu = process.cpu_times()
        return wall, cpu.user + cpu.system, process.memory_info().rss / 2**20
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--write", type=Path, help="replace this section of a Markdown file")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="ureshii-start-") as tmp:
        for number in range(args.starts):
            folder = Path(tmp) / str(number)
            folder.mkdir()
            runs.append(one_start(folder))
    walls, cpus, rss = zip(*runs, strict=True)

    text = (
        f"{SECTION}\n\n"
        f"Command: `.venv/bin/python bench/server_start.py --starts {args.starts}`  \n"
        f"`ureshii serve` on the shipped apps and a fresh SQLite store, {args.starts} starts "
        "one after another; median (range).\n\n"
        "| until `/healthz` answers | |\n|---|---:|\n"
        f"| wall time | {median_range(walls, 's', 2)} |\n"
        f"| the server's CPU | {median_range(cpus, 's', 2)} |\n"
        f"| the server's RSS then | {median_range(rss, 'MB', 0)} |\n"
    )
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
