"""The table app's issues: add an issue with its links; rate current vs ideal (the gap)."""

from __future__ import annotations

import pytest

from toolkit.store import Store
from widgets.context import AppContext
from widgets.issues import IssueLinker
from widgets.live import LiveFeed

SLUG = "tsuru-dx"


def linker(store: Store, lang: str = "en", feed: LiveFeed | None = None) -> IssueLinker:
    return IssueLinker(AppContext.for_store(store, SLUG, lang), feed)


def test_the_list_shows_links_and_gap(small_workshop_store: Store) -> None:
    panel = linker(small_workshop_store)
    listing = panel.listing.value
    assert "窓口の混雑緩和" in listing and "待たずに済む" in listing and "子育て世帯" in listing
    assert "+3" in listing  # current 2, ideal 5


def test_the_links_of_an_issue_on_the_list_can_be_changed(small_workshop_store: Store) -> None:
    panel = linker(small_workshop_store)
    panel.issue.value = "madoguchi-konzatsu"
    assert panel.edit_themes.value == ("matanai",)  # its current links are preselected
    panel.edit_stakeholders.value = ("kosodate", "madoguchi")
    panel.links_button.click()
    issue = next(i for i in small_workshop_store.issues(SLUG) if i.key == "madoguchi-konzatsu")
    assert issue.stakeholders == ("kosodate", "madoguchi") and issue.themes == ("matanai",)
    assert "Saved the links" in panel.message.value and "窓口職員" in panel.listing.value


def test_a_new_issue_is_added_with_the_happiness_it_serves(small_workshop_store: Store) -> None:
    panel = linker(small_workshop_store)
    panel.title.value = "公用車運転日報の電子化"
    panel.description.value = "紙の日報をやめる"
    panel.link_themes.value = ("matanai",)
    panel.link_stakeholders.value = ("madoguchi", "kosodate")
    panel.add_button.click()
    added = next(
        i for i in small_workshop_store.issues(SLUG) if i.title == "公用車運転日報の電子化"
    )
    assert added.themes == ("matanai",)
    assert set(added.stakeholders) == {"madoguchi", "kosodate"}
    assert added.description == "紙の日報をやめる"
    assert "Added issue “公用車運転日報の電子化”" in panel.message.value
    assert panel.title.value == "" and panel.link_themes.value == ()
    assert panel.issue.value == added.key  # ready to rate it


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ja", "課題名 を入力してください。"), ("en", "Title must not be empty.")],
    ids=["ja", "en"],
)
def test_an_issue_without_a_title_is_refused(
    small_workshop_store: Store, lang: str, expected: str
) -> None:
    panel = linker(small_workshop_store, lang)
    panel.link_themes.value = ("matanai",)
    panel.add_button.click()
    assert expected in panel.message.value
    assert len(small_workshop_store.issues(SLUG)) == 3


def test_rating_current_and_ideal_updates_the_store_and_shows_the_gap(
    small_workshop_store: Store,
) -> None:
    panel = linker(small_workshop_store)
    panel.rate_button.click()
    assert "Choose an issue first" in panel.message.value
    panel.issue.value = "madoguchi-konzatsu"
    assert (panel.current.value, panel.ideal.value) == (2, 5)  # as stored
    assert "Gap (ideal − current): +3" in panel.gap.value
    panel.issue.value = "sanres"
    assert (panel.current.value, panel.ideal.value) == (0, 0)  # not rated yet
    assert "rate both states" in panel.gap.value
    panel.current.value = 1
    panel.ideal.value = 4
    assert "+3" in panel.gap.value
    panel.rate_button.click()
    sanres = next(i for i in small_workshop_store.issues(SLUG) if i.key == "sanres")
    assert (sanres.current, sanres.ideal, sanres.gap) == (1, 4, 3)
    assert "now 1, ideal 4" in panel.message.value
    panel.ideal.value = 0  # "not rated" clears a rating
    panel.rate_button.click()
    sanres = next(i for i in small_workshop_store.issues(SLUG) if i.key == "sanres")
    assert (sanres.current, sanres.ideal) == (1, None)


def test_the_rating_scale_is_labelled_in_both_languages(small_workshop_store: Store) -> None:
    ja, en = linker(small_workshop_store, "ja"), linker(small_workshop_store, "en")
    assert [label for label, _ in ja.current.options][1] == "1 — とても不十分"
    assert [label for label, _ in en.ideal.options][5] == "5 — excellent"
    assert ja.current.description == "現状" and en.ideal.description == "Ideal state"


def test_another_screen_rating_the_shown_issue_updates_it_after_a_poll(
    small_workshop_store: Store,
) -> None:
    feed = LiveFeed(small_workshop_store, SLUG)
    panel = linker(small_workshop_store, feed=feed)
    panel.issue.value = "chat"
    small_workshop_store.add_issue(SLUG, "双方向のSNS広報", themes=["matanai"])
    feed.poll_once()
    assert "双方向のSNS広報" in panel.listing.value
    assert "双方向のSNS広報" in [label for label, _ in panel.issue.options]
    panel.current.value = 2  # someone is choosing: an unrelated event keeps their choice
    small_workshop_store.add_theme(SLUG, "届く")
    feed.poll_once()
    assert panel.current.value == 2
    small_workshop_store.rate_issue(SLUG, "chat", current=3, ideal=4)
    feed.poll_once()
    assert (panel.current.value, panel.ideal.value) == (3, 4)
    assert "届く" in [label for label, _ in panel.link_themes.options]
