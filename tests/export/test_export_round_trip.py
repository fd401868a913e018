"""The backlog goes out and comes back: CSV → ``import_issues`` → CSV gives the same issues,
descriptions included (issue 17, item 1), in Japanese and in English; the XLSX, Markdown
and HTML exports show each issue's description too."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from markdown_it import MarkdownIt

from tests.workshop_data import small_workshop
from toolkit.export import render
from toolkit.export.imports import import_issues
from toolkit.store import Store
from toolkit.summary import summarize

SOURCE, TARGET = "tsuru-dx", "tsuru-dx-copy"
#: Japanese text, a comma, a line break, markup that must stay text.
DESCRIPTIONS = {
    "madoguchi-konzatsu": "月曜の朝は1時間待ち。\n番号札, 呼び出し表示を見直す",
    "sanres": "紙・FAX・はんこを、まとめて減らす。\r\n2行目: <b>太字ではない</b> | 縦棒",
    "chat": "",
}
YEARS = {"madoguchi-konzatsu": 2027, "sanres": 2028}


def _spec(slug: str, *, with_issues: bool) -> dict[str, Any]:
    spec = small_workshop(slug)
    if not with_issues:
        spec["issues"] = []
        spec.pop("town_meeting")
        return spec
    for issue in spec["issues"]:
        issue["description"] = DESCRIPTIONS[issue["id"]]
        if issue["id"] in YEARS:
            issue["year"] = YEARS[issue["id"]]
    spec["issues"][1]["stakeholders"] = ["kosodate", "madoguchi"]  # a list of two
    return spec


@pytest.fixture
def described_store(tmp_path: Path) -> Any:
    """A real SQLite store file holding the small workshop, descriptions filled in."""
    opened = Store.open(tmp_path / "ureshii.sqlite")
    try:
        opened.create_workshop(_spec(SOURCE, with_issues=True))
        yield opened
    finally:
        opened.close()


def _issues(store: Store, slug: str) -> dict[str, tuple[Any, ...]]:
    return {
        i.key: (i.title, i.description, i.cost, i.year, i.themes, i.stakeholders)
        for i in store.issues(slug)
    }


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_csv_import_export_round_trip_keeps_every_issue(
    described_store: Store, tmp_path: Path, lang: str
) -> None:
    first = render(summarize(described_store, SOURCE), "csv", lang=lang)
    header = _rows(first)[0]
    assert header[3] == {"ja": "説明", "en": "Description"}[lang]  # right after the title
    path = tmp_path / f"backlog-{lang}.csv"
    path.write_bytes(first)

    described_store.create_workshop(_spec(TARGET, with_issues=False))
    result = import_issues(described_store, TARGET, path)

    assert len(result.keys) == 3
    original = _issues(described_store, SOURCE)
    copy = _issues(described_store, TARGET)
    assert copy == original
    # The descriptions are really there: Japanese text, the comma, the line break.
    assert copy["madoguchi-konzatsu"][1] == DESCRIPTIONS["madoguchi-konzatsu"]
    assert "番号札, 呼び出し表示" in copy["madoguchi-konzatsu"][1]
    # Exported again, the issues read the same, cell for cell.
    second = render(summarize(described_store, TARGET), "csv", lang=lang)
    assert _rows(second) == _rows(first)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_xlsx_import_gives_back_the_same_issues(
    described_store: Store, tmp_path: Path, lang: str
) -> None:
    path = tmp_path / f"backlog-{lang}.xlsx"
    path.write_bytes(render(summarize(described_store, SOURCE), "xlsx", lang=lang))
    described_store.create_workshop(_spec(TARGET, with_issues=False))
    import_issues(described_store, TARGET, path)  # the first sheet is the backlog
    assert _issues(described_store, TARGET) == _issues(described_store, SOURCE)


def test_xlsx_backlog_has_the_description_after_the_title(described_store: Store) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(summarize(described_store, SOURCE), "xlsx")))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2:4] == ("課題", "説明")
    cells = {row[1]: row[3] for row in rows[1:]}
    assert cells["madoguchi-konzatsu"] == DESCRIPTIONS["madoguchi-konzatsu"]
    assert "番号札, 呼び出し表示" in cells["madoguchi-konzatsu"]
    assert cells["chat"] is None  # no description: an empty cell


def _scored(store: Store) -> None:
    """The source workshop with a locked charter and one rater, so there is a ranking."""
    token = store.join(SOURCE)
    store.propose_charter(
        SOURCE, method="weighted_sum", weights={"resident": 50, "staff": 30, "cost": 20}
    )
    store.record_consent(SOURCE, token, 5)
    store.lock_charter(SOURCE)
    store.record_scores(
        SOURCE,
        token,
        {(issue, crit): 3 for issue in DESCRIPTIONS for crit in ("resident", "staff", "cost")},
    )


def _text(tokens: list[Any]) -> str:
    return "".join(t.content for t in tokens if t.type == "inline")


def test_markdown_ranking_shows_descriptions_as_text(described_store: Store) -> None:
    _scored(described_store)
    document = render(summarize(described_store, SOURCE), "md").decode("utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(document)
    cells = [t.content for t in tokens if t.type == "inline"]
    assert "説明" in cells
    # One cell per description: the comma does not split it, the pipe is escaped, the
    # line break is a <br>, and the <b> stays text (escaped), never markup.
    assert "月曜の朝は1時間待ち。<br>番号札, 呼び出し表示を見直す" in cells
    sanres = [c for c in cells if c.startswith("紙・FAX")]
    assert sanres == [
        "紙・FAX・はんこを、まとめて減らす。<br>2行目: &lt;b&gt;太字ではない&lt;/b&gt; | 縦棒"
    ]
    rendered = MarkdownIt("commonmark").enable("table").render(document)
    assert "<b>太字ではない" not in rendered


def test_html_ranking_shows_descriptions(described_store: Store) -> None:
    _scored(described_store)
    report = render(summarize(described_store, SOURCE), "html", lang="en").decode("utf-8")
    assert '<th scope="col">Description</th>' in report
    assert "<td>月曜の朝は1時間待ち。\n番号札, 呼び出し表示を見直す</td>" in report
    assert "&lt;b&gt;太字ではない&lt;/b&gt; | 縦棒" in report
    assert "<b>太字ではない" not in report


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_names_with_commas_come_back_whole(tmp_path: Path, lang: str) -> None:
    """Issue 17, item 2: a theme or stakeholder whose name holds a list separator (the stock
    English theme "No waiting, no trip to city hall", 「子育て、共働き世帯」) was split into
    two unknown names, and the import refused the whole file."""

    def spec(slug: str, *, with_issues: bool) -> dict[str, Any]:
        made = _spec(slug, with_issues=with_issues)
        made["themes"] = [
            {"id": "matanai", "name": "No waiting, no trip to city hall"},
            {"id": "paperless", "name": "Paperless; and | more"},
        ]
        made["stakeholders"][0]["name"] = "子育て、共働き世帯"
        for issue in made["issues"]:
            issue["themes"] = ["matanai", "paperless"]
            issue["stakeholders"] = ["kosodate", "madoguchi"]
        return made

    with Store.open(tmp_path / "names.sqlite") as store:
        store.create_workshop(spec(SOURCE, with_issues=True))
        path = tmp_path / f"backlog-{lang}.csv"
        path.write_bytes(render(summarize(store, SOURCE), "csv", lang=lang))
        store.create_workshop(spec(TARGET, with_issues=False))

        import_issues(store, TARGET, path)

        copy = _issues(store, TARGET)
        assert copy == _issues(store, SOURCE)
        assert {v[4] for v in copy.values()} == {("matanai", "paperless")}
        assert {v[5] for v in copy.values()} == {("kosodate", "madoguchi")}
