"""The table app's happiness map, without a browser: set traits as the front end would,
click, then assert on the store (and on what the widget shows)."""

from __future__ import annotations

from pathlib import Path

import ipywidgets
import pytest

from toolkit.ballots.purposes import start_theme_dot_vote
from toolkit.store import Store
from widgets.context import AppContext
from widgets.happiness import (
    CardBoard,
    HappinessMap,
    StakeholderPanel,
    ThemeDotVote,
    ThemeGrouping,
)
from widgets.live import LiveFeed
from widgets.seats import TableSeats
from widgets.table_app import TableApp

SLUG = "tsuru-dx"


@pytest.fixture
def ctx(small_workshop_store: Store) -> AppContext:
    return AppContext.for_store(small_workshop_store, SLUG, "en", table=1)


def post(board: CardBoard, stakeholder: str, text: str) -> None:
    board.stakeholder.value = stakeholder
    board.text.value = text
    board.post_button.click()


def test_a_stakeholder_is_added_with_its_group(ctx: AppContext) -> None:
    panel = StakeholderPanel(ctx)
    panel.name.value = "  高齢者 "
    panel.category.value = "resident"
    panel.add_button.click()
    added = [s for s in ctx.store.stakeholders(SLUG) if s.name == "高齢者"]
    assert [(s.category) for s in added] == ["resident"]
    assert "高齢者" in panel.listing.value and "Resident" in panel.listing.value
    assert panel.name.value == "" and "Added stakeholder" in panel.message.value
    panel.add_button.click()  # empty name: a message, nothing stored
    assert "Name must not be empty" in panel.message.value
    assert len(ctx.store.stakeholders(SLUG)) == 3


def test_a_posted_card_is_stored_for_its_stakeholder(ctx: AppContext) -> None:
    board = CardBoard(ctx)
    post(board, "kosodate", "窓口で待たずに済む")
    assert [(c.text, c.stakeholder) for c in ctx.store.cards(SLUG)] == [
        ("窓口で待たずに済む", "kosodate")
    ]
    assert board.text.value == ""  # ready for the next card
    assert "Card posted for “子育て世帯”" in board.message.value
    assert "子育て世帯" in board.listing.value and "窓口で待たずに済む" in board.listing.value


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ja", "カード を入力してください。"), ("en", "Card must not be empty.")],
    ids=["ja", "en"],
)
def test_an_empty_card_shows_why_and_stores_nothing(
    small_workshop_store: Store, lang: str, expected: str
) -> None:
    board = CardBoard(AppContext.for_store(small_workshop_store, SLUG, lang, table=1))
    post(board, "kosodate", "   ")
    assert expected in board.message.value and "ureshii-error" in board.message.value
    assert small_workshop_store.cards(SLUG) == []


def test_a_card_needs_a_stakeholder(ctx: AppContext) -> None:
    board = CardBoard(ctx)
    post(board, "", "待たずに済む")
    assert "Choose for whom this card is" in board.message.value
    assert ctx.store.cards(SLUG) == []
    assert board.text.value == "待たずに済む"  # nothing typed is lost


def test_a_card_posted_from_a_seat_counts_that_person(ctx: AppContext) -> None:
    seats = TableSeats(ctx)
    board = CardBoard(ctx, seats=seats)
    post(board, "madoguchi", "転記がなくなる")  # no seat chosen: the table's card
    assert ctx.store.counts(SLUG)["participants"] == 0
    seats.buttons.value = 2
    post(board, "madoguchi", "FAXの確認がなくなる")
    assert ctx.store.counts(SLUG)["participants"] == 1
    assert len(ctx.store.cards(SLUG)) == 2


def tap(grouping: ThemeGrouping, *card_ids: int) -> None:
    """Tap cards as a finger would: each tap flips that card's toggle."""
    for card_id in card_ids:
        toggle = grouping.card_toggles[card_id]
        toggle.value = not toggle.value


