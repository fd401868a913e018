"""Privacy in every format: hidden results stay out until close; a group of 4 never shows."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest

from tests.export.conftest import SLUG, scored_workshop
from toolkit.export import FORMATS, ExportError, export
from toolkit.store import Store

BALLOT_TITLE = "どれを先にやる？"


def _town_results_shown(fmt: str, data: bytes) -> bool:
    """Whether the town ballot's results (tally or ballots) can be read in ``data``."""
    if fmt == "csv":
        header = data.decode("utf-8-sig").splitlines()[0]
        return f"投票: {BALLOT_TITLE}" in header
    if fmt == "json":
        [ballot] = json.loads(data)["summary"]["ballots"]
        return ballot["tally"] is not None or ballot["payloads"] is not None
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        votes = [r for r in book["投票結果"].iter_rows(values_only=True) if r[0] == BALLOT_TITLE]
        papers = [r for r in book["投票用紙（匿名）"].iter_rows(values_only=True)]
        return len(votes) > 1 or len(papers) > 1
    if fmt == "html":
        section = data.decode("utf-8").split('id="town_meeting"')[1].split("</section>")[0]
        return "<table>" in section
    if fmt == "md":
        return BALLOT_TITLE in data.decode("utf-8")
    return False  # png, svg: the charts draw the ranking only


@pytest.fixture
def hidden_vote(empty_store: Store) -> Store:
    """Six staff and four business people scored; three voted on a hidden town ballot."""
    tokens = scored_workshop(empty_store, {"staff": 6, "business": 4})
    empty_store.open_ballot(SLUG, "town")
    for token in tokens[:3]:
        empty_store.cast_vote(SLUG, "town", token, ["chat"])
    return empty_store


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "pb"], ids=str)
def test_hidden_ballot_absent_until_close(hidden_vote: Store, fmt: str) -> None:
    assert not _town_results_shown(fmt, export(hidden_vote, SLUG, fmt))
    hidden_vote.close_ballot(SLUG, "town")
    shown = _town_results_shown(fmt, export(hidden_vote, SLUG, fmt))
    assert shown is (fmt in ("csv", "json", "xlsx", "html"))


def test_pabulib_refuses_a_hidden_ballot_then_writes_it(hidden_vote: Store) -> None:
    with pytest.raises(ExportError, match="No ballot with visible results"):
        export(hidden_vote, SLUG, "pb")
    with pytest.raises(ExportError, match="hidden until it closes"):
        export(hidden_vote, SLUG, "pb", ballot="town")
    hidden_vote.release_results(SLUG, "town")  # released early: now it may leave the room
    assert "num_votes;3" in export(hidden_vote, SLUG, "pb").decode("utf-8")


def test_a_group_of_four_is_never_broken_out(hidden_vote: Store) -> None:
    document: dict[str, Any] = json.loads(export(hidden_vote, SLUG, "json"))
    summary = document["summary"]
    assert summary["by_group"]["business"] == {"raters": None, "suppressed": True, "ranking": []}
    assert summary["by_group"]["staff"]["raters"] == 6
    assert set(summary["scores"]["rater_groups"]) == {None}
    assert "business" not in json.dumps(summary["scores"])
    report = export(hidden_vote, SLUG, "html").decode("utf-8")
    groups = report.split('id="categories"')[1].split("</section>")[0]
    assert "<td>事業者</td><td>5 人未満のため表示しません</td><td></td>" in groups
    assert "<td>職員</td><td>6 人</td>" in groups
    book = openpyxl.load_workbook(io.BytesIO(export(hidden_vote, SLUG, "xlsx")))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert "business" not in json.dumps(row, default=str, ensure_ascii=False), sheet.title
    for fmt in ("csv", "md"):
        assert "business" not in export(hidden_vote, SLUG, fmt).decode("utf-8-sig")
