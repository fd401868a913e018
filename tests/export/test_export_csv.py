"""CSV for Japanese Excel: BOM or CP932, read back with pandas, formula cells neutralised."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.export.conftest import SLUG, scored_workshop
from toolkit.export import ExportError, export
from toolkit.export.csv_export import FORMULA_PREFIXES, neutralise, render_csv, write_csv
from toolkit.store import Store
from toolkit.summary import summarize

# Hiragana, katakana, common kanji, full-width forms and ASCII: what Japanese cells hold.
JAPANESE = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
        st.sampled_from(list("=+-@\t\r\n\",; 'abcXYZ0123〜−・、。")),
    ),
    max_size=30,
)


def _rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_utf8_with_bom_reads_back_as_the_summary(demo_summary: dict[str, Any]) -> None:
    data = render_csv(demo_summary)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to see UTF-8
    assert b"\r\n" in data
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    ranking = demo_summary["ranking"]
    assert list(frame["順位"]) == [r["rank"] for r in ranking]
    assert list(frame["ID"]) == [r["key"] for r in ranking]
    assert list(frame["課題"]) == [r["title"] for r in ranking]
    assert list(frame["スコア（0〜1）"]) == [r["score"] for r in ranking]
    divides = ["はい" if r["divides_group"] else "いいえ" for r in ranking]
    assert list(frame["意見が割れている"]) == divides
    # the method travels with every row
    assert set(frame["決め方"]) == {"重みづけ評価（加重和）"}
    assert set(frame["憲章の版"]) == {demo_summary["charter"]["version"]}
    weights = frame["住民のうれしさ（0〜1）"]
    assert list(weights) == [r["criteria"]["resident-joy"] for r in ranking]


def test_english_headers_on_request(demo_summary: dict[str, Any]) -> None:
    frame = pd.read_csv(io.BytesIO(render_csv(demo_summary, lang="en")), encoding="utf-8-sig")
    assert list(frame.columns[:5]) == ["Rank", "ID", "Issue", "Description", "Score (0–1)"]
    assert frame["Divides the group"].isin(["yes", "no"]).all()


def test_cp932_for_older_excel_maps_the_wave_dash(demo_summary: dict[str, Any]) -> None:
    data = render_csv(demo_summary, encoding="cp932")
    frame = pd.read_csv(io.BytesIO(data), encoding="cp932")
    titles = list(frame["課題"])
    # 有害鳥獣捕獲〜集計: U+301C has no CP932 code; Windows writes the full-width tilde
    assert "有害鳥獣捕獲～集計フローの最適化" in titles
    assert len(titles) == len(demo_summary["ranking"])


def test_cp932_names_the_cell_it_cannot_write() -> None:
    with pytest.raises(ExportError, match=r"row 3, column 課題: '😀' \(U\+1F600\)"):
        write_csv(["課題"], [["窓口"], ["笑顔😀"]], "cp932")


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ExportError, match="utf-8-sig, cp932"):
        write_csv(["a"], [], "latin-1")


def test_formula_titles_are_neutralised_in_the_store_export(
    empty_store: Store, tmp_path: Any
) -> None:
    scored_workshop(empty_store, {"staff": 5})
    empty_store.add_issue(SLUG, '=HYPERLINK("http://evil.example","x")', key="evil")
    empty_store.add_issue(SLUG, "@SUM(A1)", key="at")
    empty_store.add_issue(SLUG, "-1+2", key="minus")
    out = tmp_path / "backlog.csv"
    export(empty_store, SLUG, "csv", out)
    rows = {row[1]: row for row in _rows(out.read_bytes(), "utf-8-sig")[1:]}
    assert rows["evil"][2] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows["at"][2] == "'@SUM(A1)"
    assert rows["minus"][2] == "'-1+2"
    assert rows["sanres"][4] == "0.75"  # numbers stay numbers


def test_negative_numbers_are_not_touched() -> None:
    [_, row] = _rows(write_csv(["gap"], [[-2]], "utf-8-sig"), "utf-8-sig")
    assert row == ["-2"]


@given(JAPANESE)
def test_neutralised_text_never_starts_a_formula(value: str) -> None:
    safe = neutralise(value)
    assert not safe.startswith(FORMULA_PREFIXES)
    assert safe == value or safe == "'" + value
    assert safe.endswith(value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(JAPANESE, min_size=1, max_size=4), min_size=1, max_size=5))
def test_any_japanese_table_round_trips_through_utf8_csv(rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    table = [r + [""] * (width - len(r)) for r in rows]
    header = [f"列{n}" for n in range(width)]
    back = _rows(write_csv(header, table, "utf-8-sig"), "utf-8-sig")
    assert back[0] == header
    assert back[1:] == [[neutralise(c) for c in r] for r in table]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet='あいうえお漢字テスト〜−=+@ab,"\n', max_size=12), min_size=1))
def test_cp932_round_trip_of_encodable_japanese(cells: list[str]) -> None:
    back = _rows(write_csv(["x"], [[c] for c in cells], "cp932"), "cp932")
    expected = [neutralise(c).replace("〜", "～").replace("−", "－") for c in cells]
    assert [r[0] for r in back[1:]] == expected


def test_summary_of_hidden_ballot_not_in_csv(empty_store: Store) -> None:
    tokens = scored_workshop(empty_store, {"staff": 5})
    empty_store.open_ballot(SLUG, "town")
    empty_store.cast_vote(SLUG, "town", tokens[0], ["chat"])
    header = _rows(render_csv(summarize(empty_store, SLUG)), "utf-8-sig")[0]
    assert not any(h.startswith("投票") for h in header)
    empty_store.close_ballot(SLUG, "town")
    header = _rows(render_csv(summarize(empty_store, SLUG)), "utf-8-sig")[0]
    assert "投票: どれを先にやる？" in header
