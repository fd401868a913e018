"""The apps' look comes from one style sheet, ``widgets/ureshii.css``, shipped with the package.

Before, each screen injected its own ``<style>`` string; now :func:`widgets.ui.stylesheet`
reads the one file (from the installed package, not the checkout) and each app shows it once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import ipywidgets
import pytest

from tests.workshop_data import small_workshop
from toolkit.store import Store
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.ui import stylesheet, stylesheet_text

ROOT = Path(__file__).resolve().parents[1]
SLUG = "tsuru-dx"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with Store.open(tmp_path / "css.sqlite") as opened:
        opened.create_workshop(small_workshop(SLUG))
        yield AppContext.for_store(opened, SLUG, "en")


def _sheets(root: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    found, stack = [], [root]
    while stack:
        widget = stack.pop()
        if "ureshii-stylesheet" in getattr(widget, "_dom_classes", ()):
            found.append(widget)
        stack.extend(getattr(widget, "children", ()) or ())
    return found


def test_the_sheet_is_read_from_the_package_and_ships_in_the_wheel() -> None:
    sheet = resources.files("widgets").joinpath("ureshii.css")
    assert sheet.is_file()
    assert stylesheet_text() == sheet.read_text(encoding="utf-8")
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["widgets"]
    assert any(Path("ureshii.css").match(glob) for glob in globs)
    # the rules every screen used to inject for itself are all in it
    for scope in (
        ".ureshii-console",
        ".ureshii-board",
        ".ureshii-app",
        ".ureshii-table",
        ".ureshii-pick",
        ".ureshii-chart-table",
        ".ureshii-data",
    ):
        assert scope in stylesheet_text(), scope
    assert stylesheet().value.startswith("<style>") and stylesheet().value.endswith("</style>")


def test_every_rule_is_scoped_to_a_class_of_ours() -> None:
    """The sheet changes nothing outside our widgets (Voilà's own page keeps its look)."""
    text = re.sub(r"/\*.*?\*/", "", stylesheet_text(), flags=re.DOTALL)
    selectors = re.findall(r"([^{}]+)\{[^{}]*\}", text)
    assert len(selectors) > 40
    loose = [
        s.strip()
        for group in selectors
        for s in group.split(",")
        if not re.search(r"\.ureshii-[a-z-]+", s)
    ]
    assert loose == []


def test_no_widget_module_injects_a_style_string() -> None:
    """Only ``widgets.ui.stylesheet`` writes a ``<style>`` element (from the file)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "widgets").rglob("*.py"))
        if path != ROOT / "widgets" / "ui.py" and "<style" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_each_screen_shows_the_sheet_once(ctx: AppContext) -> None:
    from widgets.board import ProjectorBoard
    from widgets.console import FacilitatorConsole
    from widgets.table_app import TableApp

    feed = LiveFeed(ctx.store, ctx.slug)
    for screen in (
        FacilitatorConsole(ctx, feed),
        ProjectorBoard(ctx, feed),
        TableApp(AppContext.for_store(ctx.store, SLUG, "en", table=1), feed),
    ):
        assert len(_sheets(screen)) == 1, type(screen).__name__
