"""The whole workshop in a real browser: a facilitator and three table laptops, start to export.

One ``ureshii serve`` on a fresh store made from the "dx-vision" template (nothing done yet),
one Debian Chromium (the shared ``browser`` fixture) and four browser contexts, as in the
room: the facilitator's laptop (console, method app, results) and three table laptops, each
of which opens its own table link (never the facilitator's) and then only its table app,
``table.ipynb`` with its table number (docs/serving.md, "Table laptops"): one page and one
kernel per table all day. The facilitator moves the workshop on from the console and each
table's tab follows (happiness, vision, issues, how we decide, scoring, results); the method
vote, the weights, the charter's consent check and the scoring are done in those tabs.
Mid-way, table A reloads its page (a new kernel): seat 1 is still the same person, whose
second vision consent the store refuses. Everything happens through the pages, by clicking
and typing; the store is only read, to check what was stored: at the end, each seated person
is one participant (participants = seats) with at most one vote per ballot.

The tests run in order on one shared room (a module-scoped fixture) and each phase checks
that the one before it finished, so a failure names the phase where the flow broke. After
each phase a screenshot goes to ``test-artifacts/flow-NN-phase.png``; at the end, no page may
have sent a request to any host but this machine.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.server.server_helpers import ARTIFACTS, RequestLog, ServerProcess, start_server
from toolkit.server.table_links import table_link, table_link_key
from toolkit.store import Store
from toolkit.workshop_file import write_template

pytestmark = pytest.mark.slow

#: A Voilà page's first kernel start (pandas, altair) on a busy 2-core machine.
KERNEL_START_MS = 120_000
#: Another screen's input reaching a page: the live feed polls every second.
LIVE_MS = 20_000

CARD_A = "夜でもスマホで転入届が出せる"
CARD_B = "窓口で待たずに健診の日を変えられる"
CARD_C = "夜でもコンビニで証明書が受け取れる"
THEME = "待たずに済む手続き"
VISION = "だれも待たされず、必要な手続きが家から済む町"
#: A theme of the template that table C gives two of its three dots to.
SAFETY = "安心・安全"
#: The ja template's criteria that the tables give weight to (the others get 0 points).
RESIDENT, STAFF = "住民のうれしさ", "職員のうれしさ"
#: (issue title, {table: (resident score, staff score)}), scored by seat 1 of each table.
SCORES = (
    ("窓口の混雑緩和", {"a": (5, 4), "b": (5, 5), "c": (4, 5)}),
    ("市民健診の日程変更受付業務の最適化", {"a": (4, 3), "b": (3, 3), "c": (1, 1)}),
    ("公用車運転日報の電子化", {"a": (2, 2), "b": (1, 2), "c": (5, 5)}),
)
#: The agreed ranking, worked by hand. The weights are the mean of the tables' 100 points,
#: (60 + 50 + 70) / 3 = 60 for residents and (40 + 50 + 30) / 3 = 40 for staff; on one 1–5
#: scale both, the order is that of 0.6 × mean resident + 0.4 × mean staff score:
#: 窓口 0.6 × 14/3 + 0.4 × 14/3 = 4.67; 公用車 0.6 × 8/3 + 0.4 × 9/3 = 2.80;
#: 健診 0.6 × 8/3 + 0.4 × 7/3 = 2.53. Table C's scores turn the last two round: with the
#: same weights, tables A and B alone put 健診 (3.30) ahead of 公用車 (1.70).
RANKING = ("窓口の混雑緩和", "公用車運転日報の電子化", "市民健診の日程変更受付業務の最適化")


def button(scope: Any, text: str) -> Any:
    """The button labelled ``text`` (ipywidgets puts the icon's glyph before the words)."""
    return scope.get_by_role("button", name=re.compile(rf"^\W*{re.escape(text)}$"))


def section(page: Any, heading: str) -> Any:
    """The innermost widget box under the heading ``heading``: what a person reads as one
    part of the page (its buttons, its tally)."""
    title = page.get_by_role("heading", name=heading, exact=True)
    return page.locator(".widget-vbox").filter(has=title).last


def expect_cells(row: Any, *texts: str) -> None:
    """The first cells of a table row read ``texts`` (waiting for a live update)."""
    for index, text in enumerate(texts):
        expect(row.get_by_role("cell").nth(index)).to_have_text(text, timeout=LIVE_MS)


def expect_tab(page: Any, name: str) -> None:
    """The table app shows the tab ``name`` (it followed the console's phase, live)."""
    tab = page.get_by_role("tab", name=name, exact=True)
    expect(tab).to_have_attribute("aria-selected", "true", timeout=LIVE_MS)


def shot(part: Any, number: int, phase: str) -> None:
    """A screenshot of the window with ``part`` of the page scrolled to its top.

    Voilà scrolls inside the page, so a full-page shot shows only the window anyway; an
    element screenshot of a tall part costs seconds each on this machine.
    """
    part.evaluate("element => element.scrollIntoView()")
    part.page.screenshot(path=str(ARTIFACTS / f"flow-{number:02d}-{phase}.png"))


#: Each app's level-1 heading: the page is on screen when it shows.
APP_HEADINGS = {
    "console.ipynb": "Ureshii facilitator console",
    "method.ipynb": "Agree how to prioritise",
    "results.ipynb": "Results and what-if",
    "table.ipynb": "Table: from happiness to priorities",
}
#: (page, laptop, app), opened a few at a time: on two cores, a page whose kernel is starved
#: for more than 4 s when the browser asks for its widgets falls back to a slower loading
#: path in the widget manager that can leave a box "Error displaying widget: model not
#: found". People open their apps one by one; so does this test. A table laptop opens one
#: app, its table app, for the whole day.
APPS = (
    (("console", "facilitator", "console.ipynb"), ("method", "facilitator", "method.ipynb")),
    (("table-a", "a", "table.ipynb"), ("table-b", "b", "table.ipynb")),
    (("table-c", "c", "table.ipynb"), ("results", "facilitator", "results.ipynb")),
)


#: The table laptops and their table numbers.
TABLES = {"a": 1, "b": 2, "c": 3}


@dataclass
class Room:
    """The server, the store it serves, and every page of the four laptops."""

    server: ServerProcess
    store: Store
    slug: str
    pages: dict[str, Any] = field(default_factory=dict)
    logs: dict[str, RequestLog] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)

    def new_page(self, context: Any, name: str) -> Any:
        """A tab whose every request (HTTP and websocket) is logged."""
        page = context.new_page()
        self.logs[name] = RequestLog()
        self.logs[name].attach(page)
        return page

    def open(self, context: Any, name: str, app: str, laptop: str) -> None:
        """Start opening an app (the console through the facilitator link; a table laptop's
        table app with its table number, so its seats are the same people after a reload)."""
        page = self.new_page(context, name)
        url = f"{self.server.base}/voila/render/{app}"
        if laptop in TABLES:
            url += f"?table={TABLES[laptop]}"
        target = self.server.facilitator_url if app == "console.ipynb" else url
        page.goto(target, wait_until="commit")  # the batch's kernels start side by side
        self.pages[name] = page

    def wait_until_shown(self, name: str, app: str) -> None:
        """The app is on screen: its heading, and every widget loaded (none failed)."""
        page = self.pages[name]
        expect(page.get_by_role("heading", name=APP_HEADINGS[app], level=1)).to_be_visible(
            timeout=KERNEL_START_MS
        )
        expect(page.get_by_text("Loading widget...")).to_have_count(0, timeout=KERNEL_START_MS)
        expect(page.get_by_text("Error displaying widget")).to_have_count(0)

    def open_table_link(self, context: Any, name: str, table: int) -> None:
        """A table laptop opens its table link (never the facilitator's), for the table
        cookie. The app it leads to is opened later with the others, so no kernel starts
        here."""
        page = self.new_page(context, name)
        link = table_link(table_link_key(self.server.secret), "/", self.slug, table, 0)
        app = re.compile(r"/voila/render/table\.ipynb\?table=")
        page.route(app, lambda route: route.abort())
        with page.expect_event("requestfailed", lambda r: app.search(r.url)):
            page.goto(self.server.base + link)
        page.close()

    def tables(self) -> dict[str, Any]:
        """The table laptops' pages (their table apps), by laptop."""
        return {laptop: self.pages[f"table-{laptop}"] for laptop in TABLES}

    def move_on(self, phase: str, tab: str, *, closing: tuple[str, ...] = ()) -> None:
        """The facilitator moves the workshop to the next phase on the console; every table
        app's tab follows, live. Votes of the phase before that are still open (``closing``,
        by title) make the console ask first; the facilitator closes them and continues."""
        console = self.pages["console"]
        button(console, "Next phase").click()
        if closing:
            warning = console.get_by_role("alert").filter(has_text="Before moving to")
            for title in closing:
                expect(warning).to_contain_text(f"“{title}”")
            button(console, "Close them and continue").click()
        expect(console.get_by_text(f"Now in phase: {phase}. Every screen follows.")).to_be_visible()
        for page in self.tables().values():
            expect_tab(page, tab)

    @contextmanager
    def phase(self, name: str, *, after: str | None = None) -> Iterator[None]:
        """One phase of the flow: refused if the one before did not finish; on a failure,
        a screenshot of every open page (``flow-failed-PHASE-PAGE.png``)."""
        if after is not None and after not in self.done:
            pytest.fail(f"the {after!r} phase did not finish, so {name!r} cannot start")
        try:
            yield
        except BaseException:
            for page_name, page in self.pages.items():
                if not page.is_closed():
                    page.screenshot(path=str(ARTIFACTS / f"flow-failed-{name}-{page_name}.png"))
            raise
        self.done.add(name)


