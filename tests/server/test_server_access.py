"""Who may reach what, over real HTTP against ``ureshii serve workshops``.

An anonymous visitor gets the 403 page on every facilitator route and never starts a
kernel (counted as the server's child processes); the facilitator link sets a strict
cookie, and with it the console renders.
"""

from __future__ import annotations

import json
import re
import socket

import pytest

from tests.server.server_helpers import Response, ServerProcess
from toolkit.server.access import COOKIE_NAME

CONSOLE = "/voila/render/console.ipynb"
ZERO_UUID = "00000000-0000-0000-0000-000000000000"

ANONYMOUS_PATHS = [
    "/",
    CONSOLE,
    "/console.ipynb",
    "/voila/render/console",
    "/voila/tree",
    "/voila/tree/console.ipynb",
    "/voila/api/contents",
    "/voila/api/contents/console.ipynb",
    "/api/kernels",
    f"/api/kernels/{ZERO_UUID}",
    "/api/sessions",
    "/api/contents",
    "/voila/files/console.ipynb",
    "/voila/files/example.svg",
    "/voila/static/voila.js",
    "/voila/templates/lab/static/index.css",
    "/login",
    "/tree",
    "/lab",
    "/notebooks/console.ipynb",
    f"{CONSOLE}?secret=not-the-secret",
]


@pytest.fixture(scope="module")
def console(server: ServerProcess) -> tuple[Response, set[int]]:
    """The console rendered once with the facilitator cookie (a render starts a kernel and
    runs the notebook: ~10 s here), and the kernels that appeared meanwhile."""
    before = server.kernel_pids()
    reply = server.request(CONSOLE, facilitator=True)
    return reply, server.kernel_pids() - before


def _assert_forbidden_page(reply_body: str) -> None:
    assert "ファシリテーター用リンクが必要です" in reply_body
    assert "Facilitator link needed" in reply_body
    assert "<script" not in reply_body.lower()


@pytest.mark.parametrize("path", ANONYMOUS_PATHS, ids=ANONYMOUS_PATHS)
def test_anonymous_get_is_forbidden_and_starts_no_kernel(server: ServerProcess, path: str) -> None:
    before = server.kernel_pids()
    reply = server.request(path)
    assert reply.status == 403, (path, reply.status)
    _assert_forbidden_page(reply.body)
    assert not reply.header("Set-Cookie")
    assert server.kernel_pids() <= before, f"GET {path} started a kernel"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path", ["/api/kernels", f"/api/kernels/{ZERO_UUID}", f"/voila/api/shutdown/{ZERO_UUID}"]
)
def test_anonymous_writes_are_forbidden(server: ServerProcess, method: str, path: str) -> None:
    before = server.kernel_pids()
    assert server.request(path, method=method).status == 403
    assert server.kernel_pids() <= before


def test_anonymous_websocket_to_a_kernel_is_refused(
    server: ServerProcess, console: tuple[Response, set[int]]
) -> None:
    """Even for a real, running kernel id the handshake is refused without the cookie."""
    reply, _ = console
    kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', reply.body)
    assert kernel_id, "the rendered console names its kernel"
    channels = f"/api/kernels/{kernel_id.group(1)}/channels"
    assert server.websocket_upgrade(channels) == 403
    assert server.websocket_upgrade(channels, facilitator=True) == 101


def test_anonymous_requests_start_no_kernel_in_total(server: ServerProcess) -> None:
    """The same, counted across a burst of page, render, API and websocket requests."""
    before = server.kernel_pids()
    for _ in range(3):
        for path in (CONSOLE, "/console.ipynb", "/voila/render/console.ipynb?x=1"):
            assert server.request(path).status == 403
        assert server.websocket_upgrade(f"/api/kernels/{ZERO_UUID}/channels") == 403
    assert server.kernel_pids() <= before


def test_facilitator_link_sets_a_strict_cookie_and_opens_the_console(
    server: ServerProcess,
) -> None:
    reply = server.request(f"/?secret={server.secret}")
    assert reply.status == 200
    # A same-site refresh, not a redirect: see EntryHandler (SameSite=Strict and redirects).
    assert f'<meta http-equiv="refresh" content="0;url={CONSOLE}">' in reply.body
    assert f'href="{CONSOLE}"' in reply.body and "<script" not in reply.body.lower()
    cookie = reply.header("Set-Cookie")
    name, _, rest = cookie.partition("=")
    value = rest.split(";", 1)[0]
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert name == COOKIE_NAME
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    assert server.secret not in cookie and len(value) == 64
    assert reply.header("Referrer-Policy") == "no-referrer"
    assert reply.header("Cache-Control") == "no-store"


