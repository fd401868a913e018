"""What the benchmarks share: a real ``ureshii serve`` on a free loopback port, Debian's
Chromium for Playwright, and the server's kernel processes (psutil).

Imported by the benchmark scripts, which run from this folder (``sys.path`` holds it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

CHROMIUM = os.environ.get("URESHII_CHROMIUM", "/usr/bin/chromium")
"""Debian's Chromium: Playwright cannot download its own browsers here."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SECRET = "bench-secret-" + "x" * 20
"""The facilitator secret of every benchmark server."""


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    store: Path, port: int, log: Path, env: dict[str, str], *, wait_s: float = 90
) -> subprocess.Popen[bytes]:
    """``ureshii serve STORE`` (English apps, :data:`SECRET`) answering ``/healthz``."""
    command = [str(Path(sys.executable).with_name("ureshii")), "serve", str(store)]
    command += ["--port", str(port), "--secret", SECRET, "--lang", "en"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start; see {log}")


def kernel_processes(server_pid: int) -> list[psutil.Process]:
    """The server's ``ipykernel`` processes (none if the server has ended)."""
    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found