def test_tapped_cards_go_into_a_tapped_theme_and_back_out(ctx: AppContext) -> None:
    board, grouping = CardBoard(ctx), ThemeGrouping(ctx)
    for text in ("FAXをなくす", "はんこをなくす", "待たずに済む", "紙の申請書"):
        post(board, "madoguchi", text)
    grouping.refresh()
    ids = {c.text: c.id for c in ctx.store.cards(SLUG)}
    assert set(grouping.card_toggles) == set(ids.values())
    # every card and theme is a finger-sized button, not a line in a Ctrl/Shift-click list
    assert all(isinstance(w, ipywidgets.ToggleButton) for w in grouping.card_board.children)
    assert "待たずに済む (0)" in [b.description for b in grouping.theme_buttons.values()]
    grouping.theme_buttons["matanai"].click()  # nothing picked: said in words, nothing moves
    assert "Tap at least one card first" in grouping.message.value
    tap(grouping, ids["FAXをなくす"], ids["はんこをなくす"], ids["待たずに済む"])
    tap(grouping, ids["待たずに済む"])  # tapped again: put back
    assert grouping.picked == [ids["FAXをなくす"], ids["はんこをなくす"]]
    assert "Picked: 2 card(s)" in grouping.picked_status.value
    # a new theme from the picked cards
    grouping.theme_name.value = "3レス"
    grouping.create_button.click()
    theme = next(th for th in ctx.store.themes(SLUG) if th.name == "3レス")
    grouped = {c.text: c.theme for c in ctx.store.cards(SLUG)}
    assert grouped == {
        "FAXをなくす": theme.key,
        "はんこをなくす": theme.key,
        "待たずに済む": None,
        "紙の申請書": None,
    }
    assert "Put in “3レス”: 2 card(s)" in grouping.message.value
    assert grouping.picked == [] and set(grouping.card_toggles) == {
        ids["待たずに済む"],
        ids["紙の申請書"],
    }  # only cards without a theme are offered
    # tap a card, then tap an existing theme
    tap(grouping, ids["紙の申請書"])
    grouping.theme_buttons[theme.key].click()
    assert ctx.store.cards(SLUG)[3].theme == theme.key
    assert grouping.theme_buttons[theme.key].description == "3レス (3)"
    # take one out again, from the view of every card
    grouping.only_ungrouped.value = False
    assert grouping.take_out_button.layout.display == ""
    tap(grouping, ids["はんこをなくす"])
    grouping.take_out_button.click()
    assert {c.text: c.theme for c in ctx.store.cards(SLUG)}["はんこをなくす"] is None
    assert "Taken out of their theme: 1 card(s)" in grouping.message.value
    tap(grouping, ids["FAXをなくす"])
    grouping.unpick_button.click()
    assert grouping.picked == []


def test_a_theme_without_picked_cards_is_just_created(ctx: AppContext) -> None:
    grouping = ThemeGrouping(ctx)
    grouping.theme_name.value = "Kids"
    grouping.create_button.click()
    assert "Created theme “Kids”" in grouping.message.value
    assert "Kids (0)" in [b.description for b in grouping.theme_buttons.values()]


def test_a_picked_card_grouped_on_another_screen_is_no_longer_picked(ctx: AppContext) -> None:
    first = ctx.store.add_card(SLUG, "FAXをなくす", stakeholder="madoguchi")
    ctx.store.add_card(SLUG, "待たずに済む", stakeholder="madoguchi")
    grouping = ThemeGrouping(ctx)
    tap(grouping, first.id)
    ctx.store.group_card(SLUG, first.id, "matanai")  # another table was quicker
    grouping.refresh()
    assert grouping.picked == [] and first.id not in grouping.card_toggles


def test_suggestions_are_accepted_one_by_one(ctx: AppContext) -> None:
    board, grouping = CardBoard(ctx), ThemeGrouping(ctx)
    for text in ("窓口で待たない", "待ち時間がない", "FAXをなくす", "紙の申請をなくす", "観光案内"):
        post(board, "kosodate", text)
    grouping.suggest_button.click()
    rows = list(grouping.suggestions.children)
    assert len(rows) == 2 and "Suggestions: 2" in grouping.message.value
    # the waiting cards resemble the existing theme 待たずに済む (matanai)
    to_existing = next(r for r in rows if r.theme == "matanai")
    to_existing.accept_button.click()
    themes = {c.text: c.theme for c in ctx.store.cards(SLUG)}
    assert themes["窓口で待たない"] == themes["待ち時間がない"] == "matanai"
    assert len(grouping.suggestions.children) == 1
    new = grouping.suggestions.children[0]
    new.name.value = "3レス"  # the group renames it before accepting
    new.accept_button.click()
    theme = next(th for th in ctx.store.themes(SLUG) if th.name == "3レス")
    themes = {c.text: c.theme for c in ctx.store.cards(SLUG)}
    assert themes["FAXをなくす"] == themes["紙の申請をなくす"] == theme.key
    assert themes["観光案内"] is None  # like no other card: left to the group
    assert grouping.suggestions.children == ()