@pytest.fixture(scope="module")
def room(browser: Any, cjk_font: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """A fresh workshop from the template, served, and the six app pages on screen."""
    folder = tmp_path_factory.mktemp("flow")
    workshop_file = write_template(folder / "sakura.yaml", "dx-vision", "ja")
    path = folder / "sakura.sqlite"
    store = Store.open(path)
    slug = store.load_workshop_file(workshop_file).slug
    server = start_server("flow", env={"URESHII_DATABASE_URL": str(path)})
    contexts: dict[str, Any] = {}
    try:
        room = Room(server, store, slug)
        ARTIFACTS.mkdir(exist_ok=True)
        for laptop in ("facilitator", *TABLES):
            contexts[laptop] = browser.new_context(
                locale="ja-JP", viewport={"width": 1366, "height": 900}
            )
        for laptop, table in TABLES.items():
            room.open_table_link(contexts[laptop], f"link-{laptop}", table)
        for batch in APPS:
            for name, laptop, app in batch:
                room.open(contexts[laptop], name, app, laptop)
            for name, _, app in batch:
                room.wait_until_shown(name, app)
        yield room
    finally:
        for context in contexts.values():
            context.close()
        server.stop()
        store.close()


# ---------------------------------------------------------------------- happiness
def test_cards_posted_at_one_table_appear_live_at_the_others(room: Room) -> None:
    with room.phase("cards"):
        tables = room.tables()
        for page in tables.values():
            expect_tab(page, "Happiness")  # the console's first phase
            page.get_by_role("tab", name="2 Cards").click()
            expect(page.get_by_text("No cards yet.")).to_be_visible()

        def post(page: Any, stakeholder: str, text: str) -> None:
            page.get_by_role("combobox", name="For whom").select_option(label=stakeholder)
            page.get_by_role("textbox", name="Card").fill(text)
            button(page, "Post card").click()
            expect(page.get_by_text(f"Card posted for “{stakeholder}”.")).to_be_visible()

        def listed(page: Any, text: str) -> Any:
            return section(page, "Happiness cards").get_by_role("listitem").filter(has_text=text)

        a, b, c = tables["a"], tables["b"], tables["c"]
        post(a, "子育て世帯", CARD_A)
        expect(listed(b, CARD_A)).to_be_visible(timeout=LIVE_MS)  # live, at table B
        post(b, "高齢者", CARD_B)
        expect(listed(c, CARD_A)).to_be_visible(timeout=LIVE_MS)  # and at table C
        expect(listed(c, CARD_B)).to_be_visible(timeout=LIVE_MS)
        post(c, "学生", CARD_C)
        expect(listed(a, CARD_B)).to_be_visible(timeout=LIVE_MS)  # and back at A
        expect(listed(a, CARD_C)).to_be_visible(timeout=LIVE_MS)
        expect(listed(b, CARD_C)).to_be_visible(timeout=LIVE_MS)
        shot(section(b, "Happiness cards"), 1, "cards")

        cards = {x.text: x.stakeholder for x in room.store.cards(room.slug)}
        assert cards == {CARD_A: "kosodate", CARD_B: "koureisha", CARD_C: "gakusei"}


def test_cards_are_grouped_into_a_theme_and_the_themes_dot_voted(room: Room) -> None:
    with room.phase("themes", after="cards"):
        tables = room.tables()
        a, b, c = tables["a"], tables["b"], tables["c"]
        a.get_by_role("tab", name="3 Themes").click()
        # by touch: tap each card (no Ctrl/Shift-click), then make a theme of the picked ones
        for text in (CARD_A, CARD_B, CARD_C):
            a.get_by_role("button", name=text).click()
        expect(a.get_by_text("Picked: 3 card(s). Now tap their theme.")).to_be_visible()
        a.get_by_role("textbox", name="New theme").fill(THEME)
        button(a, "Create theme").click()
        expect(a.get_by_text(f"Put in “{THEME}”: 3 card(s).")).to_be_visible()
        expect(button(a, f"{THEME} (3)")).to_be_visible()
        # the other tables' card lists tag the three cards with the theme, live
        for page in (b, c):
            tagged = section(page, "Happiness cards").get_by_text(f"［{THEME}］")
            expect(tagged).to_have_count(3, timeout=LIVE_MS)
        shot(section(a, "Themes"), 2, "themes")
        themes = {th.name: th.key for th in room.store.themes(room.slug)}
        assert {x.theme for x in room.store.cards(room.slug)} == {themes[THEME]}

        for page in tables.values():
            page.get_by_role("tab", name="4 Dot vote").click()
        for page in (b, c):
            expect(
                page.get_by_text(re.compile("There is no dot vote on themes yet"))
            ).to_be_visible()
        expect(button(a, "Start a dot vote on the current themes (3 dots each)")).to_have_count(0)
        # Opening a vote is the facilitator's, from the console (a table laptop cannot).
        console = room.pages["console"]
        button(console, "Start the tables' dot vote on themes (3 dots each)").click()
        expect(console.get_by_text("The dot vote is open: 7 themes, 3 dots each.")).to_be_visible()
        # seat 1 of each table: A 2 dots and B 3 on the new theme; C 1 on it and 2 on another
        dots_given = ((a, {THEME: 2}), (b, {THEME: 3}), (c, {THEME: 1, SAFETY: 2}))
        for page, dots in dots_given:
            page.get_by_role("button", name="Seat 1", exact=True).click()
            used = 0
            for theme, count in dots.items():
                box = page.get_by_role("spinbutton", name=theme, exact=True)
                expect(box).to_be_visible(timeout=LIVE_MS)  # B and C: the ballot arrived live
                box.fill(str(count))
                box.press("Enter")
                used += count
                expect(page.get_by_text(f"Dots left: {3 - used} of 3")).to_be_visible()
            button(page, "Submit my dots").click()
            expect(page.get_by_text(f"Seat 1: your dots are saved ({used}).")).to_be_visible()
        # by hand: 2 + 3 + 1 = 6 dots on the new theme, 2 on 安心・安全, none on the others
        tally = c.get_by_role("table", name="Dots per theme")
        expect_cells(tally.get_by_role("row").nth(1), THEME, "6")
        expect_cells(tally.get_by_role("row").nth(2), SAFETY, "2")
        shot(section(c, "Dot vote on themes"), 3, "dots")
        (ballot,) = [x for x in room.store.ballots(room.slug) if x.purpose == "themes"]
        payloads = [v.payload for v in room.store.votes(room.slug, ballot.key)]
        assert sorted(payloads, key=str) == sorted(
            [
                {themes[THEME]: 2},
                {themes[THEME]: 3},
                {themes[THEME]: 1, themes[SAFETY]: 2},
            ],
            key=str,
        )


def test_a_vision_is_drafted_from_the_top_theme_and_every_table_consents(room: Room) -> None:
    with room.phase("vision", after="themes"):
        tables = room.tables()
        a, b, c = tables["a"], tables["b"], tables["c"]
        # every table's tab follows the console; the dot vote on themes is closed on the way
        room.move_on("Vision", "Vision", closing=("Dot vote on themes",))
        expect(
            a.get_by_role("listitem").filter(has_text=f"{THEME} — 6 dots, 3 cards")
        ).to_be_visible()
        expect(
            b.get_by_text("Save a draft first; then each person gives their consent level.")
        ).to_be_visible()
        # the group says which themes the vision is drawn from (the top one, by dots)
        a.get_by_role("listbox", name="Drawn from").select_option(label=[THEME])
        a.get_by_role("textbox", name="Vision statement").fill(VISION)
        button(a, "Save draft").click()
        expect(a.get_by_text("Saved draft v1.")).to_be_visible()
        heading = "Consent check on draft v1 (fist of five)"
        for page in (b, c):
            expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=LIVE_MS)
        levels = (
            (a, "5 — Full support: I will help make it work"),
            (b, "4 — Support: I think it is good"),
            (c, "3 — I can live with it"),
        )
        for page, level in levels:
            page.get_by_role("button", name="Seat 1", exact=True).click()
            page.get_by_role("radio", name=level).check()
            button(page, "Give my answer").click()
            expect(
                page.get_by_text(re.compile(r"Seat 1: level \d recorded for draft v1"))
            ).to_be_visible()
        expect(a.get_by_text("Answers: 3; blocks: 0.")).to_be_visible(timeout=LIVE_MS)
        shot(section(a, "Vision"), 4, "vision")

        # Table A reloads its page mid-way (a new kernel): the app opens at the console's
        # phase, and seat 1 is still the same person, whose second answer the store refuses.
        a.reload(wait_until="commit")
        room.wait_until_shown("table-a", "table.ipynb")
        expect_tab(a, "Vision")
        expect(a.get_by_text("Consent check on draft v1 (fist of five)")).to_be_visible()
        a.get_by_role("button", name="Seat 1", exact=True).click()
        a.get_by_role("radio", name="3 — I can live with it").check()
        button(a, "Give my answer").click()
        expect(
            a.get_by_text("You have already answered the consent check for vision draft v1.")
        ).to_be_visible()
        assert len(room.store.vision_consents(room.slug, 1)) == 3

        (vision,) = room.store.visions(room.slug)
        assert vision.text == VISION
        themes = {th.name: th.key for th in room.store.themes(room.slug)}
        assert vision.themes == (themes[THEME],)
        assert sorted(x.level for x in room.store.vision_consents(room.slug, 1)) == [3, 4, 5]


