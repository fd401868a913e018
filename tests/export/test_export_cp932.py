"""CP932 (Shift_JIS) CSV for older Excel: look-alikes for common characters, every cell that
still cannot be written named in one message, the UTF-8 (BOM) export as the way out.

The bytes are decoded as Windows would read them: ``bytes.decode("cp932", errors="strict")``.
"""

from __future__ import annotations

import copy
import csv
import io
import pickle
from typing import Any

import pytest

from toolkit.export.csv_export import (
    MAX_REPORTED_CELLS,
    CP932UnencodableError,
    render_csv,
    write_csv,
)


def _rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding, errors="strict"), newline="")))


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("会費 ¥3,000", "会費 ￥3,000"),
        ("窓口\u00a0予約", "窓口 予約"),
        ("• 予約 • 相談", "・ 予約 ・ 相談"),
        ("© 2026 鶴見市", "(C) 2026 鶴見市"),
        ("LINE™ 連携", "LINE(TM) 連携"),
        ("第Ⅺ期計画", "第XI期計画"),
        ("㋿8年度", "令和8年度"),
        ("¢ £ ¬ 〜 −", "￠ ￡ ￢ ～ －"),
    ],
    ids=["yen", "nbsp", "bullet", "copyright", "trade-mark", "roman-11", "reiwa", "older"],
)
def test_common_characters_come_out_as_their_cp932_look_alikes(written: str, read: str) -> None:
    data = write_csv(["課題"], [[written]], "cp932")
    assert _rows(data, "cp932") == [["課題"], [read]]


def test_look_alikes_are_real_cp932_characters() -> None:
    data = write_csv(["課題"], [["¥ • ©"]], "cp932")
    # ￥ is 0x818F and ・ is 0x8145 in CP932; the yen sign is not written as 0x5C (a backslash)
    assert b"\x81\x8f \x81\x45 (C)" in data
    assert b"\\" not in data


def test_characters_cp932_already_has_are_written_unchanged() -> None:
    kept = "Ⅰ Ⅹ ① ℃ № ㍻ ・ ～ ￥ 髙"
    assert _rows(write_csv(["x"], [[kept]], "cp932"), "cp932")[1] == [kept]


def _summary_with(demo_summary: dict[str, Any], titles: dict[int, str]) -> dict[str, Any]:
    """The demo summary with the titles of some ranked issues (by rank index) replaced."""
    summary = copy.deepcopy(demo_summary)
    issues = {i["key"]: i for i in summary["issues"]}
    for index, title in titles.items():
        issues[summary["ranking"][index]["key"]]["title"] = title
    return summary


def test_every_cell_cp932_cannot_write_is_named_in_one_message(
    demo_summary: dict[str, Any],
) -> None:
    summary = _summary_with(demo_summary, {0: "𠮷田さんの提案", 2: "笑顔で窓口😀"})
    with pytest.raises(CP932UnencodableError) as caught:
        render_csv(summary, lang="ja", encoding="cp932")
    error = caught.value
    # Row 1 is the header: the first ranked issue is row 2, the third is row 4.
    assert error.cells == [(2, "課題", "𠮷"), (4, "課題", "😀")]
    ja = error.message("ja")
    assert "CP932（Shift_JIS）で書けない文字を含むセルが 2 個あります" in ja
    assert "2行目、課題列: '𠮷'（U+20BB7）" in ja
    assert "4行目、課題列: '😀'（U+1F600）" in ja
    assert "BOM 付き UTF-8" in ja
    en = error.message("en")
    assert "2 cell(s) contain characters that CP932 (Shift_JIS) cannot write" in en
    assert "row 2, column 課題: '𠮷' (U+20BB7)" in en
    assert "row 4, column 課題: '😀' (U+1F600)" in en
    assert "UTF-8 with BOM" in en
    # The same rows export in UTF-8 (with BOM), every character intact.
    back = _rows(render_csv(summary, lang="ja", encoding="utf-8-sig"), "utf-8-sig")
    titles = [row[back[0].index("課題")] for row in back[1:]]
    assert titles[0] == "𠮷田さんの提案"
    assert titles[2] == "笑顔で窓口😀"


def test_a_cell_lists_each_missing_character_once() -> None:
    with pytest.raises(CP932UnencodableError) as caught:
        write_csv(["課題", "メモ"], [["¥100", "😀𠮷😀 ©"]], "cp932")
    assert caught.value.cells == [(2, "メモ", "😀𠮷")]
    assert "row 2, column メモ: '😀' (U+1F600), '𠮷' (U+20BB7)" in caught.value.message("en")
    assert "2行目、メモ列: '😀'（U+1F600）、'𠮷'（U+20BB7）" in caught.value.message("ja")


def test_a_long_list_is_bounded_with_a_count_of_the_rest() -> None:
    rows = [[f"課題{n}😀"] for n in range(MAX_REPORTED_CELLS + 5)]
    with pytest.raises(CP932UnencodableError) as caught:
        write_csv(["課題"], rows, "cp932")
    en = caught.value.message("en")
    assert f"row {MAX_REPORTED_CELLS + 1}, column 課題" in en
    assert f"row {MAX_REPORTED_CELLS + 2}, column" not in en
    assert "… and 5 more cell(s)" in en
    assert "…ほか 5 個のセル" in caught.value.message("ja")
    assert len(caught.value.cells) == MAX_REPORTED_CELLS + 5


def test_the_error_survives_a_trip_between_processes() -> None:
    with pytest.raises(CP932UnencodableError) as caught:
        write_csv(["課題"], [["😀"]], "cp932")
    back = pickle.loads(pickle.dumps(caught.value))
    assert back.messages == caught.value.messages
    assert str(back) == str(caught.value)