def test_a_suggestion_overtaken_by_another_screen_changes_nothing(ctx: AppContext) -> None:
    board, grouping = CardBoard(ctx), ThemeGrouping(ctx)
    for text in ("FAXをなくす", "紙の申請をなくす"):
        post(board, "kosodate", text)
    grouping.suggest_button.click()
    (row,) = grouping.suggestions.children
    for card in ctx.store.cards(SLUG):  # meanwhile another table grouped them
        ctx.store.group_card(SLUG, card.id, "matanai")
    row.accept_button.click()
    assert "already in themes" in grouping.message.value
    assert {c.theme for c in ctx.store.cards(SLUG)} == {"matanai"}
    assert len(ctx.store.themes(SLUG)) == 1


def test_no_suggestion_says_so(ctx: AppContext) -> None:
    grouping = ThemeGrouping(ctx)
    grouping.suggest_button.click()
    assert "No suggestion" in grouping.message.value and grouping.suggestions.children == ()


def test_dot_vote_created_here_checks_the_allowance_and_one_vote_per_seat(
    ctx: AppContext,
) -> None:
    store = ctx.store
    store.add_theme(SLUG, "3レス", key="sanres")
    seats = TableSeats(ctx)
    vote = ThemeDotVote(ctx, seats)
    # A table laptop cannot open the vote: it waits for the facilitator, whose app (opened
    # without a table number) has the button.
    assert "the facilitator opens it" in vote.intro.value
    assert vote.start_button.layout.display == "none"
    vote.start_button.click()  # a click sent anyway (a script): refused in words
    assert "cannot open a vote" in vote.message.value and store.ballots(SLUG)[1:] == []
    facilitator = ThemeDotVote(AppContext.for_store(store, SLUG, "en"), TableSeats(ctx))
    assert "no dot vote on themes yet" in facilitator.intro.value
    facilitator.start_button.click()
    vote.refresh()
    (ballot,) = [b for b in store.ballots(SLUG) if b.purpose == "themes"]
    assert (ballot.rule, ballot.status, ballot.settings) == ("dot_votes", "open", {"dots": 3})
    assert set(vote.dots) == {"matanai", "sanres"}
    assert "Dots left: 3 of 3" in vote.remaining.value
    vote.dots["matanai"].value = 2
    vote.dots["sanres"].value = 2
    assert "4 dots placed; each person has 3" in vote.remaining.value
    vote.submit_button.click()
    assert "Choose your seat first" in vote.message.value
    seats.buttons.value = 1
    vote.submit_button.click()
    assert "4 dots used; each person has 3" in vote.message.value
    assert store.votes(SLUG, ballot.key) == []  # nothing stored
    vote.dots["sanres"].value = 1
    vote.submit_button.click()
    assert [v.payload for v in store.votes(SLUG, ballot.key)] == [{"matanai": 2, "sanres": 1}]
    assert "Seat 1: your dots are saved (3)" in vote.message.value
    assert vote.used() == 0  # cleared for the next person
    vote.dots["sanres"].value = 1
    vote.submit_button.click()  # seat 1 again
    assert "already voted" in vote.message.value
    assert len(store.votes(SLUG, ballot.key)) == 1
    seats.buttons.value = 2
    vote.dots["sanres"].value = 0
    vote.submit_button.click()
    assert "Place at least one dot" in vote.message.value
    # live results: the tally is shown, best first
    assert "Votes so far: 1" in vote.results.value
    assert vote.results.value.index("待たずに済む") < vote.results.value.index("3レス")


def test_the_next_seat_starts_from_an_empty_dot_form(ctx: AppContext) -> None:
    store = ctx.store
    start_theme_dot_vote(store, SLUG, "Dots")
    seats = TableSeats(ctx)
    vote = ThemeDotVote(ctx, seats)
    seats.buttons.value = 1
    vote.dots["matanai"].value = 2  # seat 1 types, then leaves without submitting
    seats.buttons.value = 2
    assert vote.used() == 0 and "Dots left: 3 of 3" in vote.remaining.value
    vote.dots["matanai"].value = 3
    vote.submit_button.click()
    seats.buttons.value = 3
    assert vote.used() == 0 and vote.own.value == "" and vote.message.value == ""
    seats.buttons.value = 2  # seat 2 comes back: its own stored dots, read-only
    assert vote.used() == 0
    assert "Seat 2 has already placed its dots: 待たずに済む 3." in vote.own.value


