"""A town meeting's burst: N phones join, load the ballot page and vote at once.

    .venv/bin/python bench/town_meeting.py                          # N = 1000, plus Voilà at 25, 50
    .venv/bin/python bench/town_meeting.py --phones 200 --voila ""  # quicker, no Voilà
    .venv/bin/python bench/town_meeting.py --write docs/benchmarks.md

Starts ``ureshii serve`` on a fresh town-meeting store (SQLite, or ``--database URL``) on a
free loopback port, opens an approval ballot, then N simulated phones start together (one
keep-alive connection each, cookies kept per phone), each doing what a browser does with
the kernel-free pages, redirects included:

1. **page**: ``GET /p/<slug>/``: the join page, which asks the town meeting's one open
   question (with its CSRF token);
2. **submit**: ``POST …/join`` with the phone's category and its choice, until the server
   acknowledges it, sent only once the participant and the vote are both committed: the
   receipt itself, as a browser running the page's script gets it (the script enables the
   form's ``answer=here``); with ``--without-script``, a 303 to the receipt;
3. **join**: the two together, until the phone is in with its vote;
4. **receipt** (``--without-script`` only): the receipt page that 303 leads to.

Between the page and its post, a phone also asks for what a browser asks for after a
page: each script the page loads from a file, and ``/favicon.ico`` unless the page names
its own icon (Chromium does, measured). Since 2026-12-07 (late) the pages carry their script and
icon, so a phone makes two requests (three without the script); before, four. When the join
page does not ask the question (more than one thing open; ``--separate-steps`` opens a
second question to measure this), the phone takes the separate steps: join, the page that
leads to, the ballot page, the vote (and the receipt). Before
2026-12-07 it always did, with the home page between: six requests; on 2026-12-07 the
receipt came through a 303 for every phone: three. ``--arrive-over S`` spreads the phones'
arrivals evenly over S seconds (a room scanning the QR code) instead of all at one instant,
the worst case and the default.

It prints p50 / p95 / max per step, the server's CPU seconds (its writer process
included) and peak RSS during the burst, and **lost = acknowledged − stored** (counted in
the store afterwards; must be 0). The same burst runs a second time with the door open wide
(``URESHII_DOOR_PER_TURN=0``: strict arrival order) to show what the door changes
(``toolkit/server/participant/door.py``).

The simulated phones share the 2 cores with the server (real phones bring their own), so
they speak just enough HTTP/1.1 over asyncio streams to stay light: about 0.2 ms of CPU per
request instead of a client library's ~0.5 ms, which would otherwise be the server's.

In the same run, for comparison, the same burst at ``--voila`` sizes (25 and 50) loads a
plain Voilà notebook ballot (one kernel per phone: what participants would get without the
light pages): the time until each phone's page has fully rendered, with the server's and
its kernels' CPU and memory. Only the page load is timed there (voting in Voilà goes
through each phone's kernel and widgets; the page is already the bottleneck).

A benchmark, not a test: it prints figures and asserts nothing. Targets: at N = 1,000,
0 lost, p95 page < 1 s, p95 submit < 0.5 s, server RSS < 500 MB; at N = 50 the light page's
p95 at least 50× lower than plain Voilà's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sections import write_section  # noqa: E402

from toolkit.store import Store  # noqa: E402
from toolkit.workshop_file import write_template  # noqa: E402

SECRET = "bench-secret-" + "x" * 20
SECTION = "## Town meeting burst (bench/town_meeting.py)"
BALLOT = "bench-approval"
OPTIONS = ["madoguchi-konzatsu", "kenshin-henko", "online-shinsei", "bousai-joho"]
CSRF_RE = re.compile(r'name="_csrf" value="([0-9a-f]+)"')
RECEIPT_RE = re.compile(r'class="code">[0-9A-F]{4}-[0-9A-F]{4}<')
SCRIPT_SRC_RE = re.compile(r'<script[^>]* src="([^"]+)"')
ICON_RE = re.compile(r'<link[^>]* rel="(?:shortcut )?icon"')


def subresources(page: str, path: str) -> list[str]:
    """What a browser asks for after a page, before its person taps anything: each script
    the page loads from a file and, unless the page names its own icon, ``/favicon.ico``
    (Chromium asks for it whenever the page's Content-Security-Policy lets images come from
    the server)."""
    wanted = [urllib.parse.urljoin(path, src) for src in SCRIPT_SRC_RE.findall(page)]
    if not ICON_RE.search(page):
        wanted.append("/favicon.ico")
    return wanted


VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], deadline: float = 90) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url}")


class Sampler:
    """Peak RSS (MB) of a process and its children, sampled every 50 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[psutil.Process]:
        return [self.process, *self.process.children(recursive=True)]

    def cpu(self) -> float:
        return sum(self.cpu_split().values())

    def cpu_split(self) -> dict[str, float]:
        """CPU seconds so far: the server process's own (its event loop, in user and
        kernel mode) and its children's (the writer process)."""
        split = {"loop_user": 0.0, "loop_system": 0.0, "writer": 0.0}
        for proc in self._tree():
            try:
                times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            if proc.pid == self.process.pid:
                split["loop_user"] += times.user
                split["loop_system"] += times.system
            else:
                split["writer"] += times.user + times.system
        return split

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = 0
            for proc in self._tree():
                try:
                    rss += proc.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.peak = max(self.peak, rss / 2**20)
            time.sleep(0.05)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "max": float("nan"), "n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "max": ordered[-1], "n": len(values)}