# ---------------------------------------------------------------------- method agreement
def test_the_tables_vote_on_the_method_and_give_weights(room: Room) -> None:
    with room.phase("method", after="vision"):
        room.move_on("Issues", "Issues")
        room.move_on("How to prioritise", "How we decide")
        method = room.pages["method"]
        tables = room.tables()
        a, b, c = tables["a"], tables["b"], tables["c"]
        vote_heading = "Vote: which method shall we use?"
        expect(  # the tab is built when first shown: on a busy laptop that takes a moment
            section(a, vote_heading).get_by_text("The vote has not started yet")
        ).to_be_visible(timeout=LIVE_MS)
        expect(button(a, "Open the vote")).to_have_count(0)  # no facilitator buttons at a table
        button(section(method, vote_heading), "Open the vote").click()
        seats_and_choices = (
            (a, [(1, "Weighted criteria scoring")]),
            (b, [(1, "Weighted criteria scoring"), (2, "Dot voting")]),
            (c, [(1, "Weighted criteria scoring"), (2, "Borda count (ranked vote)")]),
        )
        for page, votes in seats_and_choices:
            vote = section(page, vote_heading)
            expect(button(vote, "Vote")).to_be_enabled(timeout=LIVE_MS)  # opened on another screen
            for seat, choice in votes:
                page.get_by_role("button", name=f"Seat {seat}", exact=True).click()
                vote.get_by_role("radio", name=choice, exact=True).check()
                button(vote, "Vote").click()
                expect(
                    vote.get_by_text(f"Seat {seat}: your vote for “{choice}” is stored.")
                ).to_be_visible()
        button(section(method, vote_heading), "Close the vote").click()
        button(section(method, vote_heading), "Yes, close it").click()  # closing asks first
        tally = section(c, vote_heading).get_by_role("table", name="Votes per method")
        expect_cells(tally.get_by_role("row").nth(1), "Weighted criteria scoring", "3")
        shot(section(c, vote_heading), 5, "method-vote")
        (ballot,) = [x for x in room.store.ballots(room.slug) if x.purpose == "method"]
        stored = sorted(v.payload for v in room.store.votes(room.slug, ballot.key))
        assert stored == ["borda", "dot_votes", "weighted_sum", "weighted_sum", "weighted_sum"]

        weights_heading = "Criteria and their weights"
        button(section(method, weights_heading), "Open the vote").click()
        for page, points in ((a, (60, 40)), (b, (50, 50)), (c, (70, 30))):
            weights = section(page, weights_heading)
            expect(button(weights, "Submit my 100 points")).to_be_enabled(timeout=LIVE_MS)
            page.get_by_role("button", name="Seat 1", exact=True).click()
            for name, value in zip((RESIDENT, STAFF), points, strict=True):
                box = weights.get_by_role("spinbutton", name=name)
                box.fill(str(value))
                box.press("Enter")
            expect(weights.get_by_text("exactly 100: ready to submit")).to_be_visible()
            button(weights, "Submit my 100 points").click()
            expect(weights.get_by_text("Seat 1: your 100 points are stored.")).to_be_visible()

        # Pairwise comparison at table B: the consistency ratio follows the slider, live.
        weights = section(b, weights_heading)
        weights.get_by_role("button", name="Pairwise comparison (AHP)", exact=True).click()
        expect(weights.get_by_text("Consistency ratio CR = 0.00")).to_be_visible()
        slider = weights.get_by_role("slider").first  # 住民のうれしさ ⟷ 職員のうれしさ
        slider.focus()
        slider.press("Home")  # to "extremely more important" (9×), against every other answer
        expect(weights.get_by_text(re.compile(r"CR = 0\.1\d: above 0\.10"))).to_be_visible()
        # (seat 1 of table B has already given its 100 points: AHP fills the same ballot)
        expect(button(weights, "Submit my comparisons as 100 points")).to_be_visible()
        shot(weights, 6, "weights")

        button(section(method, weights_heading), "Close the vote").click()
        button(section(method, weights_heading), "Yes, close it").click()
        proposal = "The group's proposal: the mean of the allocations (people: 3)"
        expect(method.get_by_role("table", name=proposal)).to_be_visible(timeout=LIVE_MS)
        (ballot,) = [x for x in room.store.ballots(room.slug) if x.purpose == "weights"]
        payloads = [v.payload for v in room.store.votes(room.slug, ballot.key)]
        assert sorted(payloads, key=str) == sorted(
            [
                {"resident-joy": 60, "staff-joy": 40},
                {"resident-joy": 50, "staff-joy": 50},
                {"resident-joy": 70, "staff-joy": 30},
            ],
            key=str,
        )


