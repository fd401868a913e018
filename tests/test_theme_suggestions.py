"""Offline theme suggestions: sensible groups for Japanese and English cards, deterministic."""

from __future__ import annotations

import pytest

from toolkit.theme_suggestions import features, suggest_theme_for, suggest_themes

WAITING_JA = ["待たずに済む", "窓口で待たない", "待ち時間がない"]
PAPER_JA = ["FAX をなくす", "紙の申請をなくす"]


def groups(cards: list[str]) -> list[set[str]]:
    return [{cards[i] for i in s.cards} for s in suggest_themes(cards)]


def test_japanese_cards_without_spaces_are_grouped_by_meaningful_characters() -> None:
    cards = [WAITING_JA[0], PAPER_JA[0], WAITING_JA[1], PAPER_JA[1], WAITING_JA[2]]
    assert groups(cards) == [set(WAITING_JA), set(PAPER_JA)]


def test_a_realistic_table_of_japanese_cards() -> None:
    cards = [
        "窓口で待たずに済む",
        "待ち時間が短い",
        "窓口の待ち時間がなくなる",
        "子どもを連れて待たなくていい",
        "FAXをなくす",
        "押印をなくす",
        "お知らせが届く",
        "必要な情報が自分に届く",
        "観光の案内がわかりやすい",
    ]
    found = groups(cards)
    assert set(cards[:4]) in found
    assert {"お知らせが届く", "必要な情報が自分に届く"} in found
    assert all("観光の案内がわかりやすい" not in g for g in found)  # like no other card
    # no group mixes waiting with paperwork
    assert not any(g & set(cards[:4]) and g & {"FAXをなくす", "押印をなくす"} for g in found)


def test_english_cards_group_by_word_stems() -> None:
    cards = [
        "No waiting at the counter",
        "Stop using fax",
        "Shorter waiting times at city hall",
        "No more paper forms",
        "Wait less at the counter",
        "Apply without paper forms",
        "No faxes any more",
    ]
    found = groups(cards)
    assert {cards[0], cards[2], cards[4]} in found
    assert {cards[3], cards[5]} in found
    assert {cards[1], cards[6]} in found


def test_labels_are_short_shared_terms_and_the_representative_is_a_member() -> None:
    procedures = ["スマホで手続きが終わる", "手続きの進み具合がわかる"]
    suggestions = suggest_themes(WAITING_JA + PAPER_JA + procedures)
    by_cards = {s.cards: s for s in suggestions}
    waiting = by_cards[(0, 1, 2)]
    assert "待" in waiting.label and len(waiting.label) <= 20
    assert waiting.representative in waiting.cards
    assert by_cards[(5, 6)].label == "手続き"  # overlapping bigrams joined into one term
    english = suggest_themes(["Paper forms again", "No paper forms"])
    assert set(english[0].terms) == {"form", "paper"}


def test_the_same_cards_always_give_the_same_suggestions() -> None:
    cards = WAITING_JA + PAPER_JA + ["お知らせが届く", "情報が届く", "相談できる人がいる"]
    first = suggest_themes(cards)
    assert all(suggest_themes(list(cards)) == first for _ in range(3))


@pytest.mark.parametrize(
    "cards", [[], ["一枚だけのカード"], ["", "  "]], ids=["empty", "one-card", "blank-cards"]
)
def test_nothing_to_group_gives_no_suggestion(cards: list[str]) -> None:
    assert suggest_themes(cards) == []


def test_max_themes_keeps_the_largest_groups() -> None:
    cards = WAITING_JA + PAPER_JA
    only = suggest_themes(cards, max_themes=1)
    assert [s.cards for s in only] == [(0, 1, 2)]
    assert suggest_themes(cards, max_themes=0) == []


def test_cards_like_an_existing_theme_are_suggested_for_that_theme() -> None:
    existing = {"matanai": ["待たずに済む"], "sanres": ["FAXをなくす"]}
    suggestions = suggest_themes(
        ["窓口で待たない", "待ち時間がない", "押印をなくす", "観光情報"], existing=existing
    )
    by_theme = {s.theme: s.cards for s in suggestions}
    assert by_theme["matanai"] == (0, 1)
    assert by_theme["sanres"] == (2,)  # a single card may join an existing theme
    assert all(3 not in s.cards for s in suggestions)


def test_suggest_theme_for_picks_the_closest_theme_or_none() -> None:
    themes = {"matanai": WAITING_JA, "sanres": PAPER_JA}
    assert suggest_theme_for("窓口で待ちたくない", themes) == "matanai"
    assert suggest_theme_for("はんこをなくす", themes) == "sanres"
    assert suggest_theme_for("観光案内", themes) is None
    assert suggest_theme_for("", themes) is None
    assert suggest_theme_for("待たない", {}) is None
    assert suggest_theme_for("No more faxes", {1: ["Stop using fax"], 2: ["wait less"]}) == 1


def test_features_treat_kanji_kana_and_words() -> None:
    assert {"窓口", "待", "待た"} <= set(features("窓口で待たない"))
    assert "ファックス" in features("ファックスをやめる")
    assert set(features("Waiting for the forms")) == {"wait", "form"}
    assert features("ＦＡＸ") == features("fax")  # full-width letters normalised