def test_dot_vote_prepared_by_the_facilitator_hides_results_until_close(
    ctx: AppContext,
) -> None:
    store = ctx.store
    store.create_ballot(
        SLUG,
        "dots",
        "Dots",
        rule="dot_votes",
        options=["matanai"],
        settings={"dots": 5},
        purpose="themes",
    )
    seats = TableSeats(ctx)
    vote = ThemeDotVote(ctx, seats)
    assert "you can vote once they open it" in vote.intro.value
    assert vote.dots == {} and vote.start_button.layout.display == "none"
    store.open_ballot(SLUG, "dots")
    store.add_theme(SLUG, "後から", key="later")
    vote.refresh()
    assert "Dots left: 5 of 5" in vote.remaining.value
    assert "not on this ballot: 後から" in vote.intro.value
    seats.buttons.value = 3
    vote.dots["matanai"].value = 5
    vote.submit_button.click()
    assert [v.payload for v in store.votes(SLUG, "dots")] == [{"matanai": 5}]
    assert "hidden until the vote closes" in vote.results.value
    store.close_ballot(SLUG, "dots")
    vote.refresh()
    assert "The dot vote is closed" in vote.intro.value and "<table" in vote.results.value
    assert vote.submit_button.layout.display == "none"


def test_the_happiness_map_counts_cards_per_stakeholder_and_theme(ctx: AppContext) -> None:
    store = ctx.store
    first = store.add_card(SLUG, "待たずに済む", stakeholder="kosodate")
    store.add_card(SLUG, "窓口で待たない", stakeholder="kosodate")
    store.add_card(SLUG, "転記がなくなる", stakeholder="madoguchi")
    store.group_card(SLUG, first.id, "matanai")
    board = HappinessMap(ctx, show_chart=False)
    holders, themes, counts = board.counts()
    assert holders == ["子育て世帯", "窓口職員"]
    assert themes == ["待たずに済む", "Not in a theme"]
    assert counts == [[1, 1], [0, 1]]
    assert "<th" in board.table.value and "Total" in board.table.value
    assert board.chart.chart is None
    board.show_chart.value = True  # the heatmap and its data table
    assert board.chart.chart is not None and "<svg" in board.chart._image.value


def test_two_table_apps_on_one_store_see_each_other_after_a_poll(
    tmp_path: Path, small_workshop_store: Store
) -> None:
    other_store = Store.open(small_workshop_store.url)  # another kernel: its own connection
    try:
        ctx_a = AppContext.for_store(small_workshop_store, SLUG, "ja", table=1)
        ctx_b = AppContext.for_store(other_store, SLUG, "en", table=1)
        feed_a, feed_b = LiveFeed(small_workshop_store, SLUG), LiveFeed(other_store, SLUG)
        app_a, app_b = TableApp(ctx_a, feed_a), TableApp(ctx_b, feed_b)
        post(app_a.cards, "kosodate", "子どもを連れて待たずに済む")
        app_a.stakeholders.name.value = "観光客"
        app_a.stakeholders.add_button.click()
        assert "子どもを連れて待たずに済む" not in app_b.cards.listing.value
        feed_b.poll_once()
        assert "子どもを連れて待たずに済む" in app_b.cards.listing.value
        assert "観光客" in app_b.stakeholders.listing.value
        assert "観光客" in [label for label, _ in app_b.cards.stakeholder.options]
        assert any(
            "子どもを連れて" in toggle.description for toggle in app_b.themes.card_toggles.values()
        )
        app_b.themes.theme_name.value = "Kids"
        app_b.themes.create_button.click()
        feed_a.poll_once()
        assert "Kids（0枚）" in [b.description for b in app_a.themes.theme_buttons.values()]
        assert app_a.tabs.get_title(0) == "うれしさ" and app_b.tabs.get_title(0) == "Happiness"
    finally:
        other_store.close()


@pytest.mark.parametrize(
    ("phase", "tab"),
    [
        ("happiness", 0),
        ("vision", 1),
        ("issues", 2),
        ("method", 3),
        ("scoring", 4),
        ("results", 5),
        ("town_meeting", 5),
    ],
)
def test_the_app_opens_on_the_tab_of_the_workshops_phase(
    small_workshop_store: Store, phase: str, tab: int
) -> None:
    small_workshop_store.set_phase(SLUG, phase)
    app = TableApp(
        AppContext.for_store(small_workshop_store, SLUG, "en", table=1),
        LiveFeed(small_workshop_store, SLUG),
    )
    assert app.tabs.selected_index == tab
    titles = [app.tabs.get_title(i) for i in range(6)]
    assert titles == ["Happiness", "Vision", "Issues", "How we decide", "Scoring", "Results"]
    assert app.happiness.get_title(3) == "4 Dot vote"
    built = [len(box.children) > 0 for box in (app.method, app.scoring, app.results)]
    assert built == [tab == 3, tab == 4, tab == 5], "only the shown phase's panel is built"


