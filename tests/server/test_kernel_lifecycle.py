"""Kernels that end (issue 13): a closed, abandoned or reloaded page gives its kernel back
within the grace period whatever its live feed is doing, an open page keeps its kernel,
the room has a cap on kernels, and stopping the server stops every kernel.

Real ``ureshii serve`` processes on free loopback ports, Debian's Chromium. Kernels are
counted on the operating system (the server's ``ipykernel`` processes, by kernel id) and
asked about through ``/api/kernels/<id>`` (their open websockets).

The apps served: ``board.ipynb`` is the shipped projector board on a demo store (its live
feed polls the store every second); ``console.ipynb`` is a ticker, a counter widget that an
asyncio task updates every 0.3 s, so its kernel is never idle and Jupyter's idle culler
(600 s) would never end it: a light stand-in for the console's clock.

Playwright closes a page without running its ``beforeunload`` handlers, so no shutdown
beacon is sent: only the server's watcher can end those kernels (as after a browser crash
or a laptop that left the Wi-Fi). A real tab close sends a beacon that Voilà's XSRF check
refuses (voila issue 1458), which comes to the same.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest

from tests.server.server_helpers import (
    TEST_SECRET,
    URESHII_CLI,
    WORKSHOPS,
    ServerProcess,
    facilitator_context,
    page_kernel_id,
    start_server,
    wait_until,
)
from toolkit.server import ServerError
from toolkit.server.kernels import FIRST_CONNECT_FACTOR, KernelLimits

GRACE_S = 8
"""The servers' grace period (``URESHII_KERNEL_GRACE_SECONDS``); 60 s by default."""
MARGIN_S = 15
"""Time for the shutdown itself on a loaded 2-core machine."""
TICKER = "console.ipynb"
BOARD = "board.ipynb"
SLOW = "slow.ipynb"
TICKER_SOURCE = """\
import asyncio
import ipywidgets as widgets

ticks = widgets.IntText(value=0, description="ticks")

async def tick():
    while True:
        await asyncio.sleep(0.3)
        ticks.value += 1

asyncio.get_event_loop().create_task(tick())
ticks"""


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the ticker (as the start notebook), the shipped board, and a ticker
    whose first cell takes longer than the grace period."""
    folder = tmp_path_factory.mktemp("kernel-apps")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [nbformat.v4.new_code_cell(TICKER_SOURCE)]
    nbformat.write(notebook, folder / TICKER)
    slow = nbformat.v4.new_notebook(metadata=notebook.metadata)
    slow.cells = [
        nbformat.v4.new_code_cell(f"import time\ntime.sleep({GRACE_S + 4})"),
        nbformat.v4.new_code_cell(TICKER_SOURCE),
    ]
    nbformat.write(slow, folder / SLOW)
    shutil.copy(WORKSHOPS / BOARD, folder / BOARD)
    return folder


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from toolkit.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("kernel-demo"), lang="ja", seed=0).path


def _serve(name: str, apps: Path, store: Path, **env: str) -> ServerProcess:
    variables = {
        "URESHII_DATABASE_URL": str(store),
        "URESHII_KERNEL_GRACE_SECONDS": str(GRACE_S),
        **env,
    }
    return start_server(name, folder=apps, env=variables)


@pytest.fixture(scope="module")
def server(apps: Path, demo_store: Path) -> Iterator[ServerProcess]:
    running = _serve("kernels", apps, demo_store)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def capped_server(apps: Path, demo_store: Path) -> Iterator[ServerProcess]:
    running = _serve("kernels-capped", apps, demo_store, URESHII_MAX_KERNELS="2")
    yield running
    running.stop()


@contextmanager
def _facilitator_browsing(browser: Any, server: ServerProcess) -> Iterator[Any]:
    """A facilitator's browser context on ``server``, closed at the end."""
    context = facilitator_context(browser, server, viewport={"width": 1280, "height": 900})
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def context(browser: Any, server: ServerProcess) -> Iterator[Any]:
    with _facilitator_browsing(browser, server) as opened:
        yield opened


@pytest.fixture
def capped_context(browser: Any, capped_server: ServerProcess) -> Iterator[Any]:
    with _facilitator_browsing(browser, capped_server) as opened:
        yield opened


def _connections(server: ServerProcess, kernel_id: str) -> int | None:
    model = server.kernel_model(kernel_id)
    return None if model is None else int(model["connections"])


def _ended(server: ServerProcess, kernel_id: str) -> bool:
    """Whether the kernel's process is gone and the server no longer lists it."""
    return kernel_id not in server.kernel_ids() and server.kernel_model(kernel_id) is None


def _open_app(
    context: Any, server: ServerProcess, app: str, *, timeout_s: float = 180
) -> tuple[Any, str]:
    """A page of ``app``, rendered and connected to its kernel; and that kernel's id."""
    page = context.new_page()
    reply = page.goto(f"{server.base}/voila/render/{app}", timeout=timeout_s * 1000)
    assert reply is not None and reply.status == 200, app
    kernel_id = page_kernel_id(page)
    page.locator(".jupyter-widgets").first.wait_for(timeout=timeout_s * 1000)
    wait_until(
        lambda: (_connections(server, kernel_id) or 0) >= 1,
        deadline_s=60,
        what=f"the {app} page to connect to its kernel",
    )
    return page, kernel_id