def test_with_the_cookie_the_root_redirects_to_the_console(server: ServerProcess) -> None:
    reply = server.request("/", facilitator=True)
    assert reply.status == 303
    assert reply.header("Location") == CONSOLE
    assert not reply.header("Set-Cookie")


def test_wrong_secret_is_forbidden_and_sets_no_cookie(server: ServerProcess) -> None:
    for wrong in ("", "x", server.secret[:-1], server.secret + "x", server.secret.upper()):
        reply = server.request(f"/?secret={wrong}")
        assert reply.status == 403, wrong
        assert not reply.header("Set-Cookie")


def test_a_forged_cookie_is_forbidden(server: ServerProcess) -> None:
    forged = f"{COOKIE_NAME}={'0' * 64}"
    assert server.request(CONSOLE, headers={"Cookie": forged}).status == 403
    raw_secret = f"{COOKIE_NAME}={server.secret}"
    assert server.request(CONSOLE, headers={"Cookie": raw_secret}).status == 403


def test_with_the_secret_the_console_renders_in_a_new_kernel(
    console: tuple[Response, set[int]],
) -> None:
    reply, new_kernels = console
    assert reply.status == 200
    assert reply.body.count("application/vnd.jupyter.widget-view+json") == 2
    assert "Traceback" not in reply.body and '"output_type": "error"' not in reply.body
    assert len(new_kernels) == 1


def test_facilitator_routes_answer_with_the_cookie(server: ServerProcess) -> None:
    assert server.request("/voila/tree", facilitator=True).status == 200
    assert server.request("/voila/static/voila.js", facilitator=True).status == 200


def test_files_allowlist_is_not_widened(server: ServerProcess) -> None:
    """Even the facilitator cannot download a notebook, a script or a store file."""
    for path in ("console.ipynb", "../pyproject.toml", "x.sqlite", ".hidden.svg", "a.py"):
        reply = server.request(f"/voila/files/{path}", facilitator=True)
        assert reply.status in {403, 404}, (path, reply.status)


def test_rendered_console_loads_nothing_from_the_internet(
    console: tuple[Response, set[int]],
) -> None:
    """No <link>/<script>/<img> outside the server (the browser test checks requests too)."""
    body = console[0].body
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//[^"']+""", body)
    assert external == []
    assert "cdn.jsdelivr.net" not in body and "cdnjs.cloudflare.com" not in body


def test_healthz(server: ServerProcess) -> None:
    reply = server.request("/healthz")
    assert reply.status == 200
    assert json.loads(reply.body) == {"ok": True}


def test_participant_pages_are_public_light_and_start_no_kernel(server: ServerProcess) -> None:
    before = server.kernel_pids()
    entry = server.request("/p/")
    assert entry.status == 303  # the demo store has one workshop: straight to it
    join = server.request(entry.header("Location"))
    assert join.status == 200
    assert "参加する" in join.body or "Take part" in join.body
    assert "<script" not in join.body.lower()
    assert "default-src 'none'" in join.header("Content-Security-Policy")
    assert server.kernel_pids() <= before


def test_startup_lines_name_both_links_and_draw_the_qr_code(server: ServerProcess) -> None:
    lines = server.output().splitlines()
    facilitator = f"Facilitator (keep private): {server.facilitator_url}"
    join = f"Participants join: {server.base}/p/"
    assert facilitator in lines
    assert join in lines
    qr_rows = [line for line in lines if line and set(line) <= set("█▀▄ ")]
    assert len(qr_rows) >= 15


def test_oversized_bodies_are_refused_before_being_read(server: ServerProcess) -> None:
    """Tornado reads a body before any handler (and the gate) runs: cap what it accepts."""
    from toolkit.server.app import MAX_BODY_SIZE

    replies = {}
    for size in (MAX_BODY_SIZE + 1, 1000):
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
            head = (
                f"POST /api/kernels HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n\r\n"
            )
            connection.sendall(head.encode("ascii"))
            if size < MAX_BODY_SIZE:
                connection.sendall(b"x" * size)
            replies[size] = connection.recv(64).split(b"\r\n", 1)[0]
    assert replies[MAX_BODY_SIZE + 1] == b"HTTP/1.1 400 Bad Request"
    assert replies[1000] == b"HTTP/1.1 403 Forbidden"
