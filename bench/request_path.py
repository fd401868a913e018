"""The floor under a phone's two requests: what Tornado's request path costs by itself.

    .venv/bin/python bench/request_path.py                      # 3,000 phones, 3 rounds
    .venv/bin/python bench/request_path.py --write docs/benchmarks.md

The town meeting's phones (``bench/town_meeting.py``'s own client: one keep-alive
connection each, the join page then the join-and-vote post, all at one instant) against a
server that answers both requests with a fixed page of the real pages' size, the same
security headers and one new cookie each, no store and no templates, three ways:

- ``RequestHandler``: Tornado's web application and request handler (how the phone pages
  were served until 2026-12-07);
- ``LightHandler``: :mod:`toolkit.server.light_handler`, as the phone pages are served now;
- ``connection``: a bare ``HTTPMessageDelegate`` straight on Tornado's HTTP connection, the
  floor under both (parsing, sockets, the event loop).

The three run in turn, ``--rounds`` times, so a drift of the shared machine's speed touches
each alike. It prints the server's CPU per phone (user and kernel mode) and the p95 time
for a phone to be through both requests. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sections import write_section  # noqa: E402
from town_meeting import BALLOT, burst, free_port  # noqa: E402

SECTION = "## Request path floor (bench/request_path.py)"
MODES = ("RequestHandler", "LightHandler", "connection")
PAGE = (
    '<!doctype html><html lang="ja"><body><form method="post" action="join">'
    '<input type="hidden" name="_csrf" value="{csrf}">'
    f'<input type="hidden" name="ballot" value="{BALLOT}">' + "あ" * 1800 + "</form></body></html>"
)
RECEIPT = (
    '<!doctype html><html><body><p class="code">ABCD-1234</p>' + "い" * 1300 + "</body></html>"
)
HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("Vary", "Accept-Language, Cookie"),
)


def serve(mode: str, port: int) -> None:
    """The floor server (in its own process): both requests answered by ``mode``."""
    from tornado import httpserver, httputil, ioloop, netutil, routing, web

    from toolkit.server.light_handler import LightHandler, LightRoute

    def page() -> bytes:
        return PAGE.format(csrf=secrets.token_hex(32)).encode()

    class Classic(web.RequestHandler):
        def set_default_headers(self) -> None:
            for name, value in HEADERS:
                self._headers[name] = value

        def compute_etag(self) -> None:
            return None

        def check_xsrf_cookie(self) -> None:
            return None

        def get(self, slug: str) -> None:
            self.set_cookie("csrf", secrets.token_urlsafe(16), path="/p/", httponly=True)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page())

        def post(self, slug: str) -> None:
            self.get_body_argument("_csrf")
            token = secrets.token_urlsafe(18)
            self.set_cookie("token", token, path=f"/p/{slug}/", httponly=True, expires_days=2)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(RECEIPT.encode())

    class Light(LightHandler):
        DEFAULT_HEADERS = HEADERS

        def get(self, slug: str) -> None:
            self.set_cookie("csrf", secrets.token_urlsafe(16), path="/p/", httponly=True)
            self.write_html(page().decode())

        def post(self, slug: str) -> None:
            self.get_body_argument("_csrf")
            token = secrets.token_urlsafe(18)
            self.set_cookie("token", token, path=f"/p/{slug}/", httponly=True, expires_days=2)
            self.write_html(RECEIPT)

    class Bare(httputil.HTTPMessageDelegate):
        def __init__(self, request: httputil.HTTPServerRequest) -> None:
            self.request, self.chunks = request, []

        def data_received(self, chunk: bytes) -> None:
            self.chunks.append(chunk)

        def finish(self) -> None:
            request = self.request
            if request.method == "GET":
                body, cookie = page(), f"csrf={secrets.token_urlsafe(16)}; HttpOnly; Path=/p/"
            else:
                fields: dict[str, list[bytes]] = {}
                httputil.parse_body_arguments(
                    request.headers.get("Content-Type", ""), b"".join(self.chunks), fields, {}
                )
                body = RECEIPT.encode()
                cookie = f"token={secrets.token_urlsafe(18)}; HttpOnly; Path=/p/x/"
            headers = httputil.HTTPHeaders(dict(HEADERS))
            headers["Content-Type"] = "text/html; charset=utf-8"
            headers["Set-Cookie"] = cookie
            headers["Content-Length"] = str(len(body))
            assert request.connection is not None
            start = httputil.ResponseStartLine("HTTP/1.1", 200, "OK")
            request.connection.write_headers(start, headers, body)
            request.connection.finish()

    class BareRouter(routing.Router):
        def find_handler(
            self, request: httputil.HTTPServerRequest, **kwargs: Any
        ) -> httputil.HTTPMessageDelegate:
            return Bare(request)

    application: Any
    if mode == "RequestHandler":
        application = web.Application([(r"/p/([a-z0-9-]+)/(?:join)?", Classic)])
    elif mode == "LightHandler":
        application = web.Application([(r"/p/([a-z0-9-]+)/(?:join)?", LightRoute(Light))])
    else:
        application = BareRouter()
    server = httpserver.HTTPServer(application)
    server.add_sockets(netutil.bind_sockets(port, "127.0.0.1", backlog=4096))
    ioloop.IOLoop.current().start()


def one_round(mode: str, phones: int) -> dict[str, float]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", mode, "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while not asyncio.run(burst(base, "floor", 1))[0][0]["ok"]:  # up, and warmed up
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the {mode} server did not answer")
            time.sleep(0.2)
        process = psutil.Process(server.pid)
        before = process.cpu_times()
        results, _ = asyncio.run(burst(base, "floor", phones))
        after = process.cpu_times()
    finally:
        server.kill()
        server.wait(10)
    joins = sorted(r["join"] for r in results if r.get("ok"))
    return {
        "ok": len(joins),
        "user_ms": 1000 * (after.user - before.user) / phones,
        "system_ms": 1000 * (after.system - before.system) / phones,
        "join_p95_s": joins[int(0.95 * (len(joins) - 1))] if joins else float("nan"),
    }


def report(runs: dict[str, list[dict[str, float]]], phones: int, rounds: int) -> str:
    def span(values: list[float], digits: int) -> str:
        low, high = min(values), max(values)
        return f"{low:.{digits}f}" if low == high else f"{low:.{digits}f}–{high:.{digits}f}"

    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/request_path.py --phones {phones} --rounds {rounds}`  ",
        f"{phones} phones at one instant, each: the join page, then the join-and-vote post "
        "(a fixed page, no store); the three servers in turn, "
        f"{rounds} rounds; server CPU per phone and p95 time through both requests.",
        "",
        "| served by | CPU per phone (user + system) | median | p95 through both | ok |",
        "|---|---:|---:|---:|---:|",
    ]
    for mode in MODES:
        done = runs[mode]
        totals = [r["user_ms"] + r["system_ms"] for r in done]
        lines.append(
            f"| {mode} | {span([r['user_ms'] for r in done], 2)} + "
            f"{span([r['system_ms'] for r in done], 2)} ms | "
            f"{statistics.median(totals):.2f} ms | {span([r['join_p95_s'] for r in done], 1)} s"
            f" | {min(int(r['ok']) for r in done)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", type=Path, help="write the figures into this markdown file")
    parser.add_argument("--serve", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for number in range(args.rounds):
        for mode in MODES:
            runs[mode].append(one_round(mode, args.phones))
            print(f"round {number + 1} {mode}: {runs[mode][-1]}", file=sys.stderr, flush=True)
    text = report(runs, args.phones, args.rounds)
    print(text)
    if args.write:
        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