def test_the_charter_is_proposed_consented_at_the_tables_and_locked(room: Room) -> None:
    with room.phase("charter", after="method"):
        method = room.pages["method"]
        tables = room.tables()
        a, b, c = tables["a"], tables["b"], tables["c"]
        consent_heading = "Consent check (fist of five): can you live with this charter?"
        expect(
            section(a, consent_heading).get_by_text("No charter has been proposed yet")
        ).to_be_visible()
        charter = section(method, "Method charter: propose, check consent, lock")
        # the method vote's winner and the tables' mean weights are what gets proposed
        expect(
            charter.get_by_text("Weights from: the mean of the 100-point allocations")
        ).to_be_visible()
        button(charter, "Propose this charter").click()
        expect(charter.get_by_text("Charter v1 is proposed.")).to_be_visible()
        expect(charter.get_by_role("definition").first).to_have_text("Weighted criteria scoring")
        shot(charter, 7, "charter-proposed")

        # by hand: (60 + 50 + 70) / 3 = 60% for residents, (40 + 50 + 30) / 3 = 40% for staff
        answers = ((a, [(1, "5")]), (b, [(1, "4")]), (c, [(1, "3"), (2, "4")]))
        for page, seats in answers:
            consent = section(page, consent_heading)
            expect(consent.get_by_text("Draft charter v1 (not locked yet)")).to_be_visible(
                timeout=LIVE_MS
            )
            expect(consent.get_by_role("table", name="Weights")).to_contain_text("60%")
            for seat, level in seats:
                page.get_by_role("button", name=f"Seat {seat}", exact=True).click()
                consent.get_by_role("radio", name=f"{level} — ").check()
                button(consent, "Record my answer").click()
                expect(
                    consent.get_by_text(f"Seat {seat}: your answer ({level}) is recorded.")
                ).to_be_visible()
        expect(charter.get_by_text("4 answers so far, 0 blocks.")).to_be_visible(timeout=LIVE_MS)
        shot(section(c, consent_heading), 8, "consent")

        # Scoring before the lock: table A looks at the scoring tab (still in the method
        # phase), which refuses, with no score to enter.
        a.get_by_role("tab", name="Scoring", exact=True).click()
        scoring = section(a, "Score the issues")
        expect(scoring.get_by_text("Scoring has not started: the group must agree")).to_be_visible()
        expect(scoring.get_by_text("This screen opens by itself as soon as")).to_be_visible()
        expect(button(a, "Save my scores")).to_have_count(0)
        expect(a.get_by_role("button", name="Don't know")).to_have_count(0)
        shot(scoring, 9, "scoring-refused")
        assert room.store.locked_charter(room.slug) is None
        a.get_by_role("tab", name="How we decide", exact=True).click()

        button(charter, "Lock the charter").click()
        expect(charter.get_by_text("Lock the charter? Scoring starts under it")).to_be_visible()
        button(charter, "Yes, lock it").click()
        expect(charter.get_by_text("Charter v1 is locked. Scoring can start.")).to_be_visible()
        for page in tables.values():
            expect(
                section(page, consent_heading).get_by_text("Charter v1 is locked")
            ).to_be_visible(timeout=LIVE_MS)
        console = room.pages["console"]
        expect(console.get_by_text("Locked v1: Weighted criteria scoring")).to_be_visible(
            timeout=LIVE_MS
        )
        shot(charter, 10, "locked")

        locked = room.store.locked_charter(room.slug)
        assert locked is not None and locked.version == 1 and locked.method == "weighted_sum"
        assert locked.weights["resident-joy"] == pytest.approx(0.6)
        assert locked.weights["staff-joy"] == pytest.approx(0.4)
        assert locked.consent is not None
        assert (locked.consent["responses"], locked.consent["blocks"]) == (4, 0)
        assert sorted(x.level for x in room.store.consents(room.slug, 1)) == [3, 4, 4, 5]


