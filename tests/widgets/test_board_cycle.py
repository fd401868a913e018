"""The projector board of a workshop that continues a previous one (issue 18, item 4): the
"since the last cycle" panel shows the small wins at the opening and how the ranking moved
under the results; a workshop that continues none shows no such panel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import ipywidgets
import pytest

from tests.test_cycles import NEXT, SLUG, _previous_cycle, _score_next_cycle
from toolkit.i18n import t
from toolkit.store import Store
from widgets.board import ProjectorBoard
from widgets.context import AppContext
from widgets.live import LiveFeed


@pytest.fixture
def cycled_store(tmp_path: Path) -> Iterator[Store]:
    """The scored small workshop with its follow-up year, and its next cycle started."""
    with Store.open(tmp_path / "cycle.sqlite") as store:
        _previous_cycle(store)
        store.start_next_cycle(SLUG, NEXT)
        yield store


def _board(store: Store, slug: str, lang: str) -> tuple[ProjectorBoard, LiveFeed]:
    feed = LiveFeed(store, slug)
    return ProjectorBoard(AppContext.for_store(store, slug, lang), feed), feed


def _panel(board: ProjectorBoard) -> ipywidgets.HTML | None:
    found = [
        part
        for part in board.panel.children
        if isinstance(part, ipywidgets.HTML) and "ureshii-cycle" in part.value
    ]
    return found[0] if found else None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_opening_of_the_next_cycle_shows_its_small_wins(cycled_store: Store, lang: str) -> None:
    board, _ = _board(cycled_store, NEXT, lang)
    assert board.phase == "happiness"
    panel = _panel(board)
    assert panel is not None and board.panel.children[0] is panel  # first, at the opening
    assert t("cycle_since_title", lang) in panel.value
    assert t("cycle_wins_title", lang) in panel.value
    assert "<li>電子申請の割合 10 → 55 %</li>" in panel.value
    assert "窓口待ち時間" not in panel.value  # 28 minutes: not achieved
    # The new cycle is not ranked yet: no moves to show.
    assert t("cycle_moves_title", lang) not in panel.value


def test_the_results_show_how_the_ranking_moved(cycled_store: Store) -> None:
    board, feed = _board(cycled_store, NEXT, "en")
    _score_next_cycle(cycled_store)
    cycled_store.record_measurement(NEXT, "wait", 14, date(2026, 6, 1), entered_by="市民課")
    cycled_store.set_phase(NEXT, "results")
    feed.poll_once()
    assert board.phase == "results"
    panel = _panel(board)
    assert panel is not None and board.panel.children[-1] is panel  # under the ranking
    assert board.chart_views(), "the ranking chart is still drawn"
    assert "<li>窓口待ち時間 30 → 14 分</li>" in panel.value
    assert '<span class="ureshii-move" role="img" aria-label="up 2">↑2</span> 1. チャット' in (
        panel.value
    )
    assert (
        '<span class="ureshii-move" role="img" aria-label="new">new</span> 2. オンライン相談'
        in (panel.value)
    )
    assert 'aria-label="down 2">↓2</span> 3. 3レス' in panel.value
    # Issues no longer ranked are in the report, not on the board.
    assert "窓口の混雑緩和" not in panel.value

    # Between the two, the board shows no panel.
    cycled_store.set_phase(NEXT, "vision")
    feed.poll_once()
    assert _panel(board) is None


def test_a_workshop_that_continues_none_has_no_such_panel(cycled_store: Store) -> None:
    board, _ = _board(cycled_store, SLUG, "ja")
    assert board.summary["previous_cycle"] is None
    assert _panel(board) is None
    assert t("cycle_since_title", "ja") not in board.text
