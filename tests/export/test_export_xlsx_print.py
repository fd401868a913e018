"""The XLSX export on paper and on screen (issue 17, item 5), read back with openpyxl as
Excel and Calc read it: every sheet prints A4 landscape, one page wide, with its header row
on every page; a text with line breaks, or too long for its column, wraps instead of
showing only its last line or being clipped."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl

from tests.export.calc import calc_convert, pdf_pages
from tests.workshop_data import small_workshop
from toolkit.demo import DemoResult
from toolkit.export import render
from toolkit.store import Store
from toolkit.summary import summarize

SLUG = "tsuru-dx"
TWO_LINES = "月曜の朝は1時間待ち。\n番号札と呼び出し表示を見直す"
LONG = "窓口で待たずに済むよう、" * 12  # wider than a column may grow


def _workbook(tmp_path: Path, lang: str = "ja") -> Any:
    spec = small_workshop(SLUG)
    spec["issues"][0]["description"] = TWO_LINES
    spec["issues"][1]["description"] = LONG
    with Store.open(tmp_path / "print.sqlite") as store:
        store.create_workshop(spec)
        data = render(summarize(store, SLUG), "xlsx", lang=lang)
    return openpyxl.load_workbook(io.BytesIO(data))


def test_every_sheet_prints_a4_landscape_one_page_wide_with_its_header(tmp_path: Path) -> None:
    book = _workbook(tmp_path)
    assert len(book.worksheets) >= 5
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9), sheet.title
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title


def test_multi_line_and_long_texts_wrap(tmp_path: Path) -> None:
    backlog = _workbook(tmp_path, "en").worksheets[0]
    cells = {c.value: c for row in backlog.iter_rows() for c in row if isinstance(c.value, str)}

    assert cells[TWO_LINES].alignment.wrap_text
    assert cells[LONG].alignment.wrap_text
    short = next(c for v, c in cells.items() if v == "chat")  # an id: short, one line
    assert not short.alignment.wrap_text
    widths = [d.width for d in backlog.column_dimensions.values() if d.width]
    assert widths and max(widths) <= 60


#: A4 landscape in PDF points (297 × 210 mm).
A4_LANDSCAPE = (842, 595)


def test_calc_prints_the_demo_backlog_on_one_landscape_page(
    demo: DemoResult, tmp_path: Path
) -> None:
    """LibreOffice Calc prints (to PDF) the demo's 12-issue backlog, and its charter, on one
    A4 landscape page each (eleven portrait pages before), and every page of the whole
    workbook is A4 landscape."""
    with Store.open(demo.path) as store:
        workbook = tmp_path / "book.xlsx"
        workbook.write_bytes(render(summarize(store, demo.slug), "xlsx", lang="ja"))
    for n, keep in enumerate(("優先順位", "決め方（憲章）")):
        one_sheet = openpyxl.load_workbook(workbook)
        for name in one_sheet.sheetnames:
            if name != keep:
                del one_sheet[name]
        path = tmp_path / f"sheet-{n}.xlsx"
        one_sheet.save(path)
        pages, sizes = pdf_pages(calc_convert(path, "pdf", tmp_path / "pdf"))
        assert (pages, sizes) == (1, {A4_LANDSCAPE}), keep
    pages, sizes = pdf_pages(calc_convert(workbook, "pdf", tmp_path / "pdf"))
    assert pages > 2 and sizes == {A4_LANDSCAPE}
