"""Helpers for the server tests: a real ``ureshii serve`` subprocess, Chromium, fonts.

The fixtures in ``conftest.py`` use these. The server is started once per session on a
free loopback port with a known secret and shared by the HTTP, route and browser tests (a
start costs ~2 s; a kernel ~3 s). Kernels are counted as the server's ``ipykernel``
child processes, so "no kernel was started" is checked on the operating system, not on
what the server says about itself.

Missing Chromium or Japanese fonts skip the tests that need them, except with
``CI=true``, where they fail with what to install.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
WORKSHOPS = REPO / "workshops"
ARTIFACTS = REPO / "test-artifacts"
URESHII_CLI = Path(sys.executable).with_name("ureshii")
IN_CI = os.environ.get("CI", "").lower() == "true"

CHROMIUM = Path(os.environ.get("URESHII_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
_KERNEL_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")
TEST_SECRET = "test-secret-" + "x" * 20


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, or fail under ``CI=true`` (never a silent skip)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: missing parts are errors; run scripts/system-deps.sh)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class ServerProcess:
    """A running ``ureshii serve`` and helpers to talk to it like a browser would."""

    process: subprocess.Popen[bytes]
    port: int
    secret: str
    log_path: Path
    cookie: str = ""
    _stopped: bool = field(default=False, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def facilitator_url(self) -> str:
        return f"{self.base}/?secret={self.secret}"

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        facilitator: bool = False,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> Response:
        """One HTTP request (redirects are not followed); ``facilitator`` sends the cookie."""
        all_headers = dict(headers or {})
        if facilitator:
            all_headers["Cookie"] = self.facilitator_cookie()
        if data is None and method in {"POST", "PUT", "PATCH"}:
            data = b"{}"
        request = urllib.request.Request(
            self.base + path, method=method, headers=all_headers, data=data
        )
        try:
            with _OPENER.open(request, timeout=120) as reply:
                return Response(reply.status, reply.headers, reply.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", errors="replace")
            return Response(error.code, error.headers, body)

    def facilitator_cookie(self) -> str:
        """Log in with the secret once, as the facilitator link does; returns the cookie."""
        if not self.cookie:
            reply = self.request(f"/?secret={self.secret}")
            assert reply.status == 200, reply
            set_cookie = reply.header("Set-Cookie")
            self.cookie = set_cookie.split(";", 1)[0]
        return self.cookie

    def websocket_upgrade(self, path: str, *, facilitator: bool = False) -> int:
        """Attempt a websocket handshake on ``path``; returns the HTTP status (101 = open)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Origin": self.base,
        }
        if facilitator:
            headers["Cookie"] = self.facilitator_cookie()
        try:
            connection.request("GET", path, headers=headers)
            return connection.getresponse().status
        finally:
            connection.close()

    def kernel_pids(self) -> set[int]:
        """PIDs of the kernels this server started (its ipykernel child processes)."""
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return set()
        pids = set()
        for child in children:
            try:
                if any("ipykernel" in part for part in child.cmdline()):
                    pids.add(child.pid)
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
        return pids

    def kernel_ids(self) -> set[str]:
        """Ids of the kernels whose processes run, read from their connection file's name
        (``…/kernel-<id>.json`` on the kernel's command line)."""
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return set()
        ids = set()
        for child in children:
            try:
                command = " ".join(child.cmdline())
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
            if "ipykernel" in command:
                ids.update(_KERNEL_FILE.findall(command))
        return ids

    def kernel_model(self, kernel_id: str) -> dict[str, Any] | None:
        """Jupyter's model of a kernel (``connections``: its open websockets), or None when
        the server has no such kernel (``/api/kernels/<id>``, with the facilitator cookie)."""
        reply = self.request(f"/api/kernels/{kernel_id}", facilitator=True)
        if reply.status == 404:
            return None
        assert reply.status == 200, reply
        model: dict[str, Any] = json.loads(reply.body)
        return model

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def wait_until(predicate: Callable[[], bool], *, deadline_s: float, what: str) -> None:
    """Poll ``predicate`` until it holds; fail naming ``what`` after a generous deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"gave up waiting for {what} after {deadline_s:.0f} s")


def start_server(
    name: str,
    *extra_args: str,
    folder: Path = WORKSHOPS,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    """Start ``ureshii serve FOLDER --port N --secret S`` and wait for ``/healthz``."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log_path = ARTIFACTS / f"server-{name}.log"
    log = log_path.open("wb")
    command = [str(URESHII_CLI), "serve", str(folder), "--port", str(port)]
    command += ["--secret", TEST_SECRET, *extra_args]
    process_env = {**os.environ, "URESHII_LANG": "en", **(env or {})}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=process_env)
    log.close()
    server = ServerProcess(process, port, TEST_SECRET, log_path)

    def healthy() -> bool:
        if process.poll() is not None:
            pytest.fail(f"ureshii serve exited with {process.returncode}:\n{server.output()}")
        try:
            return server.request("/healthz").status == 200
        except OSError:
            return False

    try:
        wait_until(healthy, deadline_s=90, what=f"the server to answer /healthz ({log_path})")
    except BaseException:
        server.stop()  # never leave a server running behind a failed start
        raise
    return server


