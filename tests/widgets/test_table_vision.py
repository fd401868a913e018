"""The table app's vision: drafts from the top themes, one consent answer per seat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.workshop_data import small_workshop
from toolkit.demo import build_demo
from toolkit.store import Store
from toolkit.summary import summarize
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.seats import TableSeats
from widgets.vision import VisionDraft

SLUG = "tsuru-dx"


@pytest.fixture
def themed_store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "vision.sqlite") as opened:
        opened.create_workshop(small_workshop(SLUG))
        opened.add_theme(SLUG, "紙がいらない", key="kami")
        yield opened


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    result = build_demo(tmp_path_factory.mktemp("demo"), lang="ja", seed=0)
    with Store.open(result.path) as opened:
        yield opened, result.slug


def make(store: Store, lang: str = "en") -> tuple[VisionDraft, TableSeats]:
    ctx = AppContext.for_store(store, SLUG, lang, table=1)
    seats = TableSeats(ctx)
    return VisionDraft(ctx, seats), seats


def test_a_draft_is_saved_with_the_chosen_themes_and_listed(themed_store: Store) -> None:
    draft, _ = make(themed_store)
    assert "No draft yet" in draft.versions.value
    assert "Save a draft first" in draft.consent_heading.value
    assert draft.level.layout.display == "none"
    draft.themes.value = ("matanai",)
    draft.text.value = "だれも待たされないまち"
    draft.save_button.click()
    (saved,) = themed_store.visions(SLUG)
    assert (saved.version, saved.text, saved.themes) == (1, "だれも待たされないまち", ("matanai",))
    assert "Saved draft v1" in draft.message.value
    draft.text.value = "だれも待たされず、紙もいらないまち"
    draft.themes.value = ("matanai", "kami")
    draft.save_button.click()
    assert [v.version for v in themed_store.visions(SLUG)] == [
        1,
        2,
    ]  # a new version, never overwritten
    listed = draft.versions.value
    assert listed.index("v2") < listed.index("v1")  # newest first
    assert "待たずに済む、紙がいらない" in listed
    assert "Consent check on draft v2" in draft.consent_heading.value


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ja", "ビジョン を入力してください。"), ("en", "Vision statement must not be empty.")],
    ids=["ja", "en"],
)
def test_an_empty_draft_shows_why_and_stores_nothing(
    themed_store: Store, lang: str, expected: str
) -> None:
    draft, _ = make(themed_store, lang)
    draft.text.value = "  "
    draft.save_button.click()
    assert expected in draft.message.value
    assert themed_store.visions(SLUG) == []


def test_each_seat_answers_the_consent_check_once(themed_store: Store) -> None:
    draft, seats = make(themed_store)
    draft.level.value = 4
    draft.consent_button.click()
    assert "Save a draft first" in draft.message.value
    draft.text.value = "だれも待たされないまち"
    draft.save_button.click()
    draft.level.value = 4
    draft.consent_button.click()
    assert "Choose your seat first" in draft.message.value
    seats.buttons.value = 1
    draft.consent_button.click()
    assert [c.level for c in themed_store.vision_consents(SLUG, 1)] == [4]
    assert "Seat 1: level 4 recorded for draft v1" in draft.message.value
    assert draft.level.value is None  # cleared for the next person
    draft.consent_button.click()
    assert "Choose a level from 0 to 5 first" in draft.message.value
    draft.level.value = 5
    draft.consent_button.click()  # seat 1 again
    assert "already answered the consent check for vision draft v1" in draft.message.value
    assert len(themed_store.vision_consents(SLUG, 1)) == 1
    seats.buttons.value = 2
    draft.level.value = 0
    draft.consent_button.click()
    assert sorted(c.level for c in themed_store.vision_consents(SLUG, 1)) == [0, 4]
    assert "Answers: 2; blocks: 1" in draft.consent_tally.value
    assert 'role="alert"' in draft.consent_tally.value and "blocks this draft" in (
        draft.consent_tally.value
    )


def test_the_levels_are_explained_in_both_languages(themed_store: Store) -> None:
    ja, _ = make(themed_store, "ja")
    en, _ = make(themed_store, "en")
    ja_labels = dict((value, label) for label, value in ja.level.options)
    en_labels = dict((value, label) for label, value in en.level.options)
    assert set(ja_labels) == set(en_labels) == set(range(6))
    assert "ブロック" in ja_labels[0] and "Block" in en_labels[0]
    assert [value for _, value in en.level.options] == [5, 4, 3, 2, 1, 0], "support first"
    assert "全面的に賛成" in ja_labels[5] and "Full support" in en_labels[5]


def test_a_new_draft_from_another_screen_appears_after_a_poll(themed_store: Store) -> None:
    ctx = AppContext.for_store(themed_store, SLUG, "en", table=1)
    feed = LiveFeed(themed_store, SLUG)
    draft = VisionDraft(ctx, TableSeats(ctx), feed)
    themed_store.draft_vision(SLUG, "別のテーブルの案", themes=["kami"])
    assert "別のテーブルの案" not in draft.versions.value
    feed.poll_once()
    assert "別のテーブルの案" in draft.versions.value
    assert draft.text.value == "別のテーブルの案"  # the next draft starts from the newest


def test_top_themes_come_from_the_summary_and_are_preselected(
    demo: tuple[Store, str],
) -> None:
    store, slug = demo
    draft = VisionDraft(
        AppContext.for_store(store, slug, "ja", table=1),
        TableSeats(AppContext.for_store(store, slug, "ja", table=1)),
    )
    ranked = [th["key"] for th in summarize(store, slug)["themes"]]
    assert [key for _, key in draft.themes.options] == ranked
    assert draft.themes.value == tuple(ranked[:3])
    names = [th["name"] for th in summarize(store, slug)["themes"]]
    assert draft.top.value.index(names[0]) < draft.top.value.index(names[1])
    assert "シール 25 枚" in draft.top.value  # dots from the closed theme dot vote
    assert "回答 24 人、ブロック 0 人" in draft.consent_tally.value