# ---------------------------------------------------------------------- light pages
class Reply:
    """One HTTP/1.1 answer: status, headers (lower-case names; Set-Cookie kept as a list)."""

    def __init__(self, status: int, headers: dict[str, str], cookies: list[str], body: bytes):
        self.status, self.headers, self.cookies, self.body = status, headers, cookies, body


class Connection:
    """A phone's one keep-alive connection, speaking just enough HTTP/1.1 for the pages.

    The simulated phones share the server's 2 cores (real phones bring their own), so the
    load generator is kept light: a few microseconds of parsing per answer instead of a
    full client library's ~0.25 ms, which would otherwise be taken from the server.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self,
        method: str,
        path: str,
        cookie: str,
        form: dict[str, str] | list[tuple[str, str]] | None = None,
    ) -> Reply:
        """One request; ``form`` is a dict, or pairs when a field repeats (checkboxes)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if cookie:
            head += f"Cookie: {cookie}\r\n"
        if form is not None:
            head += "Content-Type: application/x-www-form-urlencoded\r\n"
            head += f"Content-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookies.append(value)
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
            payload = bytes(data)
        else:
            payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, headers, cookies, payload)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def phone(
    host: str,
    port: int,
    slug: str,
    index: int,
    start: asyncio.Event,
    ballot: str = BALLOT,
    *,
    script: bool = True,
    delay: float = 0.0,
) -> dict[str, Any]:
    """One phone, as a browser does it (see the module's doc): its steps' times, ``ok`` and
    ``acknowledged_at`` (monotonic) once its vote is stored, or ``error``. ``script``: as
    a browser running the page's script (its vote form sends ``answer=here`` and is
    answered with the receipt), else as one without it (a 303, then the receipt page).
    ``delay``: seconds after the start before this phone arrives."""
    cookies: dict[str, str] = {}
    result: dict[str, Any] = {"ok": False}
    connection = Connection(host, port)

    doing = ""

    async def call(method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        nonlocal doing
        doing = f"{method} {path.rsplit('/', 1)[-1] or 'home'}"
        jar = "; ".join(f"{k}={v}" for k, v in cookies.items())
        reply = await connection.request(method, path, jar, form)
        for set_cookie in reply.cookies:
            name, _, rest = set_cookie.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return reply

    await start.wait()
    if delay:
        await asyncio.sleep(delay)
    home = f"/p/{slug}/"
    try:
        began = time.perf_counter()
        reply = await call("GET", home)
        text = reply.body.decode()
        csrf = CSRF_RE.search(text)
        if csrf is None:
            result["error"] = f"join page {reply.status}"
            return result
        page_at = time.perf_counter()
        extras = subresources(text, home)
        for extra in extras:
            await call("GET", extra)
        result["extra_requests"] = len(extras)
        form = {"_csrf": csrf.group(1), "category": "resident"}
        if script:
            form["answer"] = "here"  # the field the page's script enables
        choice = str(index % len(OPTIONS))
        if f'name="ballot" value="{ballot}"' in text:
            # The join page asks the one open question: the phone joins and votes at once.
            result["page"] = page_at - began
            result["page_bytes"] = len(text.encode())
            posted = time.perf_counter()
            reply = await call("POST", home + "join", {**form, "ballot": ballot, "choice": choice})
            location = acknowledged(reply, script)
            if location is None:
                result["error"] = f"join and vote {reply.status}"
                return result
            result["submit"] = time.perf_counter() - posted  # joined, the vote stored
            result["join"] = time.perf_counter() - began
            result["ok"], result["acknowledged_at"] = True, time.monotonic()
        else:
            location = await separate_steps(call, home, ballot, form, choice, result, began)
            if location is None:
                return result
        if not location:
            return result  # the receipt came with the answer to the vote

        began = time.perf_counter()
        reply = await call("GET", location)
        if reply.status != 200 or not RECEIPT_RE.search(reply.body.decode()):
            result["error"] = f"receipt {reply.status}"
            return result
        result["receipt"] = time.perf_counter() - began
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        result["error"] = f"{type(error).__name__} ({doing})"  # and the request it cut
    finally:
        await connection.close()
    return result


async def separate_steps(
    call: Any,
    home: str,
    ballot: str,
    form: dict[str, str],
    choice: str,
    result: dict[str, Any],
    began: float,
) -> str | None:
    """The join and the vote as separate pages (the join page does not ask the question):
    join, the page it leads to, the ballot page if that was not it, the vote. Once the vote
    is acknowledged: the receipt's address to follow, or "" when the receipt came with the
    answer; None with ``result["error"]`` set."""
    reply = await call("POST", home + "join", {k: v for k, v in form.items() if k != "answer"})
    if reply.status != 303:
        result["error"] = f"join {reply.status}"
        return None
    location = reply.headers["location"]
    page_began = time.perf_counter()
    reply = await call("GET", location)  # as a browser follows it
    if reply.status != 200:
        result["error"] = f"first page {reply.status}"
        return None
    result["join"] = time.perf_counter() - began
    if location.endswith(f"/b/{ballot}"):
        result["page"] = time.perf_counter() - page_began
    else:
        page_began = time.perf_counter()
        reply = await call("GET", f"{home}b/{ballot}")
        if reply.status != 200:
            result["error"] = f"page {reply.status}"
            return None
        result["page"] = time.perf_counter() - page_began
    result["page_bytes"] = len(reply.body)
    posted = time.perf_counter()
    sent = {k: v for k, v in form.items() if k in ("_csrf", "answer")}
    reply = await call("POST", f"{home}b/{ballot}", {**sent, "choice": choice})
    location = acknowledged(reply, "answer" in form)
    if location is None:
        result["error"] = f"submit {reply.status}"
        return None
    result["submit"] = time.perf_counter() - posted  # the vote is stored: acknowledged
    result["ok"], result["acknowledged_at"] = True, time.monotonic()
    return location


def acknowledged(reply: Reply, script: bool) -> str | None:
    """The answer to a vote that was stored: "" when it is the receipt itself (a browser
    running the page's script), the receipt's address when it is the 303 to it, None when
    it is anything else (refused, failed)."""
    if script:
        ok = reply.status == 200 and RECEIPT_RE.search(reply.body.decode()) is not None
        return "" if ok else None
    location = str(reply.headers.get("location", ""))
    return location if reply.status == 303 and location.endswith("/receipt") else None


async def burst(
    base: str, slug: str, phones: int, *, script: bool = True, arrive_over: float = 0.0
) -> tuple[list[dict[str, Any]], float]:
    """``phones`` phones from the same start; with ``arrive_over``, arriving one after the
    other, evenly over that many seconds (a room scanning the QR code), instead of at once."""
    start = asyncio.Event()
    address = urllib.parse.urlsplit(base)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    tasks = [
        asyncio.create_task(
            phone(host, port, slug, i, start, script=script, delay=i * arrive_over / phones)
        )
        for i in range(phones)
    ]
    await asyncio.sleep(0.2)
    began = time.perf_counter()
    start.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks), 300)
    return list(results), time.perf_counter() - began