def _ticks(page: Any) -> int:
    return int(page.locator("input[type=number]").first.input_value())


def test_a_closed_board_page_gives_its_kernel_back_an_open_page_keeps_its_own(
    server: ServerProcess, context: Any
) -> None:
    ticker, ticker_kernel = _open_app(context, server, TICKER)
    board, board_kernel = _open_app(context, server, BOARD)
    assert {ticker_kernel, board_kernel} <= server.kernel_ids()

    board.close()
    closed_at = time.monotonic()
    wait_until(
        lambda: _ended(server, board_kernel),
        deadline_s=GRACE_S + MARGIN_S,
        what="the closed board page's kernel to end",
    )
    ended_after = time.monotonic() - closed_at
    assert f"Shutting down kernel {board_kernel}: no page open for" in server.output()
    assert ended_after >= GRACE_S / 2, "ended by the watcher after the grace period, not at once"

    # The ticker page stayed open through more than a grace period: its kernel lives on,
    # still connected, and still updates the page.
    time.sleep(max(0.0, 1.5 * GRACE_S - ended_after))
    assert ticker_kernel in server.kernel_ids()
    assert _connections(server, ticker_kernel) == 1
    before = _ticks(ticker)
    wait_until(lambda: _ticks(ticker) > before, deadline_s=10, what="the ticker to tick on")


def test_a_page_fetched_but_never_opened_gives_its_kernel_back(server: ServerProcess) -> None:
    """A GET of the page whose websocket never opens: a tab closed while loading."""
    reply = server.request(f"/voila/render/{TICKER}", facilitator=True)
    assert reply.status == 200
    match = re.search(r'"kernelId": "([0-9a-f-]{36})"', reply.body)
    assert match is not None, "the page names its kernel"
    kernel_id = match.group(1)
    assert _connections(server, kernel_id) == 0
    fetched = time.monotonic()
    wait_until(
        lambda: _ended(server, kernel_id),
        deadline_s=FIRST_CONNECT_FACTOR * GRACE_S + MARGIN_S,
        what="the kernel of a page nobody opened to end",
    )
    # A page that has not connected yet is given longer than a closed one (a slow laptop
    # may take a minute to start the page's scripts).
    assert time.monotonic() - fetched > GRACE_S
    assert f"Shutting down kernel {kernel_id}: no page open for" in server.output()


def test_a_page_slower_to_render_than_the_grace_period_keeps_its_kernel(
    server: ServerProcess, context: Any
) -> None:
    """The page connects to its kernel only once its HTML has arrived: while Voilà renders
    it, the kernel has no websocket, and must not be taken for a closed page's."""
    started = time.monotonic()
    page, kernel_id = _open_app(context, server, SLOW, timeout_s=60)
    assert time.monotonic() - started > GRACE_S
    assert kernel_id in server.kernel_ids()
    assert _connections(server, kernel_id) == 1
    before = _ticks(page)
    wait_until(lambda: _ticks(page) > before, deadline_s=10, what="the slow page to tick")


def test_after_a_reload_there_is_one_kernel_per_open_page(
    server: ServerProcess, context: Any
) -> None:
    first, first_kernel = _open_app(context, server, TICKER)
    _second, second_kernel = _open_app(context, server, TICKER)

    first.reload(timeout=180_000)
    first.locator(".jupyter-widgets").first.wait_for(timeout=180_000)
    reloaded_kernel = page_kernel_id(first)
    assert reloaded_kernel != first_kernel, "a reload starts a new kernel (Voilà)"
    wait_until(
        lambda: (_connections(server, reloaded_kernel) or 0) >= 1,
        deadline_s=60,
        what="the reloaded page to connect",
    )
    # Any kernel of an earlier test's closed pages ends too: the server ends up with
    # exactly the kernels of the two open pages.
    wait_until(
        lambda: server.kernel_ids() == {reloaded_kernel, second_kernel},
        deadline_s=GRACE_S + MARGIN_S,
        what="exactly one kernel per open page",
    )
    assert _connections(server, reloaded_kernel) == 1
    assert _connections(server, second_kernel) == 1