# ---------------------------------------------------------------------- scoring to export
def test_every_table_scores_and_the_results_show_the_ranking(room: Room) -> None:
    with room.phase("scores", after="charter"):
        room.move_on("Scoring", "Scoring")
        for number, (table, page) in enumerate(room.tables().items(), start=11):
            save = button(page, "Save my scores")
            expect(save).to_be_visible(timeout=LIVE_MS)  # A: its refused screen opened at the lock
            expect(page.get_by_text("Scoring under method charter v1")).to_be_visible()
            page.get_by_role("button", name="Seat 1", exact=True).click()
            for title, given in SCORES:
                issue = section(page, title)
                for criterion, score in zip((RESIDENT, STAFF), given[table], strict=True):
                    row = issue.locator(".widget-toggle-buttons").filter(has_text=criterion)
                    row.get_by_role("button", name=str(score), exact=True).click()
            expect(page.get_by_text("6 of 72 scored")).to_be_visible()
            save.click()
            expect(page.get_by_text("Seat 1: 6 scores saved.")).to_be_visible()
            shot(section(page, SCORES[0][0]), number, f"scores-{table}")

        results = room.pages["results"]
        ranking = results.get_by_role("table", name="Results", exact=True)
        rows = ranking.get_by_role("row")
        expect(rows).to_have_count(1 + len(RANKING), timeout=LIVE_MS)
        for rank, title in enumerate(RANKING, start=1):
            expect_cells(rows.nth(rank), str(rank), title)
        expect(
            results.get_by_text("Ranking under method charter v1 (Weighted criteria scoring)")
        ).to_be_visible()
        whatif = results.get_by_role("table", name="What if the weights were different?")
        expect(whatif).to_be_visible()  # the last part of the results to be drawn
        shot(section(results, "Results"), 14, "results")

        scores = room.store.scores(room.slug)
        assert len(scores) == len(TABLES) * len(SCORES) * 2
        assert set(scores["criterion"]) == {"resident-joy", "staff-joy"}

        # The facilitator moves on to the results: every table's results tab shows them.
        room.move_on("Results", "Results")
        for page in room.tables().values():
            rows = page.get_by_role("table", name="Results", exact=True).get_by_role("row")
            expect(rows).to_have_count(1 + len(RANKING), timeout=KERNEL_START_MS)
            for rank, title in enumerate(RANKING, start=1):
                expect_cells(rows.nth(rank), str(rank), title)
        shot(section(room.pages["table-c"], "Results"), 15, "table-results")


