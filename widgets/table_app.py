"""The table app: one laptop per table of 4–6 people (``workshops/table.ipynb``), all day.

Tabs in the workshop's phase order — うれしさ / Happiness (stakeholders, cards, themes, dot
vote, map), ビジョン / Vision, 課題 / Issues, 決め方 / Method (the method cards, the method
vote, weights, the consent check), 評価 / Scoring, 結果 / Results — under the seat buttons
(:class:`TableSeats`) that say who is entering a vote or a consent. The app follows the
console's phase: when the facilitator moves the workshop on, the table's tab follows, so a
table laptop keeps one kernel all day and nobody has to find the next notebook. The later
tabs and steps are built the first time they are shown, so a table's kernel starts light (the
map and the results bring their charts only when the group gets there). Every panel
subscribes to the app's one :class:`~widgets.live.LiveFeed`, so what other tables (or the
facilitator) write appears here on the next poll. Type is larger than Jupyter's default so
the screen can be read by a table of six, or on a projector.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets

from toolkit.i18n import t
from toolkit.model import Event
from widgets.context import AppContext
from widgets.happiness import (
    CardBoard,
    HappinessMap,
    StakeholderPanel,
    ThemeDotVote,
    ThemeGrouping,
)
from widgets.issues import IssueLinker
from widgets.live import LiveFeed
from widgets.seats import TableSeats
from widgets.ui import PHASE_EVENTS, stylesheet
from widgets.vision import VisionDraft

#: The tab of each phase (the town meeting and the export show the results).
PHASE_TAB = {
    "happiness": 0,
    "vision": 1,
    "issues": 2,
    "method": 3,
    "scoring": 4,
    "results": 5,
    "town_meeting": 5,
    "export": 5,
}
TAB_TITLES = (
    "table_tab_happiness",
    "table_tab_vision",
    "table_tab_issues",
    "table_tab_method",
    "table_tab_scoring",
    "table_tab_results",
)


class TableApp(ipywidgets.VBox):
    """Seats above six tabs, one per phase; the tab follows the console's phase."""

    def __init__(self, ctx: AppContext, feed: LiveFeed, *, seats: int = 6, **kwargs: Any) -> None:
        self.ctx = ctx
        self.feed = feed
        lang = ctx.lang
        self.seats = TableSeats(ctx, seats=seats)
        self.stakeholders = StakeholderPanel(ctx, feed)
        self.cards = CardBoard(ctx, feed, seats=self.seats)
        # Every other panel is built the first time its tab is shown (or a caller asks for
        # it), so a room of table laptops opening at once starts light: the map's chart
        # alone costs a kernel a second of CPU (docs/benchmarks.md).
        self._makers: dict[str, Callable[[], ipywidgets.Widget]] = {
            "themes": lambda: ThemeGrouping(ctx, feed),
            "dot_vote": lambda: ThemeDotVote(ctx, self.seats, feed),
            "map": lambda: HappinessMap(ctx, feed),
            "vision": lambda: VisionDraft(ctx, self.seats, feed),
            "issues": lambda: IssueLinker(ctx, feed),
        }
        self._boxes = {name: ipywidgets.VBox() for name in self._makers}

        steps = [
            ("table_step_stakeholders", self.stakeholders),
            ("table_step_cards", self.cards),
            ("table_step_themes", self._boxes["themes"]),
            ("table_step_dots", self._boxes["dot_vote"]),
            ("table_step_map", self._boxes["map"]),
        ]
        self.happiness = ipywidgets.Tab(children=[panel for _, panel in steps])
        for index, (key, _) in enumerate(steps):
            self.happiness.set_title(index, t(key, lang))
        self.happiness.observe(self._step_shown, names=["selected_index"])
        # The later phases' panels, built the first time their tab is shown.
        self.method = ipywidgets.VBox()
        self.scoring = ipywidgets.VBox()
        self.results = ipywidgets.VBox()
        self._builders: dict[int, Callable[[], object]] = {
            1: lambda: self.vision,
            2: lambda: self.issues,
            3: self._build_method,
            4: self._build_scoring,
            5: self._build_results,
        }
        self.tabs = ipywidgets.Tab(
            children=[
                self.happiness,
                self._boxes["vision"],
                self._boxes["issues"],
                self.method,
                self.scoring,
                self.results,
            ]
        )
        for index, key in enumerate(TAB_TITLES):
            self.tabs.set_title(index, t(key, lang))
        self.tabs.observe(self._tab_shown, names=["selected_index"])
        self.follow(ctx.store.workshop(ctx.slug).phase)
        feed.subscribe(self._phase_changed, kinds=PHASE_EVENTS)
        super().__init__(children=[stylesheet(), self.seats, self.tabs], **kwargs)
        self.add_class("ureshii-table")

    def _panel(self, name: str) -> Any:
        """The panel ``name``, built and put in its tab the first time it is needed."""
        box = self._boxes[name]
        if not box.children:
            box.children = (self._makers[name](),)
        return box.children[0]

    @property
    def themes(self) -> ThemeGrouping:
        panel: ThemeGrouping = self._panel("themes")
        return panel

    @property
    def dot_vote(self) -> ThemeDotVote:
        panel: ThemeDotVote = self._panel("dot_vote")
        return panel

    @property
    def map(self) -> HappinessMap:
        panel: HappinessMap = self._panel("map")
        return panel

    @property
    def vision(self) -> VisionDraft:
        panel: VisionDraft = self._panel("vision")
        return panel

    @property
    def issues(self) -> IssueLinker:
        panel: IssueLinker = self._panel("issues")
        return panel

    def _step_shown(self, change: dict[str, Any]) -> None:
        shown = self.happiness.children[int(change["new"] or 0)]
        for name, box in self._boxes.items():
            if box is shown:
                self._panel(name)

    def follow(self, phase: str) -> None:
        """Show the tab of ``phase`` (the console moved the workshop on)."""
        index = PHASE_TAB.get(phase, 0)
        if self.tabs.selected_index == index:
            self._tab_shown({"new": index})
        self.tabs.selected_index = index

    def _phase_changed(self, events: list[Event]) -> None:
        self.follow(str(events[-1].payload.get("phase", "")))

    def _tab_shown(self, change: dict[str, Any]) -> None:
        build = self._builders.pop(int(change["new"] or 0), None)
        if build is not None:
            build()

    def _build_method(self) -> None:
        from widgets.method import ConsentCheck, MethodCards, MethodVote, WeightAgreement

        ctx, feed, seats = self.ctx, self.feed, self.seats
        self.method.children = (
            MethodCards(ctx),
            MethodVote(ctx, feed, seats),
            WeightAgreement(ctx, feed, seats),
            ConsentCheck(ctx, feed, seats, show_charter=True),
        )

    def _build_scoring(self) -> None:
        from widgets.scoring import ScoringForm

        self.scoring.children = (ScoringForm(self.ctx, self.feed, self.seats),)

    def _build_results(self) -> None:
        from widgets.results import ResultsView

        self.results.children = (ResultsView(self.ctx, self.feed),)