def light_pages(
    phones: int,
    database: str | None,
    folder: Path,
    *,
    door: int | None = None,
    script: bool = True,
    separate: bool = False,
    arrive_over: float = 0.0,
) -> dict[str, Any]:
    spec = write_template(folder / "town.yaml", "town-meeting", "ja")
    # The workshop expects this many phones: their venue address is not refused as a flood.
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("\nlang:", f"\nexpected_participants: {phones + 1}\nlang:", 1))
    url = database or str(folder / "town.sqlite")
    with Store.open(url) as store:
        slug = store.load_workshop_file(spec).slug
        store.create_ballot(
            slug, BALLOT, "ベンチマーク", rule="approval", options=OPTIONS, visibility="live"
        )
        store.open_ballot(slug, BALLOT)
        if separate:  # two questions open: the join page asks neither
            store.create_ballot(slug, "other", "もう一つ", rule="approval", options=OPTIONS)
            store.open_ballot(slug, "other")
        store.set_phase(slug, "town_meeting")  # the phase of a town meeting's votes
    port = free_port()
    env = {**os.environ, "URESHII_DATABASE_URL": url, "URESHII_LANG": "ja"}
    if door is not None:
        env["URESHII_DOOR_PER_TURN"] = str(door)
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "ureshii"),
            "serve",
            str(REPO / "workshops"),
            "--port",
            str(port),
            "--secret",
            SECRET,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base + "/healthz", server)
        # One phone first, so the store and caches are warm, as after the facilitator's test.
        asyncio.run(burst(base, slug, 1, script=script))
        with Sampler(server.pid) as sampler:
            before = sampler.cpu_split()
            phones_cpu = time.process_time()  # this process: the simulated phones
            results, wall = asyncio.run(
                burst(base, slug, phones, script=script, arrive_over=arrive_over)
            )
            phones_cpu = time.process_time() - phones_cpu
            split = {k: v - before[k] for k, v in sampler.cpu_split().items()}
            cpu = sum(split.values())
        with Store.open(url) as store:
            stored = len(store.votes(slug, BALLOT)) - 1  # minus the warm-up phone
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        log.close()
    acknowledged = sum(1 for r in results if r["ok"])
    errors: dict[str, int] = {}
    for r in results:
        if "error" in r:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    return {
        "phones": phones,
        "engine": "postgresql" if database else "sqlite",
        "join": percentiles([r["join"] for r in results if "join" in r]),
        "page": percentiles([r["page"] for r in results if "page" in r]),
        "submit": percentiles([r["submit"] for r in results if "submit" in r]),
        "receipt": percentiles([r["receipt"] for r in results if "receipt" in r]),
        "door": "open wide" if door == 0 else "on",
        "script": script,
        "separate": separate,
        "arrive_over": arrive_over,
        "page_kb": max((r.get("page_bytes", 0) for r in results), default=0) / 1024,
        "acknowledged": acknowledged,
        "stored": stored,
        "lost": acknowledged - stored,
        "errors": errors,
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_split": split,
        "phones_cpu_s": phones_cpu,
        "peak_rss_mb": sampler.peak,
    }


