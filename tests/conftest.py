"""Shared fixtures: message language, and stores on a real SQLite file and a real PostgreSQL.

PostgreSQL: ``URESHII_TEST_DATABASE_URL`` points at a server whose user may create
databases; otherwise the session starts a throwaway cluster with the Debian binaries
(``scripts/system-deps.sh`` installs them) on a free loopback port. Without PostgreSQL the
PostgreSQL tests are skipped, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from toolkit.store import Store


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read messages in English unless they ask for a language explicitly."""
    monkeypatch.setenv("URESHII_LANG", "en")


def _pg_bindir() -> Path | None:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: float(p.parent.name)
    )
    for candidate in reversed(candidates):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Cluster:
    """A throwaway PostgreSQL cluster owned by this test session."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="ureshii-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        # initdb refuses to run as root: run the server as the 'postgres' system user then.
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.root, "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "ureshii",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on",
            "start",
        )

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.prefix, str(self.bindir / program), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://ureshii@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    from tests.server.server_helpers import CHROMIUM, require

    require(
        CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
        f"Chromium is not installed at {CHROMIUM} (Debian package: chromium)",
    )
    return CHROMIUM


@pytest.fixture(scope="session")
def cjk_font() -> None:
    from tests.server.server_helpers import has_cjk_font, require

    require(has_cjk_font(), "no Japanese font (Debian package: fonts-noto-cjk)")


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright (never ``playwright install``).

    Defined once, here, and per module: Playwright's sync API cannot run two sessions in one
    thread, and while a session is open it leaves an event loop marked as running, which
    would break later tests that run their own loop (``asyncio.run``).
    """
    from playwright.sync_api import sync_playwright

    from tests.server.server_helpers import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server where the tests may create databases."""
    given = os.environ.get("URESHII_TEST_DATABASE_URL")
    if given:
        yield given
        return
    from tests.server.server_helpers import require

    bindir = _pg_bindir()
    require(bindir is not None, "PostgreSQL server binaries not found")
    assert bindir is not None
    cluster = _Cluster(bindir)
    try:
        yield cluster.url()
    finally:
        cluster.stop()


def _fresh_postgres_database(server_url: str) -> str:
    """Create an empty database on the server and return its URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store location: a SQLite file, then a real PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "workshop.sqlite")
    server = request.getfixturevalue("postgres_server_url")
    return _fresh_postgres_database(server)


@pytest.fixture
def empty_store(database_url: str) -> Iterator[Store]:
    """An empty store (no workshop yet) at ``database_url``: SQLite, then PostgreSQL."""
    opened = Store.open(database_url)
    try:
        yield opened
    finally:
        opened.close()
