"""The lighter request path of the phone pages (``toolkit.server.light_handler``), over real
HTTP on loopback: what a page reads and answers means what it meant with Tornado's
``RequestHandler``, and a page that fails answers 500 without a traceback and stays up."""

from __future__ import annotations

import asyncio
import http.client
import logging
import threading
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

import pytest
from tornado import httpserver, ioloop, netutil, web

from tests.server.server_helpers import wait_until
from toolkit.i18n import t
from toolkit.server.access import FacilitatorAccess
from toolkit.server.light_handler import LightHandler, LightRoute
from toolkit.server.participant.pages import PageHandler
from toolkit.server.participant.service import ParticipantService


class Echo(LightHandler):
    """Says back what it read: the path's group, a query and a form argument, a cookie."""

    DEFAULT_HEADERS = (("X-Content-Type-Options", "nosniff"),)

    def initialize(self, greeting: str) -> None:
        self.greeting = greeting

    def get(self, name: str) -> None:
        self.set_cookie("seen", "no", path="/echo/")
        self.set_cookie("seen", "yes", path="/echo/", httponly=True, samesite="Lax")
        self.set_cookie("kept", "abc-123_x", path="/", expires_days=2, secure=True)
        said = self.get_query_argument("say", "nothing")
        raw = self.get_query_argument("raw", "", strip=False)
        self.write(f"{self.greeting} {name}: {said} [{raw}] cookie={self.get_cookie('c')}")

    async def post(self, name: str) -> None:
        await asyncio.sleep(0.01)
        self.redirect(f"/echo/{name}?say={self.get_body_argument('word', '')}", status=303)


class Broken(LightHandler):
    def get(self) -> None:
        raise RuntimeError("a bug in a page")

    async def post(self) -> None:
        await asyncio.sleep(0)
        raise RuntimeError("a bug after a wait")


class BrokenPage(PageHandler):
    """A phone page with a bug: the participant reads the ja/en message page."""

    def get(self) -> None:
        raise RuntimeError("a bug in a phone page")


class Server:
    def __init__(self) -> None:
        self.logged: list[tuple[str, int]] = []
        self.port = 0
        self._ready = threading.Event()
        self._loop: ioloop.IOLoop | None = None

    def log(self, handler: LightHandler) -> None:
        self.logged.append((handler.request.path, handler.get_status()))

    def run(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        shared = {
            "service": ParticipantService(None, secret="s" * 32),
            "access": FacilitatorAccess("s" * 32),
            "base_url": "/",
        }
        app = web.Application(
            [
                (r"/echo/([a-z]+)", LightRoute(Echo, self.log), {"greeting": "hello"}),
                (r"/broken", LightRoute(Broken, self.log)),
                (r"/p/broken", LightRoute(BrokenPage, self.log), shared),
            ]
        )
        sockets = netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        httpserver.HTTPServer(app).add_sockets(sockets)
        self._loop = ioloop.IOLoop.current()
        self._ready.set()
        self._loop.start()

    def stop(self) -> None:
        assert self._loop is not None
        self._loop.add_callback(self._loop.stop)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    assert running._ready.wait(10)
    yield running
    running.stop()
    thread.join(10)


def ask(
    connection: http.client.HTTPConnection, method: str, path: str, **kwargs: Any
) -> tuple[http.client.HTTPResponse, str]:
    connection.request(method, path, **kwargs)
    answer = connection.getresponse()
    return answer, answer.read().decode()


def test_a_light_page_reads_and_answers_as_a_request_handler_does(server: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    query = "say=first&say=%20last%20&raw=%20a%01b%20"
    answer, body = ask(connection, "GET", f"/echo/mori?{query}", headers={"Cookie": "c=42"})
    assert answer.status == 200
    assert body == "hello mori: last [ a b ] cookie=42", "the last value, stripped unless asked"
    assert answer.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert int(answer.headers["Content-Length"]) == len(body.encode())
    assert parsedate_to_datetime(answer.headers["Date"]) is not None
    cookies = SimpleCookie()
    sent = answer.headers.get_all("Set-Cookie") or []
    for header in sent:
        cookies.load(header)
    assert len(sent) == 2, "a cookie set twice is sent once, as last set"
    assert cookies["seen"].value == "yes" and cookies["seen"]["path"] == "/echo/"
    assert cookies["seen"]["httponly"] and cookies["seen"]["samesite"] == "Lax"
    assert cookies["kept"]["secure"] and cookies["kept"]["expires"], "a dated cookie"
    # The same connection goes on (keep-alive), and an async post is awaited.
    answer, _ = ask(
        connection,
        "POST",
        "/echo/mori",
        body=urlencode({"word": "うれしい"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 303
    assert answer.headers["Location"] == "/echo/mori?say=うれしい".encode().decode("latin-1")
    answer, _ = ask(connection, "PUT", "/echo/mori", body=b"")
    assert answer.status == 405, "a method the page does not take"
    connection.close()
    # Logged once sent: the server's thread may log a moment after the answer is read.
    wait_until(
        lambda: (
            {("/echo/mori", 200), ("/echo/mori", 303), ("/echo/mori", 405)} <= set(server.logged)
        ),
        deadline_s=5,
        what="the three answers in the request log",
    )


def test_a_failing_page_answers_500_logs_it_and_the_server_goes_on(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    with caplog.at_level(logging.ERROR, logger="ureshii.pages"):
        for method in ("GET", "POST"):
            sent = b"" if method == "POST" else None
            answer, body = ask(connection, method, "/broken", body=sent)
            assert answer.status == 500 and "Traceback" not in body and "bug" not in body
    assert [r.exc_info[1].args[0] for r in caplog.records if r.exc_info] == [
        "a bug in a page",
        "a bug after a wait",
    ]
    answer, body = ask(connection, "GET", "/p/broken", headers={"Accept-Language": "ja"})
    assert answer.status == 500 and "Traceback" not in body
    assert t("p_error_server", "ja") in body, "the phone reads what happened, in its language"
    answer, body = ask(connection, "GET", "/echo/after")
    assert answer.status == 200 and body.startswith("hello after"), "still serving"
    connection.close()
