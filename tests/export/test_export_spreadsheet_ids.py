"""Number-like issue ids survive a spreadsheet (issue 17, item 8).

LibreOffice Calc (the real program, headless) opens the backlog CSV and XLSX as a member of
staff would, saves them as CSV and XLSX, and ``import_issues`` reads what it saved: the ids
``001``, ``1e3``, ``4-1``, ``2026-04`` and ``may-5`` must come back as written. A control
shows what Calc does to such ids written plainly (001 → 1, 1e3 → 1000), so the test proves
the mechanism, not an assumption about it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.export.calc import CSV_UTF8, SAVE_CSV_UTF8, calc_convert
from tests.workshop_data import small_workshop
from toolkit.export import render
from toolkit.export.csv_export import write_csv
from toolkit.export.imports import import_issues
from toolkit.store import Store
from toolkit.summary import summarize

SOURCE, TARGET = "ids", "ids-copy"
NUMBER_LIKE = ["001", "1e3", "4-1", "2026-04", "may-5", "0042"]
PLAIN = ["chat-tool", "e-shinsei"]


def _spec(slug: str, *, with_issues: bool) -> dict[str, Any]:
    spec = small_workshop(slug)
    spec.pop("town_meeting")
    spec["issues"] = (
        [
            {"id": key, "title": f"課題 {key}", "description": f"{key} の説明"}
            for key in NUMBER_LIKE + PLAIN
        ]
        if with_issues
        else []
    )
    return spec


@pytest.fixture
def id_store(tmp_path: Path) -> Any:
    opened = Store.open(tmp_path / "ureshii.sqlite")
    try:
        opened.create_workshop(_spec(SOURCE, with_issues=True))
        yield opened
    finally:
        opened.close()


def _imported_ids(store: Store, path: Path) -> dict[str, tuple[str, str]]:
    store.create_workshop(_spec(TARGET, with_issues=False))
    import_issues(store, TARGET, path)
    return {i.key: (i.title, i.description) for i in store.issues(TARGET)}


EXPECTED = {key: (f"課題 {key}", f"{key} の説明") for key in NUMBER_LIKE + PLAIN}


def test_the_csv_writes_number_like_ids_as_text_formulas(id_store: Store) -> None:
    data = render(summarize(id_store, SOURCE), "csv", lang="ja")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    ids = {row[1] for row in rows[1:]}
    assert ids == {f'="{key}"' for key in NUMBER_LIKE} | set(PLAIN)


def test_calc_turns_plain_number_like_ids_into_numbers(tmp_path: Path) -> None:
    """The control: what happens to ids written plainly (Ureshii before this fix)."""
    plain = tmp_path / "plain.csv"
    plain.write_bytes(write_csv(["ID"], [[key] for key in NUMBER_LIKE], "utf-8-sig"))
    saved = calc_convert(plain, "xlsx", tmp_path / "calc", infilter=CSV_UTF8)
    sheet = openpyxl.load_workbook(saved, data_only=True).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values[:2] == [1, 1000]  # 001 and 1e3 are numbers now: the ids are gone


@pytest.mark.parametrize("saved_as", ["csv", "xlsx"])
def test_ids_survive_calc_opening_the_csv_and_saving_it(
    id_store: Store, tmp_path: Path, saved_as: str
) -> None:
    exported = tmp_path / "backlog.csv"
    exported.write_bytes(render(summarize(id_store, SOURCE), "csv", lang="ja"))
    target = SAVE_CSV_UTF8 if saved_as == "csv" else "xlsx"
    saved = calc_convert(exported, target, tmp_path / "calc", infilter=CSV_UTF8)
    if saved_as == "csv":  # what Calc wrote: the ids as text, no formula left
        text = saved.read_text(encoding="utf-8")
        assert "001" in text and '="' not in text
    assert _imported_ids(id_store, saved) == EXPECTED


def test_ids_survive_calc_opening_the_xlsx_and_saving_it(id_store: Store, tmp_path: Path) -> None:
    exported = tmp_path / "backlog.xlsx"
    exported.write_bytes(render(summarize(id_store, SOURCE), "xlsx", lang="en"))
    sheet = openpyxl.load_workbook(exported).worksheets[0]
    id_cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in id_cells} == set(NUMBER_LIKE + PLAIN)
    # Text cells with the Text format (@): typing into one in Excel keeps 001 as 001.
    assert {(c.data_type, c.number_format) for c in id_cells} == {("s", "@")}
    saved = calc_convert(exported, "xlsx", tmp_path / "calc")
    assert _imported_ids(id_store, saved) == EXPECTED


def test_the_csv_imports_directly_too(id_store: Store, tmp_path: Path) -> None:
    exported = tmp_path / "backlog.csv"
    exported.write_bytes(render(summarize(id_store, SOURCE), "csv", lang="en"))
    assert _imported_ids(id_store, exported) == EXPECTED