def test_the_app_follows_the_consoles_phase_and_builds_each_panel_once(
    small_workshop_store: Store,
) -> None:
    feed = LiveFeed(small_workshop_store, SLUG)
    app = TableApp(AppContext.for_store(small_workshop_store, SLUG, "en", table=1), feed)
    assert app.tabs.selected_index == 0 and app.method.children == ()
    small_workshop_store.set_phase(SLUG, "method")  # the facilitator moves on, on the console
    feed.poll_once()
    assert app.tabs.selected_index == 3
    names = [type(w).__name__ for w in app.method.children]
    assert names == ["MethodCards", "MethodVote", "WeightAgreement", "ConsentCheck"]
    vote = app.method.children[1]
    assert vote.seats is app.seats, "the method vote uses the table's seats"
    small_workshop_store.set_phase(SLUG, "scoring")
    feed.poll_once()
    assert app.tabs.selected_index == 4
    assert [type(w).__name__ for w in app.scoring.children] == ["ScoringForm"]
    small_workshop_store.set_phase(SLUG, "method")  # back again: the same panel, not a second one
    feed.poll_once()
    assert app.tabs.selected_index == 3 and app.method.children[1] is vote
    app.tabs.selected_index = 5  # a person may look ahead at the results
    assert [type(w).__name__ for w in app.results.children] == ["ResultsView"]


def test_dots_cast_on_another_screen_update_the_tally_after_a_poll(ctx: AppContext) -> None:
    store = ctx.store
    feed = LiveFeed(store, SLUG)
    vote = ThemeDotVote(ctx, TableSeats(ctx), feed)
    ThemeDotVote(AppContext.for_store(store, SLUG, "en"), TableSeats(ctx)).start_button.click()
    feed.poll_once()
    store.open_ballot(SLUG, "town")
    store.cast_vote(SLUG, "town", store.join(SLUG), ["chat"])  # a town-meeting vote
    feed.poll_once()
    assert "Votes so far: 0" in vote.results.value
    store.cast_vote(SLUG, "theme-dots", store.join(SLUG), {"matanai": 3})
    feed.poll_once()
    assert "Votes so far: 1" in vote.results.value and "<table" in vote.results.value


def test_picking_cards_lights_up_the_theme_they_resemble(ctx: AppContext) -> None:
    store = ctx.store
    store.add_theme(SLUG, "紙をなくす", key="kami")
    for text in ("窓口で待ちたくない", "FAXをなくす", "観光案内"):
        store.add_card(SLUG, text, stakeholder="kosodate")
    grouping = ThemeGrouping(ctx)
    ids = {c.text: c.id for c in store.cards(SLUG)}
    tap(grouping, ids["窓口で待ちたくない"])
    assert grouping.suggested == "matanai"  # like the theme 待たずに済む
    assert grouping.theme_buttons["matanai"].button_style == "info"
    assert grouping.theme_buttons["kami"].button_style == ""
    assert "a suggestion" in grouping.hint.value
    tap(grouping, ids["窓口で待ちたくない"], ids["FAXをなくす"])
    assert grouping.suggested == "kami"
    tap(grouping, ids["FAXをなくす"], ids["観光案内"])  # like no theme: nothing lit
    assert grouping.suggested is None and grouping.hint.value == ""
    tap(grouping, ids["観光案内"], ids["窓口で待ちたくない"], ids["FAXをなくす"])
    assert grouping.hint.value == ""  # the cards disagree: no suggestion
    assert {c.theme for c in store.cards(SLUG)} == {None}  # nothing moved by itself


def test_a_happiness_step_is_built_the_first_time_its_tab_is_shown(
    small_workshop_store: Store,
) -> None:
    app = TableApp(
        AppContext.for_store(small_workshop_store, SLUG, "en", table=1),
        LiveFeed(small_workshop_store, SLUG),
    )
    boxes = app.happiness.children
    assert [len(box.children) for box in boxes[2:]] == [0, 0, 0], "themes, dots, map: not yet"
    app.happiness.selected_index = 4  # the map
    assert [len(box.children) for box in boxes[2:]] == [0, 0, 1]
    assert boxes[4].children[0] is app.map
    app.happiness.selected_index = 2
    assert boxes[2].children[0] is app.themes and len(boxes[3].children) == 0
