"""Starting, announcing, culling and stopping: kernels do not outlive their tab or the server.

The culling server serves a one-cell notebook (no pandas), so its kernel starts in ~2 s.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nbformat
import psutil
import pytest

from tests.server.server_helpers import (
    TEST_SECRET,
    URESHII_CLI,
    WORKSHOPS,
    ServerProcess,
    build_app_in_test_process,
    free_port,
    start_server,
    wait_until,
)
from toolkit.server.access import FacilitatorAccess
from toolkit.server.app import announce, lan_address, public_host


def _write_small_notebook(folder: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    source = "import os\nprint('lang', os.environ.get('URESHII_LANG'))"
    notebook.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(notebook, folder / "console.ipynb")


@pytest.fixture(scope="module")
def culling_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("small-apps")
    _write_small_notebook(folder)
    # 10 s, not less: a kernel may wait idle a few seconds on a loaded machine before Voilà
    # sends it the notebook; culled then, the page would never finish rendering.
    running = start_server("culling", "--cull-idle-timeout", "10", "--lang", "ja", folder=folder)
    yield running
    running.stop()


def _kernel_environ(pid: int) -> dict[str, str]:
    return psutil.Process(pid).environ()


def test_a_kernel_whose_page_is_gone_is_culled(culling_server: ServerProcess) -> None:
    before = culling_server.kernel_pids()
    reply = culling_server.request("/voila/render/console.ipynb", facilitator=True)
    assert reply.status == 200 and "lang ja" in reply.body
    started = culling_server.kernel_pids() - before
    assert len(started) == 1
    # The page was fetched without opening its websocket, as when a tab is closed at once.
    wait_until(
        lambda: not (culling_server.kernel_pids() & started),
        deadline_s=90,
        what="the idle kernel to be culled",
    )
    assert "Culling 'idle' kernel" in culling_server.output()


def test_extra_env_reaches_the_kernels(culling_server: ServerProcess) -> None:
    before = culling_server.kernel_pids()
    assert culling_server.request("/voila/render/console.ipynb", facilitator=True).status == 200
    (kernel,) = culling_server.kernel_pids() - before
    assert _kernel_environ(kernel)["URESHII_LANG"] == "ja"


def test_a_store_argument_and_a_busy_port(tmp_path: Path) -> None:
    """A store path serves the shipped apps with its URL; a busy port says what to do."""
    store = tmp_path / "ws.sqlite"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", free_port()))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [str(URESHII_CLI), "serve", str(store), "--port", str(port)],
            capture_output=True,
            text=True,
            env={**os.environ, "URESHII_LANG": "en"},
            timeout=120,
        )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"Ureshii is serving the apps in {WORKSHOPS}" in lines
    assert f"Workshop store: sqlite:///{store}" in lines
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr


@pytest.mark.parametrize(
    ("lang", "expected"), [("ja", "待ち受けるポート番号"), ("en", "Port to listen on")]
)
def test_help_is_in_the_users_language(lang: str, expected: str) -> None:
    result = subprocess.run(
        [str(URESHII_CLI), "serve", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "URESHII_LANG": lang},
        timeout=60,
    )
    assert result.returncode == 0
    assert expected in result.stdout


def test_on_the_lan_the_links_name_the_lan_address() -> None:
    app = build_app_in_test_process(
        notebook_dir=WORKSHOPS, access=FacilitatorAccess(TEST_SECRET), host="0.0.0.0", port=0
    )
    app.port = 18866  # what `listen()` sets once bound
    lines: list[str] = []
    announce(app, print_fn=lines.append, lang="ja")
    address = lan_address()
    assert ipaddress.ip_address(address).version == 4
    assert public_host("0.0.0.0") == address
    assert (
        f"ファシリテーター用（他人に見せない）: http://{address}:18866/?secret={TEST_SECRET}"
        in lines
    )
    assert f"参加者用: http://{address}:18866/p/" in lines
    assert any("ローカルネットワーク" in line for line in lines)
    assert not any("0.0.0.0" in line for line in lines)


def test_stopping_the_server_stops_its_kernels(tmp_path: Path) -> None:
    """A server of its own, so that stopping it leaves the other tests theirs, in any order."""
    _write_small_notebook(tmp_path)
    server = start_server("stopping", "--lang", "ja", folder=tmp_path)
    try:
        assert server.request("/voila/render/console.ipynb", facilitator=True).status == 200
        processes = [psutil.Process(pid) for pid in server.kernel_pids()]
        assert processes
    finally:
        server.stop()
    assert server.process.returncode is not None
    _gone, alive = psutil.wait_procs(processes, timeout=30)
    assert alive == []