def test_over_the_cap_a_page_is_refused_and_starts_no_kernel(
    capped_server: ServerProcess, capped_context: Any
) -> None:
    context = capped_context
    first, first_kernel = _open_app(context, capped_server, TICKER)
    _second, second_kernel = _open_app(context, capped_server, TICKER)
    assert capped_server.kernel_ids() == {first_kernel, second_kernel}

    third = context.new_page()
    reply = third.goto(f"{capped_server.base}/voila/render/{BOARD}", timeout=60_000)
    assert reply is not None and reply.status == 503
    assert reply.headers["retry-after"] == "10"
    text = third.locator("body").inner_text()
    assert "開いているアプリ画面が多すぎます" in text
    assert "Too many app screens are open" in text
    assert "close the app tabs that are not in use" in text.lower()
    assert third.get_by_role("link", name="Reload this page").get_attribute("href") == (
        f"/voila/render/{BOARD}"
    )
    plain = capped_server.request(f"/voila/render/{TICKER}?table=3", facilitator=True)
    assert plain.status == 503
    assert 'href="/voila/render/console.ipynb?table=3"' in plain.body
    assert "<script" not in plain.body.lower()
    time.sleep(2)  # a kernel that started anyway would show up by now
    assert capped_server.kernel_ids() == {first_kernel, second_kernel}

    # Closing a tab makes room at once: its kernel, waiting out its grace period, gives way.
    first.close()
    wait_until(
        lambda: _connections(capped_server, first_kernel) in (0, None),
        deadline_s=30,
        what="the closed page's websocket to close",
    )
    reply = third.reload(timeout=180_000)
    assert reply is not None and reply.status == 200
    third.locator(".jupyter-widgets").first.wait_for(timeout=180_000)
    board_kernel = page_kernel_id(third)
    wait_until(
        lambda: capped_server.kernel_ids() == {second_kernel, board_kernel},
        deadline_s=MARGIN_S,
        what="the closed page's kernel to give way to the new page",
    )
    assert f"Shutting down kernel {first_kernel}: no page open" in capped_server.output()
    assert "to make room for a new page" in capped_server.output()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_server_shuts_every_kernel_down(
    browser: Any, apps: Path, demo_store: Path, signum: signal.Signals
) -> None:
    running = _serve(f"kernels-{signum.name}", apps, demo_store)
    try:
        with _facilitator_browsing(browser, running) as context:
            _first, first_kernel = _open_app(context, running, TICKER)
            _second, second_kernel = _open_app(context, running, TICKER)
            processes = [psutil.Process(pid) for pid in running.kernel_pids()]
            assert len(processes) == 2
            running.process.send_signal(signum)
            assert running.process.wait(timeout=60) == 0
        # Gone at once, shut down by the server (ipykernel would also exit a second or so
        # after its parent died, but without these lines in the log).
        _gone, alive = psutil.wait_procs(processes, timeout=5)
        assert alive == []
        log = running.output()
        assert f"Kernel shutdown: {first_kernel}" in log
        assert f"Kernel shutdown: {second_kernel}" in log
        assert f"Stopping ({signum.name})" in log
        assert "The server has stopped." in log
    finally:
        running.stop()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, KernelLimits(60.0, 16)),
        ({"URESHII_KERNEL_GRACE_SECONDS": "5"}, KernelLimits(5.0, 16)),
        ({"URESHII_KERNEL_GRACE_SECONDS": " 0 ", "URESHII_MAX_KERNELS": "0"}, KernelLimits(0, 0)),
        ({"URESHII_MAX_KERNELS": "8", "URESHII_KERNEL_GRACE_SECONDS": ""}, KernelLimits(60, 8)),
    ],
    ids=["defaults", "grace", "both-off", "cap"],
)
def test_kernel_limits_from_the_environment(
    environ: dict[str, str], expected: KernelLimits
) -> None:
    assert KernelLimits.from_environment(environ) == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"URESHII_KERNEL_GRACE_SECONDS": "1 min"},
            r"URESHII_KERNEL_GRACE_SECONDS='1 min' is not allowed: give the seconds after "
            r"which a closed tab's kernel is shut down, e\.g\. 60 \(0: never\)\.",
        ),
        ({"URESHII_KERNEL_GRACE_SECONDS": "-5"}, "URESHII_KERNEL_GRACE_SECONDS='-5'"),
        ({"URESHII_KERNEL_GRACE_SECONDS": "inf"}, "URESHII_KERNEL_GRACE_SECONDS='inf'"),
        (
            {"URESHII_MAX_KERNELS": "2.5"},
            r"URESHII_MAX_KERNELS='2\.5' is not allowed: give the most app pages open at once "
            r"as a whole number, e\.g\. 16 \(0: no limit\)\.",
        ),
        ({"URESHII_MAX_KERNELS": "-1"}, "URESHII_MAX_KERNELS='-1'"),
    ],
    ids=["grace-words", "grace-negative", "grace-infinite", "cap-fraction", "cap-negative"],
)
def test_kernel_limits_refuse_what_is_not_allowed(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ServerError, match=message):
        KernelLimits.from_environment(environ)


def test_a_bad_limit_stops_ureshii_serve_with_what_to_do(apps: Path) -> None:
    result = subprocess.run(
        [str(URESHII_CLI), "serve", str(apps), "--port", "0", "--secret", TEST_SECRET],
        capture_output=True,
        text=True,
        env={**os.environ, "URESHII_LANG": "ja", "URESHII_MAX_KERNELS": "many"},
        timeout=120,
    )
    assert result.returncode == 1
    assert "URESHII_MAX_KERNELS='many' は使えません" in result.stderr
    assert "Kernel started" not in result.stdout + result.stderr