class RequestLog:
    """Every URL a page requested (HTTP and websockets), to prove nothing left the machine."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda websocket: self.urls.append(websocket.url))

    def outside(self) -> list[str]:
        """The requested URLs whose host is not this machine (data: and blob: are fine)."""
        found = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob", "about"}:
                continue
            if parts.hostname not in LOOPBACK_HOSTS:
                found.append(url)
        return found


class CountingProxy:
    """A loopback TCP relay in front of a server that writes down the method and path of
    every HTTP request passing through it: what a browser asked the server for, including
    what Playwright does not report (``/favicon.ico``). Open pages at :attr:`base`."""

    REQUEST_LINE = re.compile(rb"(?:^|\r\n)([A-Z]+) (\S+) HTTP/1\.[01]\r\n")

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self._target)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, asks: bool) -> None:
        seen = b""
        try:
            while data := source.recv(65536):
                sink.sendall(data)
                if asks:  # a form's body is URL-encoded: no request line can hide in it
                    seen += data
                    lines = self.REQUEST_LINE.findall(seen)
                    with self._lock:
                        self.requests.extend((m.decode(), p.decode()) for m, p in lines)
                    seen = seen[seen.rfind(b"\r\n") :] if lines else seen
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._listener.close()


def artifact_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def has_cjk_font() -> bool:
    from toolkit.charts import find_cjk_font_dir

    return find_cjk_font_dir() is not None


def build_app_in_test_process(**kwargs: Any) -> Any:
    """``toolkit.server.app.build_app`` without keeping Voilà's SIGTERM handler in pytest.

    Voilà's ``initialize()`` installs a handler that stops an IO loop this process never
    runs; the test process keeps its own handler instead.
    """
    from toolkit.server.app import build_app

    previous = signal.getsignal(signal.SIGTERM)
    try:
        return build_app(**kwargs)
    finally:
        signal.signal(signal.SIGTERM, previous)


def facilitator_context(browser: Any, server: ServerProcess, **options: Any) -> Any:
    """A new browser context that carries the facilitator cookie, set directly (opening the
    facilitator link would also open the console, and start its kernel)."""
    from toolkit.server.access import COOKIE_NAME, FacilitatorAccess

    context = browser.new_context(**options)
    cookie = {
        "name": COOKIE_NAME,
        "value": FacilitatorAccess(server.secret).cookie_value,
        "url": server.base,
        "httpOnly": True,
        "sameSite": "Strict",
    }
    context.add_cookies([cookie])
    return context


def page_kernel_id(page: Any) -> str:
    """The id of the kernel a rendered Voilà page uses (from its ``jupyter-config-data``)."""
    script = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    return str(page.evaluate(script))
