"""The phone pages' own work per phone, without sockets: what Ureshii's code adds.

    .venv/bin/python bench/page_code.py                 # 3,000 phones, 3 rounds
    .venv/bin/python bench/page_code.py --write docs/benchmarks.md

A town meeting's burst (``bench/town_meeting.py``) measures everything at once: sockets,
HTTP parsing, Tornado, the pages, the writer, and the simulated phones on the same cores. On
this shared machine its figures drift by a quarter within an hour, so a change of a few
percent in the pages' own code is lost in it. Here the same flow (each phone: the join page,
then the join-and-vote post answered with its receipt) is driven **in one process, without
sockets**: each request goes through the real application's router, rate gate, anonymous
gate, door and pages, as Tornado's HTTP connection would hand it over, and each answer is
taken from a stand-in connection. The real writer process stores every vote.

Beside it, the same driver against a fixed page of the same size on ``LightHandler`` (no
store, no templates: ``bench/request_path.py``'s fixed page). The difference is the pages'
own work per phone. The two run in turn, ``--rounds`` times. It prints the event loop
thread's CPU per phone (``time.thread_time``, the driver's own small part included in both)
and the garbage collector's share of it. The sockets and HTTP parsing under both are
``bench/request_path.py``'s floor. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from request_path import HEADERS, PAGE, RECEIPT  # noqa: E402
from sections import median_range, write_section  # noqa: E402
from tornado import httputil, web  # noqa: E402
from tornado.concurrent import Future  # noqa: E402
from town_meeting import BALLOT, OPTIONS, SECRET  # noqa: E402

SECTION = "## The phone pages' own work (bench/page_code.py)"
CSRF_RE = re.compile(r'name="_csrf" value="([^"]+)"')


class _Context:
    def __init__(self, address: str) -> None:
        self.remote_ip, self.protocol = address, "http"


class StandInConnection(httputil.HTTPConnection):
    """Takes one answer as Tornado's HTTP/1 connection would send it, without a socket."""

    def __init__(self, address: str) -> None:
        self.context = _Context(address)
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.status = 0
        self.headers = httputil.HTTPHeaders()
        self.body = b""

    def set_close_callback(self, callback: Any) -> None:
        pass

    def write_headers(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
        chunk: bytes | None = None,
    ) -> Future[None]:
        assert isinstance(start_line, httputil.ResponseStartLine)
        self.status, self.headers, self.body = start_line.code, headers, chunk or b""
        return self.write(b"")

    def write(self, chunk: bytes) -> Future[None]:
        self.body += chunk
        written: Future[None] = Future()
        written.set_result(None)
        return written

    def finish(self) -> None:
        self.done.set_result(None)


async def request(
    app: Any,
    method: str,
    path: str,
    cookies: dict[str, str],
    form: dict[str, str] | None = None,
    address: str = "127.0.0.1",
) -> StandInConnection:
    """One request from ``address`` through ``app`` as Tornado's HTTP/1 server hands it
    over; the answer's cookies kept in ``cookies``, as a browser would."""
    connection = StandInConnection(address)
    headers = httputil.HTTPHeaders({"Host": "127.0.0.1:8866"})
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = urllib.parse.urlencode(form).encode() if form is not None else b""
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Content-Length"] = str(len(body))
    delegate = app.start_request(None, connection)
    delegate.headers_received(httputil.RequestStartLine(method, path, "HTTP/1.1"), headers)
    if body:
        delegate.data_received(body)
    delegate.finish()
    await connection.done
    for cookie in connection.headers.get_list("Set-Cookie"):
        name, _, rest = cookie.partition("=")
        cookies[name] = rest.split(";")[0]
    return connection


async def phone(app: Any, slug: str, index: int, start: asyncio.Event, address: str) -> None:
    await start.wait()
    cookies: dict[str, str] = {}
    home = f"/p/{slug}/"
    page = await request(app, "GET", home, cookies, address=address)
    found = CSRF_RE.search(page.body.decode())
    if page.status != 200 or found is None:
        raise SystemExit(f"the join page answered {page.status}")
    form = {
        "_csrf": found.group(1),
        "category": "resident",
        "answer": "here",
        "ballot": BALLOT,
        "choice": str(index % len(OPTIONS)),
    }
    receipt = await request(app, "POST", home + "join", cookies, form, address)
    if receipt.status != 200:
        raise SystemExit(f"the join-and-vote post answered {receipt.status}")


