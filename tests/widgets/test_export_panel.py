"""The facilitator's export panel: prepare a file, download it, open it."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from toolkit.demo import build_demo
from toolkit.store import Store
from widgets.context import AppContext
from widgets.export_panel import ExportPanel


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(build_demo(tmp_path_factory.mktemp("demo"), lang="ja", seed=0).path) as store:
        yield store


def download(panel: ExportPanel) -> tuple[str, bytes]:
    match = re.search(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', panel.link.value)
    assert match, panel.link.value + panel.message.value
    return match.group(1), base64.b64decode(match.group(2))


def test_the_xlsx_download_opens_with_the_ranked_backlog(demo_store: Store) -> None:
    panel = ExportPanel(AppContext.for_store(demo_store, lang="ja"))
    assert panel.link.value == ""
    panel.prepare.click()
    name, data = download(panel)
    assert name == "dx-vision-2026-backlog.xlsx" and "準備しました" in panel.message.value
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert len(workbook.sheetnames) >= 5
    backlog = workbook[workbook.sheetnames[0]]
    first_title = demo_store_first_title(demo_store)
    assert any(first_title == cell.value for row in backlog.iter_rows() for cell in row)


def demo_store_first_title(store: Store) -> str:
    from toolkit.summary import summarize

    return str(summarize(store, store.workshops()[0].slug)["ranking"][0]["title"])


def test_the_cp932_csv_reads_back_in_shift_jis(demo_store: Store, tmp_path: Path) -> None:
    panel = ExportPanel(AppContext.for_store(demo_store, lang="ja"))
    panel.choice.value = "csv_cp932"
    panel.prepare.click()
    name, data = download(panel)
    assert name.endswith(".sjis.csv")
    table = pd.read_csv(io.BytesIO(data), encoding="cp932")
    assert demo_store_first_title(demo_store) in table.astype(str).to_numpy().ravel().tolist()


def test_changing_the_format_drops_the_stale_link(demo_store: Store) -> None:
    panel = ExportPanel(AppContext.for_store(demo_store, lang="en"))
    panel.prepare.click()
    assert panel.link.value
    panel.choice.value = "md"
    assert panel.link.value == "" and panel.message.value == ""


def test_a_format_that_cannot_be_made_says_why_in_the_panel(tmp_path: Path) -> None:
    from tests.workshop_data import small_workshop

    store = Store.open(tmp_path / "w.sqlite")
    store.create_workshop(small_workshop("tsuru-dx"))  # its only ballot is still a draft
    panel = ExportPanel(AppContext.for_store(store, lang="en"))
    panel.choice.value = "pb"
    panel.prepare.click()
    assert panel.link.value == "" and "⚠" in panel.message.value
    assert "No ballot with visible results to write as pabulib" in panel.message.value


def test_the_facilitator_console_has_the_export_panel(demo_store: Store) -> None:
    from widgets.console import FacilitatorConsole
    from widgets.live import LiveFeed

    ctx = AppContext.for_store(demo_store, lang="en")
    console = FacilitatorConsole(ctx, LiveFeed(demo_store, ctx.slug))
    assert console.exports in console.children
    console.exports.choice.value = "md"
    console.exports.prepare.click()
    name, data = download(console.exports)
    assert (
        name == "dx-vision-2026-backlog.md" and demo_store_first_title(demo_store) in data.decode()
    )