def test_the_backlog_is_downloaded_from_the_console_and_nothing_left_the_machine(
    room: Room,
) -> None:
    with room.phase("None", after="scores"):
        console = room.pages["console"]
        console.get_by_role("combobox", name="Format").select_option(
            label="CSV for Excel (UTF-8 with BOM)"
        )
        button(console, "Prepare download").click()
        link = console.get_by_role("link", name=re.compile(r"Download .+-backlog\.csv"))
        expect(link).to_be_visible(timeout=LIVE_MS)
        with console.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == f"{room.slug}-backlog.csv"
        data = Path(download.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        ranked = [(row["Rank"], row["Issue"]) for row in rows[: len(RANKING)]]
        assert ranked == [(str(rank), title) for rank, title in enumerate(RANKING, start=1)]
        assert {row["Method"] for row in rows[: len(RANKING)]} == {"Weighted criteria scoring"}
        assert {row["Charter version"] for row in rows[: len(RANKING)]} == {"1"}
        shot(section(console, "Export the prioritised backlog"), 16, "export")

        # the table laptops opened nothing but their table apps (and their table links)
        assert set(room.pages) == {"console", "method", "results"} | {
            f"table-{laptop}" for laptop in TABLES
        }
        for name in room.pages:  # every app really ran (a kernel), not a 403 page
            assert any("/api/kernels/" in url for url in room.logs[name].urls), name
        for name, log in room.logs.items():
            assert log.outside() == [], f"the {name} page sent requests off this machine"


def test_each_person_at_a_table_is_one_participant_in_every_app(room: Room) -> None:
    """Each seat that took part (table + seat → participant) is one participant in the store
    all day, in every tab of its table app and on either side of table A's reload (two
    kernels): participants = seats, and nobody has more than one vote on any ballot."""
    store, slug = room.store, room.slug
    seats = store.seats(slug)
    person = {(x.table, x.seat): x.participant_id for x in seats}
    # seat 1 of each table, and seat 2 of tables 2 and 3 (the method vote, a consent)
    assert list(person) == [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2)]
    assert len(set(person.values())) == len(person)  # one participant per seat
    assert store.counts(slug)["participants"] == len(person)  # and nobody else

    def people(*seated: tuple[int, int]) -> list[int]:
        return sorted(person[x] for x in seated)

    firsts = ((1, 1), (2, 1), (3, 1))
    voted = {  # who took part in each ballot, by seat (worked from the steps above)
        "themes": people(*firsts),
        "method": people(*firsts, (2, 2), (3, 2)),
        "weights": people(*firsts),
    }
    for ballot in store.ballots(slug):
        voters = sorted(v.participant_id for v in store.votes(slug, ballot.key))
        assert len(voters) == len(set(voters)), ballot.purpose  # one vote per person
        assert voters == voted.get(ballot.purpose, []), ballot.purpose
    # table A's seat 1 answered the vision's consent check once (the reload's second refused)
    assert sorted(x.participant_id for x in store.vision_consents(slug, 1)) == people(*firsts)
    charter_consents = [x.participant_id for x in store.consents(slug, 1)]
    assert sorted(charter_consents) == people(*firsts, (3, 2))
    scores = store.scores(slug)
    per_rater = scores.groupby(scores["rater"].astype(int)).size().to_dict()
    assert per_rater == {participant: 2 * len(SCORES) for participant in people(*firsts)}
