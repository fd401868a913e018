"""The console itself: choosing or opening a workshop, the projector check, and the screen
that holds every panel (:class:`FacilitatorConsole`), or says why there is none yet."""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets

from toolkit.errors import UreshiiError
from toolkit.i18n import normalize_language, t
from toolkit.store import Store
from toolkit.workshop_file import WorkshopFileProblems
from widgets.console.ballots import BallotControls
from widgets.console.charter import CharterControls
from widgets.console.limits import LimitsPanel
from widgets.console.phases import PhaseStepper
from widgets.console.room import LiveCounts, TableLinks
from widgets.context import ENV_WORKSHOP, AppContext, language_from_query
from widgets.export_panel import ExportPanel
from widgets.feedback import MessageArea, guarded
from widgets.followup.link import FollowupLink
from widgets.join import JoinPanel
from widgets.live import LiveFeed
from widgets.surveys.console import SurveyPanel
from widgets.ui import WIDE_LABEL, button, heading, stylesheet


# ---------------------------------------------------------------------- opening workshops
class WorkshopPicker(ipywidgets.VBox):
    """Choose a workshop of the store, or create one from a workshop file (YAML)."""

    def __init__(
        self,
        store: Store,
        lang: str,
        on_choose: Callable[[str], None],
        *,
        current: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.store = store
        self.lang = lang
        self.on_choose = on_choose
        self.message = MessageArea()
        self.problems = ipywidgets.HTML()
        workshops = store.workshops()
        self.chooser = ipywidgets.Dropdown(
            options=[(f"{w.title} ({w.slug})", w.slug) for w in workshops],
            value=current if current in {w.slug for w in workshops} else None,
            description=t("console_workshop_choose", lang),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(
                display="flex" if len(workshops) > 1 else "none", width="40em"
            ),
        )
        self.path = ipywidgets.Text(
            description=t("console_workshop_file", lang),
            placeholder=t("console_workshop_file_hint", lang),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="40em"),
        )
        self.open_button = button(
            description=t("console_workshop_file_open", lang), icon="folder-open"
        )
        self.chooser.observe(self._chosen, names=["value"])
        self.open_button.on_click(guarded(self.message, lang)(self.open_file))
        super().__init__(
            children=[
                self.chooser,
                ipywidgets.HBox([self.path, self.open_button]),
                self.problems,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("ureshii-workshop-picker")

    def _chosen(self, change: dict[str, Any]) -> None:
        if change["new"] and change["new"] != change["old"]:
            guarded(self.message, self.lang)(self.on_choose)(change["new"])

    def open_file(self, _button: object = None) -> None:
        self.problems.value = ""
        path = self.path.value.strip()
        if not path:
            self.message.show(t("console_workshop_file_missing", self.lang), "error")
            return
        try:
            workshop = self.store.load_workshop_file(path)
        except WorkshopFileProblems as problems:
            lines = "".join(f"<li>{escape(p.format(self.lang))}</li>" for p in problems.problems)
            self.problems.value = f'<ul role="alert" class="ureshii-file-problems">{lines}</ul>'
            self.message.show(problems.message(self.lang).splitlines()[0], "error")
            return
        self.message.show(t("console_workshop_created", self.lang, title=workshop.title), "success")
        self.on_choose(workshop.slug)


# ---------------------------------------------------------------------- the console
class ProjectorCheck(ipywidgets.VBox):
    """A sample chart to check, before the workshop, that the back row can read charts.

    Drawn on request (``show=False``): the chart engine (vl-convert) adds ~70 MB to the
    kernel, which the console itself does not need.
    """

    def __init__(self, lang: str, *, show: bool = False) -> None:
        self.lang = lang
        self.show_button = button(t("console_projector_check_show", lang), icon="bar-chart")
        self.show_button.on_click(lambda _b: self.show())
        self.heading = heading(t("console_projector_check_heading", lang))
        self.hint = ipywidgets.HTML(f"<p>{escape(t('console_projector_check_hint', lang))}</p>")
        super().__init__([self.heading, self.hint, self.show_button])
        if show:
            self.show()

    def show(self) -> None:
        from toolkit.charts import demo_chart  # the chart engine, only when asked for
        from widgets.chart import ChartView

        chart = ChartView(demo_chart(self.lang), lang=self.lang)
        self.children = (self.heading, self.hint, chart)  # the chart takes the button's place


class FacilitatorConsole(ipywidgets.VBox):
    """The whole console for one workshop (see the module docstring)."""

    def __init__(
        self, ctx: AppContext, feed: LiveFeed, *, join_url: str | None = None, **kwargs: Any
    ):
        self.ctx = ctx
        self.feed = feed
        self.join_url = join_url
        super().__init__(**kwargs)
        self.add_class("ureshii-console")
        self._build()

    def _build(self) -> None:
        ctx, feed = self.ctx, self.feed
        workshop = ctx.store.workshop(ctx.slug)
        lang = ctx.lang
        language = t(f"console_language_{workshop.lang}", lang)
        self.header = ipywidgets.HTML(
            f"<p style='font-size:1.3em;margin:.2em 0'><b>{escape(workshop.title)}</b> "
            f"<small>({escape(workshop.slug)}; "
            f"{escape(t('console_language', lang, lang=language))})"
            "</small></p>"
        )
        self.picker = WorkshopPicker(ctx.store, lang, self.switch, current=ctx.slug)
        self.stepper = PhaseStepper(ctx, feed)
        self.join = JoinPanel(ctx, url=self.join_url)
        self.tables = TableLinks(ctx, feed, join_url=self.join_url)
        self.counts = LiveCounts(ctx, feed)
        self.charter = CharterControls(ctx, feed)
        self.ballots = BallotControls(ctx, feed)
        self.surveys = SurveyPanel(ctx, feed, join_url=self.join_url)
        self.limits = LimitsPanel(ctx, feed)
        self.exports = ExportPanel(ctx)
        half = ipywidgets.Layout(flex="1 1 28em", margin="0 1em 0 0")
        self.join.layout, self.counts.layout = half, ipywidgets.Layout(flex="1 1 28em")
        self.children = (
            stylesheet(),
            self.header,
            self.picker,
            self.stepper,
            ipywidgets.HBox(
                [self.join, self.counts], layout=ipywidgets.Layout(flex_flow="row wrap")
            ),
            self.tables,
            self.charter,
            self.ballots,
            self.surveys,
            self.limits,
            self.exports,
            FollowupLink(ctx, feed),
            ProjectorCheck(lang),
        )
        if feed.running:
            self.stepper.start_clock()

    def switch(self, slug: str) -> None:
        """Open another workshop of the store: new context, new live feed, new panels."""
        if slug == self.ctx.slug:
            return
        running = self.feed.running
        self.feed.stop()
        self.stepper.stop_clock()
        self.ctx = AppContext.for_store(self.ctx.store, slug, self.ctx.lang)
        self.feed = LiveFeed(self.ctx.store, slug, interval=self.feed.interval)
        if running:
            self.feed.start()
        self._build()


class ConsoleUnavailable(ipywidgets.VBox):
    """What the console shows when no store, or no workshop, is there yet: what to do, the
    workshop-file form when there is a store, and the projector check."""

    def __init__(self, reason: str, lang: str, store: Store | None = None) -> None:
        self.store = store
        self.lang = lang
        note = ipywidgets.HTML(f'<p role="note" style="font-size:1.2em">{escape(reason)}</p>')
        children: list[ipywidgets.Widget] = [stylesheet(), note]
        if store is not None:
            self.picker = WorkshopPicker(store, lang, self.opened)
            children.append(self.picker)
        children.append(ProjectorCheck(lang, show=True))
        super().__init__(children=children)
        self.add_class("ureshii-console")

    def opened(self, slug: str) -> None:
        assert self.store is not None
        ctx = AppContext.for_store(self.store, slug, self.lang)
        feed = LiveFeed(ctx.store, ctx.slug)
        feed.start()
        self.children = (FacilitatorConsole(ctx, feed),)


def open_console(lang: str | None = None) -> ipywidgets.VBox:
    """The console for the store and workshop named by the environment, its feed started.

    Without ``URESHII_DATABASE_URL`` it says how to start one; with an empty store it offers
    the workshop-file form.
    """
    lang = lang or language_from_query(os.environ.get("QUERY_STRING", ""))
    language = normalize_language(lang)
    if not os.environ.get("URESHII_DATABASE_URL"):
        return ConsoleUnavailable(t("console_no_store", language), language)
    store = Store.open(None)
    if not store.workshops():
        return ConsoleUnavailable(t("console_no_workshop", language), language, store)
    try:
        ctx = AppContext.for_store(store, os.environ.get(ENV_WORKSHOP) or None, lang)
    except UreshiiError as error:
        return ConsoleUnavailable(error.message(language), language, store)
    feed = LiveFeed(ctx.store, ctx.slug)
    feed.start()
    return FacilitatorConsole(ctx, feed)