def cpu_split_text(run: dict[str, Any]) -> str:
    """Where a burst's server CPU went, per phone: the event loop in user and kernel
    mode (the kernel's share is the sockets' own work), and the writer process."""
    split, phones = run["cpu_split"], run["phones"]

    def ms(seconds: float) -> str:
        return f"{1000 * seconds / phones:.2f}"

    return (
        f"{ms(run['cpu_s'])} ms per phone: loop {ms(split['loop_user'])} user + "
        f"{ms(split['loop_system'])} system, writer {ms(split['writer'])}"
    )


# ---------------------------------------------------------------------- plain Voilà
NOTEBOOK_CELLS = [
    "import os\n"
    "import ipywidgets as widgets\n"
    "from toolkit.store import Store\n"
    "store = Store.open(os.environ['URESHII_DATABASE_URL'])\n"
    "slug = store.workshops()[-1].slug\n"
    f"ballot = store.ballot(slug, {BALLOT!r})",
    "choice = widgets.SelectMultiple(options=list(ballot.options), description=ballot.title)\n"
    "send = widgets.Button(description='投票する')\n"
    "print('ballot-ready')\n"
    "widgets.VBox([choice, send])",
]


def voila_notebook(folder: Path) -> Path:
    cells = [
        {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
        for src in NOTEBOOK_CELLS
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "ballot.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


async def voila_burst(url: str, phones: int) -> tuple[list[float], int]:
    start = asyncio.Event()
    timings: list[float] = []
    failures = 0

    async def one(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        await start.wait()
        began = time.perf_counter()
        try:
            async with session.get(url) as reply:
                body = await reply.text()
                if reply.status == 200 and "ballot-ready" in body:
                    timings.append(time.perf_counter() - began)
                else:
                    failures += 1
        except (TimeoutError, aiohttp.ClientError):
            failures += 1

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=600)
    ) as session:
        tasks = [asyncio.create_task(one(session)) for _ in range(phones)]
        await asyncio.sleep(0.2)
        start.set()
        await asyncio.gather(*tasks)
    return timings, failures


def plain_voila(phones: int, folder: Path) -> dict[str, Any]:
    spec = write_template(folder / "town.yaml", "town-meeting", "ja")
    url = str(folder / "voila.sqlite")
    with Store.open(url) as store:
        slug = store.load_workshop_file(spec).slug
        store.create_ballot(slug, BALLOT, "ベンチマーク", rule="approval", options=OPTIONS)
        store.open_ballot(slug, BALLOT)
        store.set_phase(slug, "town_meeting")  # the phase of a town meeting's votes
    notebook = voila_notebook(folder)
    port = free_port()
    env = {**os.environ, "URESHII_DATABASE_URL": url, "PYTHONPATH": str(REPO)}
    log = (folder / f"voila-{phones}.log").open("wb")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "voila"),
            str(notebook),
            "--port",
            str(port),
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            "--VoilaConfiguration.preheat_kernel=False",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_healthy(base + "voila/static/voila.js", server)
        with Sampler(server.pid) as sampler:
            cpu_before = sampler.cpu()
            timings, failures = asyncio.run(voila_burst(base, phones))
            cpu = sampler.cpu() - cpu_before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    return {
        "phones": phones,
        "page": percentiles(timings),
        "failures": failures,
        "cpu_s": cpu,
        "peak_rss_mb": sampler.peak,
    }