async def burst(app: Any, slug: str, phones: int, address: str) -> dict[str, float]:
    """All ``phones`` at one instant, from one ``address`` (a venue's router: each round
    another, so no round meets the rate limit the one before used up); the loop thread's
    CPU per phone and the collector's."""
    await phone(app, slug, 0, _set(asyncio.Event()), address)  # warm: caches, the writer
    start = asyncio.Event()
    tasks = [asyncio.create_task(phone(app, slug, i, start, address)) for i in range(phones)]
    await asyncio.sleep(0.1)
    collecting = [0.0, 0.0]  # started at, total

    def count(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collecting[0] = time.thread_time()
        else:
            collecting[1] += time.thread_time() - collecting[0]

    gc.callbacks.append(count)
    began = time.thread_time()
    start.set()
    await asyncio.gather(*tasks)
    spent = time.thread_time() - began
    gc.callbacks.remove(count)
    return {"cpu_ms": 1000 * spent / phones, "gc_ms": 1000 * collecting[1] / phones}


def _set(event: asyncio.Event) -> asyncio.Event:
    event.set()
    return event


def pages_app(folder: Path) -> tuple[Any, str, Any]:
    """The real server's application on a new town meeting store: (app, slug, service)."""
    from toolkit.server.access import FacilitatorAccess
    from toolkit.server.app import build_app
    from toolkit.store import Store
    from toolkit.workshop_file import write_template

    url = str(folder / "town.sqlite")
    with Store.open(url) as store:
        spec = write_template(folder / "t.yaml", "town-meeting", "ja")
        slug = store.load_workshop_file(spec).slug
        store.create_ballot(
            slug, BALLOT, "ベンチマーク", rule="approval", options=OPTIONS, visibility="live"
        )
        store.open_ballot(slug, BALLOT)
        store.set_phase(slug, "town_meeting")
    os.environ["URESHII_DATABASE_URL"] = url
    os.environ["URESHII_LANG"] = "ja"
    voila: Any = build_app(REPO / "workshops", access=FacilitatorAccess(SECRET), port=0)
    settings = voila.init_settings()
    app = web.Application(voila.init_handlers(), **settings)
    voila.participants.warm()  # as `listen` does: the store opened, the writer started
    return app, slug, voila.participants


def fixed_app() -> Any:
    """A fixed page of the same size on ``LightHandler``: the request path without pages."""
    from toolkit.server.light_handler import LightHandler, LightRoute

    class Fixed(LightHandler):
        DEFAULT_HEADERS = HEADERS

        def get(self, slug: str) -> None:
            self.set_cookie("csrf", secrets.token_urlsafe(16), path="/p/", httponly=True)
            self.write_html(PAGE.format(csrf=secrets.token_hex(32)))

        def post(self, slug: str) -> None:
            self.get_body_argument("_csrf")
            token = secrets.token_urlsafe(18)
            self.set_cookie("token", token, path=f"/p/{slug}/", httponly=True, expires_days=2)
            self.write_html(RECEIPT)

    return web.Application([(r"/p/([a-z0-9-]+)/(?:join)?", LightRoute(Fixed))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", type=Path, help="write the figures into this markdown file")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"pages": [], "fixed": []}
    with tempfile.TemporaryDirectory() as folder:
        pages, slug, service = pages_app(Path(folder))
        fixed = fixed_app()
        gc.freeze()  # as the server does before serving (`UreshiiVoila.listen`)
        try:
            for round_no in range(args.rounds):
                address = f"127.0.0.{round_no + 1}"
                runs["pages"].append(asyncio.run(burst(pages, slug, args.phones, address)))
                runs["fixed"].append(asyncio.run(burst(fixed, "floor", args.phones, address)))
        finally:
            service.close()

    def figure(name: str, key: str) -> str:
        return median_range([run[key] for run in runs[name]], "ms")

    own = [p["cpu_ms"] - f["cpu_ms"] for p, f in zip(runs["pages"], runs["fixed"], strict=True)]
    text = "\n".join(
        [
            SECTION,
            "",
            f"Command: `.venv/bin/python bench/page_code.py --phones {args.phones} "
            f"--rounds {args.rounds}`  ",
            f"{args.phones} phones at one instant, in one process without sockets: the join "
            "page, then the join-and-vote post answered with its receipt, through the real "
            "application (the writer process stores every vote), and the same through a "
            "fixed page on `LightHandler`, in turn. The event loop thread's CPU per phone, "
            "median (range) of the rounds.",
            "",
            "| through | loop CPU per phone | of which the garbage collector |",
            "|---|---:|---:|",
            f"| the phone pages | {figure('pages', 'cpu_ms')} | {figure('pages', 'gc_ms')} |",
            f"| a fixed page | {figure('fixed', 'cpu_ms')} | {figure('fixed', 'gc_ms')} |",
            "",
            f"The pages' own work: {median_range(own, 'ms per phone')}, paired round by round.",
            "",
        ]
    )
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
