"""The decisions behind tap-to-group (toolkit.grouping): which cards are offered, how many
each theme holds, which picked cards are still picked, which theme they resemble."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from toolkit.grouping import cards_to_group, resembled_theme, still_picked, theme_sizes
from toolkit.model import HappinessCard, Theme

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CARDS = [
    HappinessCard(1, "FAXをなくす", None, "kami", NOW),
    HappinessCard(2, "窓口で待ちたくない", None, None, NOW),
    HappinessCard(3, "はんこをなくす", None, None, NOW),
    HappinessCard(4, "観光案内", None, None, NOW),
]
THEMES = [Theme(1, "kami", "紙をなくす"), Theme(2, "matanai", "待たずに済む")]


@pytest.mark.parametrize(
    ("only_ungrouped", "ids"),
    [(True, [2, 3, 4]), (False, [1, 2, 3, 4])],
    ids=["ungrouped-only", "all"],
)
def test_cards_to_group(only_ungrouped: bool, ids: list[int]) -> None:
    assert [c.id for c in cards_to_group(CARDS, only_ungrouped=only_ungrouped)] == ids


def test_theme_sizes_list_every_theme_in_order() -> None:
    assert theme_sizes(CARDS, ["matanai", "kami"]) == {"matanai": 0, "kami": 1}


def test_a_card_no_longer_offered_is_no_longer_picked() -> None:
    offered = cards_to_group(CARDS, only_ungrouped=True)
    assert still_picked([4, 1, 2], offered) == [2, 4]


@pytest.mark.parametrize(
    ("picked", "theme"),
    [
        ([2], "matanai"),
        ([3], "kami"),
        ([4], None),
        ([2, 3], None),
        ([], None),
    ],
    ids=["waiting", "paper", "nothing-alike", "cards-disagree", "nothing-picked"],
)
def test_resembled_theme(picked: list[int], theme: str | None) -> None:
    assert resembled_theme(picked, CARDS, THEMES) == theme