# ---------------------------------------------------------------------- report
def ms(value: float) -> str:
    return f"{1000 * value:,.0f} ms"


STEPS = {
    "join": ("the join page and its post: in, with the vote stored", "p95 < 5 s"),
    "page": ("the join page, which asks the question (the ballot page)", "p95 < 1 s"),
    "submit": ("join and vote, until acknowledged (stored)", "p95 < 0.5 s"),
    "receipt": ("the receipt page the 303 leads to (phones without the script)", "p95 < 1 s"),
}
SEPARATE_STEPS = {
    "join": ("the join page, its post and the page it leads to (home): in", "p95 < 5 s"),
    "page": ("the ballot page, opened from home", "p95 < 1 s"),
    "submit": ("the vote, until acknowledged (stored)", "p95 < 0.5 s"),
    "receipt": STEPS["receipt"],
}


def steps_table(
    light: dict[str, Any], steps: dict[str, tuple[str, str]] | None = None
) -> list[str]:
    """p50 / p95 / max of each step (``steps``: step → (what it is, its target))."""
    lines = ["| step | p50 | p95 | max | target |", "|---|---:|---:|---:|---|"]
    for step, (what, target) in (steps or STEPS).items():
        p = light[step]
        if not p["n"]:
            continue  # a step these phones do not take (the receipt came with the vote)
        lines.append(
            f"| {step}: {what} | {ms(p['p50'])} | {ms(p['p95'])} | {ms(p['max'])} | {target} |"
        )
    return lines


