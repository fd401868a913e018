"""The built wheel runs the product, as a city hall installs it.

The wheel is built from a copy of the sources (through an sdist, as PyPI users get it), then
installed into a new virtual environment: no system site-packages and not the source tree,
so the apps can only come from inside the wheel. From there ``ureshii demo`` and
``ureshii serve`` start, and the console opens in a real browser from the printed link.

Everything is offline: the build and the install take their packages from uv's cache, which
``make setup`` filled (``uv build --offline``, ``uv pip install --offline``; a second or two
each), at the versions the test run itself uses (a newer release on the index is not in the
cache). The offline install from a wheelhouse folder (``scripts/wheelhouse.sh``) is the same
wheel and the same dependencies, fetched once from PyPI: see the README.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_process import running
from tests.server.server_helpers import ARTIFACTS, free_port, require
from toolkit.server.access import COOKIE_NAME

ROOT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).with_name("uv")
#: What the sdist is made from (the rest of the repository is not part of the package).
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")
PACKAGES = ("toolkit", "widgets", "workshops")
APPS = sorted(path.name for path in (ROOT / "workshops").glob("*.ipynb"))


def _run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, **options
    )
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require(UV.exists(), f"uv is not installed beside {sys.executable} (make setup installs it)")
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    dist = tmp_path_factory.mktemp("dist")
    # Without --wheel: the sdist first, then the wheel from the unpacked sdist.
    _run([str(UV), "build", "--offline", "--out-dir", str(dist), str(source)])
    (built,) = dist.glob("ureshii-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a new virtual environment with the wheel installed."""
    folder = tmp_path_factory.mktemp("venv") / "ureshii"
    _run([sys.executable, "-m", "venv", "--without-pip", str(folder)])
    python = folder / "bin" / "python"
    # The dependencies at the versions this test run uses, which are in uv's cache: offline,
    # the newest release on the index (which `make setup` may not have fetched) cannot come.
    frozen = _run([str(UV), "pip", "freeze", "--exclude-editable", "--python", sys.executable])
    constraints = folder.parent / "constraints.txt"
    constraints.write_text(frozen.stdout, encoding="utf-8")
    install = [str(UV), "pip", "install", "--offline", "--python", str(python)]
    _run([*install, "--constraint", str(constraints), str(wheel)])
    return folder / "bin"


def _clean_env(venv: Path) -> dict[str, str]:
    """An environment in which nothing of this checkout or of the test venv is importable."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{venv}{os.pathsep}{env.get('PATH', '')}"
    env["URESHII_LANG"] = "en"
    return env


def test_the_wheel_ships_every_app_and_nothing_of_the_tests(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n.removeprefix("toolkit/apps/") for n in names if "/apps/" in n) == APPS
    with zipfile.ZipFile(wheel) as archive:
        for app in APPS:  # the same notebooks, byte for byte
            assert archive.read(f"toolkit/apps/{app}") == (ROOT / "workshops" / app).read_bytes()
    assert [n for n in names if "conftest" in n or n.startswith(("tests/", "workshops/"))] == []


def test_the_installed_package_is_the_wheel_not_the_checkout(venv: Path, tmp_path: Path) -> None:
    code = (
        "import importlib.util as u, toolkit.server.app as a;"
        "print([m for m in ('pytest', 'playwright', 'mypy') if u.find_spec(m)]);"
        "print(a.shipped_workshops())"
    )
    done = _run([str(venv / "python"), "-c", code], cwd=tmp_path, env=_clean_env(venv))
    test_tools, shown = done.stdout.strip().splitlines()
    assert test_tools == "[]"  # a clean environment: the runtime dependencies only
    apps = Path(shown)
    assert apps == venv.parent / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / (
        "site-packages/toolkit/apps"
    )
    assert sorted(p.name for p in apps.glob("*.ipynb")) == APPS


@pytest.fixture(scope="module")
def demo_store(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel-demo")
    done = _run(
        [str(venv / "ureshii"), "demo", "--no-serve", "--lang", "en", "--data", str(folder)],
        cwd=folder,
        env=_clean_env(venv),
    )
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def served(venv: Path, demo_store: Path) -> Iterator[tuple[str, str]]:
    """``ureshii serve STORE`` from the wheel's venv: (its output, the facilitator link)."""
    ARTIFACTS.mkdir(exist_ok=True)
    command = [str(venv / "ureshii"), "serve", str(demo_store), "--port", str(free_port())]
    command += ["--lang", "en"]
    log = ARTIFACTS / "server-from-wheel.log"
    with running(command, log, env=_clean_env(venv), cwd=demo_store.parent) as server:
        link = server.wait_for(r"Facilitator \(keep private\): (\S+)", what="the links")
        server.wait_for(re.escape("Press Ctrl+C"), what="the end of the start-up lines")
        yield server.text(), link.group(1)


def test_serve_from_the_wheel_serves_the_packaged_apps(served: tuple[str, str], venv: Path) -> None:
    printed, link = served
    assert f"serving the apps in {venv.parent}/lib/" in printed
    assert "/site-packages/toolkit/apps" in printed
    with urllib.request.urlopen(link, timeout=120) as reply:  # real HTTP, the printed link
        assert reply.status == 200
        assert reply.headers["Set-Cookie"].startswith(f"{COOKIE_NAME}=")
        opening = reply.read().decode("utf-8")
    # The small page that moves the browser on to the console (a same-site refresh).
    assert 'http-equiv="refresh"' in opening and "console.ipynb" in opening


def test_the_console_opens_from_the_wheel_in_a_browser(
    browser: Any, served: tuple[str, str]
) -> None:
    from playwright.sync_api import expect

    _, link = served
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(link, timeout=120_000)
        expect(page.get_by_role("button", name="Next phase")).to_be_visible(timeout=120_000)
        expect(page.get_by_role("img", name="QR code of the join link")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "console-from-wheel.png"), full_page=True)
    finally:
        context.close()


def test_demo_from_the_wheel_serves(venv: Path, tmp_path: Path) -> None:
    """The command of the issue: `ureshii demo` from an installed wheel used to stop with
    「…/site-packages/workshops にノートブック（.ipynb）がありません」."""
    port = free_port()
    command = [str(venv / "ureshii"), "demo", "--port", str(port), "--data", str(tmp_path)]
    env = _clean_env(venv)
    del env["URESHII_LANG"]
    with running(command, tmp_path / "demo.log", env=env, cwd=tmp_path) as demo:
        demo.wait_for(re.escape(f"参加者用: http://127.0.0.1:{port}/p/"), what="the join link")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/p/", timeout=60) as reply:
            assert reply.status == 200
        printed = demo.text()
    assert (
        "site-packages/toolkit/apps" in printed
        and "ノートブック（.ipynb）がありません" not in printed
    )