def report(
    light: dict[str, Any],
    voila: list[dict[str, Any]],
    command: str,
    small: dict[int, dict[str, Any]] | None = None,
    wide: dict[str, Any] | None = None,
) -> str:
    lines = [
        SECTION,
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; server and {light['phones']} simulated phones on the "
        f"same machine (loopback). Store: {light['engine']}.",
        "",
        f"**Light pages, N = {light['phones']}, "
        + (
            f"arriving evenly over {light['arrive_over']:g} s**"
            if light.get("arrive_over")
            else "all phones at once**"
        )
        + " (each step as a "
        "browser does it, redirects followed; "
        + (
            "as browsers running the page's script: the vote is answered with its receipt"
            if light.get("script", True)
            else "as browsers without the page's script: the vote is answered with a 303"
        )
        + (
            "; two questions open, so the join page asks neither and each phone takes "
            "the separate steps"
            if light.get("separate")
            else ""
        )
        + "):",
        "",
        *steps_table(light, SEPARATE_STEPS if light.get("separate") else STEPS),
    ]
    lines += [
        "",
        f"- acknowledged {light['acknowledged']}, stored {light['stored']}, "
        f"**lost {light['lost']}** (target 0); failed requests: {light['errors'] or 'none'}",
        f"- whole burst {light['wall_s']:.1f} s; server CPU {light['cpu_s']:.1f} s "
        f"({cpu_split_text(light)}); "
        f"**server peak RSS {light['peak_rss_mb']:.0f} MB** (target < 500 MB); "
        f"ballot page {light['page_kb']:.1f} KB (target < 50 KB)",
        f"- the simulated phones' own CPU, on the same 2 cores: "
        f"{1000 * light['phones_cpu_s'] / light['phones']:.2f} ms per phone (real phones "
        "bring their own; here they compete with the server for the cores, and the whole "
        "machine's CPU bounds the burst's wall time)",
    ]
    if wide is not None:
        lines += [
            "",
            "**The same burst with the door open wide** (`URESHII_DOOR_PER_TURN=0`: every "
            "request in arrival order):",
            "",
            *steps_table(wide),
            "",
            f"- lost {wide['lost']}; whole burst {wide['wall_s']:.1f} s; "
            f"server CPU {wide['cpu_s']:.1f} s; failed requests: {wide['errors'] or 'none'}",
        ]
    if voila:
        lines += [
            "",
            "**Plain Voilà notebook ballot (one kernel per phone), page load only:**",
            "",
            "| phones | p50 | p95 | max | failed | server+kernels CPU | peak RSS |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for v in voila:
            p = v["page"]
            lines.append(
                f"| {v['phones']} | {ms(p['p50'])} | {ms(p['p95'])} | {ms(p['max'])} | "
                f"{v['failures']} | {v['cpu_s']:.0f} s | {v['peak_rss_mb']:.0f} MB |"
            )
        lines += [
            "",
            "The same burst on the light pages at those sizes, side by side:",
            "",
            "| phones | light p95 page | plain Voilà p95 page | ratio (target ≥ 50× at 50) |",
            "|---:|---:|---:|---:|",
        ]
        for v in voila:
            mine = (small or {}).get(v["phones"])
            if mine is None:
                continue
            ratio = v["page"]["p95"] / mine["page"]["p95"]
            lines.append(
                f"| {v['phones']} | {ms(mine['page']['p95'])} | {ms(v['page']['p95'])} | "
                f"{ratio:,.0f}× |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--voila", default="25,50", help='sizes for plain Voilà ("" = none)')
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--write", type=Path, help="update this benchmarks file's section")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument(
        "--arrive-over",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="phones arrive evenly over this many seconds instead of all at once",
    )
    parser.add_argument(
        "--separate-steps",
        action="store_true",
        help="a second question open, so the join page asks neither: join, home, ballot page",
    )
    parser.add_argument(
        "--without-script",
        action="store_true",
        help="phones as browsers without the page's script (a 303, then the receipt page)",
    )
    parser.add_argument(
        "--no-door-comparison",
        action="store_true",
        help="skip the second burst with the door open wide",
    )
    args = parser.parse_args()
    command = " ".join([".venv/bin/python bench/town_meeting.py", *sys.argv[1:]])
    sizes = [int(n) for n in args.voila.split(",") if n.strip()]
    with tempfile.TemporaryDirectory(prefix="ureshii-bench-") as tmp:
        folder = Path(tmp)
        script = not args.without_script
        light = light_pages(
            args.phones,
            args.database,
            folder,
            script=script,
            separate=args.separate_steps,
            arrive_over=args.arrive_over,
        )
        wide = None
        if not args.no_door_comparison and not args.database:
            sub = folder / "door-open-wide"
            sub.mkdir()
            wide = light_pages(args.phones, None, sub, door=0, script=script)
        voila, small = [], {}
        for size in sizes:
            sub = folder / f"light-{size}"
            sub.mkdir()
            if not args.database:  # a PostgreSQL database holds one burst's workshop
                small[size] = light_pages(size, None, sub)
            sub = folder / f"voila-{size}"
            sub.mkdir()
            voila.append(plain_voila(size, sub))
    if args.json:
        figures = {"light": light, "wide": wide, "voila": voila, "small": small}
        print(json.dumps(figures, indent=2, default=str))
    text = report(light, voila, command, small, wide)
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
