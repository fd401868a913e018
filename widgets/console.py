"""The facilitator console: run a workshop from the facilitator's laptop.

One screen for the person who runs the room: which workshop is open (and opening another
from a workshop file), the phase stepper with a timer per phase, the participants' join
link and QR code, live counts, the method charter's lock, and the ballots (open, close,
release results). Every button writes through :class:`toolkit.store.Store` and every view
re-reads the store when the :class:`~widgets.live.LiveFeed` reports a change, so what the
console shows is what every other screen sees.

>>> console = FacilitatorConsole(ctx, feed)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit

import ipywidgets

from toolkit import consent
from toolkit.ballots import BALLOT_RULES, ballot_rule, rule_name
from toolkit.ballots.purposes import (
    THEME_DOTS,
    ballots_left_open,
    start_theme_dot_vote,
    theme_ballot,
)
from toolkit.errors import UreshiiError
from toolkit.i18n import normalize_language, t
from toolkit.methods.registry import METHODS, method_name
from toolkit.model import PHASES, Ballot, Event, MethodCharter, Workshop
from toolkit.server.tables import ENV_TABLE_LINK_KEY, table_link
from toolkit.store import Store
from toolkit.store.schema import MAX_TABLES
from toolkit.workshop_file import WorkshopFileProblems
from widgets.confirm import ConfirmButton
from widgets.context import ENV_WORKSHOP, AppContext, language_from_query
from widgets.export_panel import ExportPanel
from widgets.feedback import MessageArea, guarded
from widgets.join import ENV_JOIN_URL, JoinPanel, qr_svg
from widgets.live import LiveFeed

log = logging.getLogger(__name__)

CLOCK_INTERVAL_S = 5.0
"""How often the phase timer is redrawn while the console runs in Voilà."""

_STYLE = """
<style>
.ureshii-console, .ureshii-console .widget-html-content {font-size:18px; line-height:1.4;
  color:#1f2933}
.ureshii-console h2 {font-size:1.35em; margin:.8em 0 .3em; border-bottom:2px solid #d9d4c7}
.ureshii-console .widget-label, .ureshii-console .widget-button,
.ureshii-console input, .ureshii-console select {font-size:16px}
.ureshii-steps {display:flex; flex-wrap:wrap; gap:.3em; list-style:none; padding:0; margin:.3em 0}
.ureshii-steps li {padding:.25em .6em; border:2px solid #9aa5b1; border-radius:.4em}
.ureshii-steps li[aria-current=step] {background:#1d4f91; color:#fff; border-color:#1d4f91;
  font-weight:700}
.ureshii-counts {display:flex; flex-wrap:wrap; gap:1em; margin:.3em 0}
.ureshii-counts div {min-width:6em; text-align:center; border:1px solid #d9d4c7;
  border-radius:.4em; padding:.3em .6em}
.ureshii-counts b {display:block; font-size:2em}
.ureshii-timer {font-size:1.6em; font-weight:700}
.ureshii-timer.over {color:#a4161a}
.ureshii-join-url {font-size:1.6em; font-weight:700; word-break:break-all}
.ureshii-join-code {font-size:1.4em; font-weight:700; letter-spacing:.08em}
</style>
"""


def _button(description: str = "", **kwargs: Any) -> ipywidgets.Button:
    """A button as wide as its label (the default width cuts Japanese labels off)."""
    kwargs.setdefault("layout", ipywidgets.Layout(width="auto", min_width="6em"))
    return ipywidgets.Button(description=description, **kwargs)


def section_heading(key: str, lang: str) -> ipywidgets.HTML:
    """An ``<h2>`` for one part of the console."""
    return ipywidgets.HTML(f"<h2>{escape(t(key, lang))}</h2>")


def phase_name(phase: str, lang: str) -> str:
    """A phase's display name (``happiness`` → うれしさマップ / Happiness map)."""
    return t(f"console_phase_{phase}", lang)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes that are UTC; PostgreSQL gives aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ---------------------------------------------------------------------- phases and timers
@dataclass(frozen=True)
class PhasePlan:
    """One phase of the workshop's flow and its time box (minutes, if the file gives one)."""

    id: str
    minutes: int | None


def phase_plan(workshop: Workshop) -> list[PhasePlan]:
    """The workshop's phases in order, from its workshop file (all phases if none listed)."""
    listed = workshop.spec.get("phases") or [{"id": phase} for phase in PHASES]
    return [PhasePlan(str(p["id"]), p.get("minutes")) for p in listed if p.get("id") in PHASES]


def latest_phase_change(store: Store, slug: str) -> Event | None:
    """The newest ``phase_changed`` event: when the current phase started (on every screen)."""
    found: Event | None = None
    since = 0
    while True:
        batch = store.changes(slug, since=since, limit=5000)
        for event in batch:
            if event.kind == "phase_changed":
                found = event
        if len(batch) < 5000:
            return found
        since = batch[-1].seq


@dataclass(frozen=True)
class PhaseTimer:
    """Where the current phase stands against its time box, at one moment."""

    started: datetime | None
    minutes: int | None
    elapsed_s: int

    @property
    def remaining_s(self) -> int | None:
        if self.minutes is None or self.started is None:
            return None
        return self.minutes * 60 - self.elapsed_s

    @property
    def over(self) -> bool:
        remaining = self.remaining_s
        return remaining is not None and remaining < 0


def phase_timer(started: datetime | None, minutes: int | None, now: datetime) -> PhaseTimer:
    """The timer of a phase that started at ``started`` (an event's time), seen at ``now``.

    >>> from datetime import datetime, UTC
    >>> timer = phase_timer(datetime(2026, 1, 1, 9, 0), 30, datetime(2026, 1, 1, 9, 10, tzinfo=UTC))
    >>> timer.remaining_s
    1200
    """
    if started is None:
        return PhaseTimer(None, minutes, 0)
    elapsed = int((as_utc(now) - as_utc(started)).total_seconds())
    return PhaseTimer(as_utc(started), minutes, max(0, elapsed))


def quoted_titles(titles: list[str], lang: str) -> str:
    """``["Dots", "Town"]`` → ``“Dots”, “Town”`` (``「Dots」、「Town」`` in Japanese)."""
    if lang == "ja":
        return "、".join(f"「{title}」" for title in titles)
    return ", ".join(f"“{title}”" for title in titles)


def clock(seconds: int) -> str:
    """``754`` → ``"12:34"`` (minutes may exceed 59)."""
    minutes, secs = divmod(abs(int(seconds)), 60)
    return f"{minutes:02d}:{secs:02d}"


class PhaseStepper(ipywidgets.VBox):
    """The workshop's phases, the current one highlighted, with previous / next / jump and a
    timer. The timer starts at the latest ``phase_changed`` event, so it survives a kernel
    restart and reads the same on every screen."""

    def __init__(self, ctx: AppContext, feed: LiveFeed, **kwargs: Any) -> None:
        self.ctx = ctx
        self.feed = feed
        lang = ctx.lang
        workshop = ctx.store.workshop(ctx.slug)
        self.plan = phase_plan(workshop)
        self.phase: str = workshop.phase
        event = latest_phase_change(ctx.store, ctx.slug)
        self.started: datetime | None = event.at if event else None
        self._clock_task: asyncio.Task[None] | None = None

        self.steps = ipywidgets.HTML()
        self.timer = ipywidgets.HTML()
        self.message = MessageArea()
        self.previous_button = _button(
            description=t("console_phase_previous", lang), icon="arrow-left"
        )
        self.next_button = _button(
            description=t("console_phase_next", lang), icon="arrow-right", button_style="primary"
        )
        self.jump = ipywidgets.Dropdown(
            options=[(phase_name(p.id, lang), p.id) for p in self.plan],
            value=None,
            description=t("console_phase_jump", lang),
            style={"description_width": "initial"},
        )
        self.jump_button = _button(description=t("console_phase_go", lang))
        self.restart_button = _button(description=t("console_timer_restart", lang), icon="clock-o")
        # Moving on while votes of another phase are open: say which, and offer to close them.
        self.pending_phase: str | None = None
        self.left_open_text = ipywidgets.HTML()
        self.close_and_go = _button(
            description=t("console_phase_close_and_go", lang), icon="stop", button_style="danger"
        )
        self.keep_and_go = _button(
            description=t("console_phase_keep_and_go", lang), icon="arrow-right"
        )
        self.cancel_go = _button(description=t("confirm_cancel", lang))
        self.left_open = ipywidgets.VBox(
            [
                self.left_open_text,
                ipywidgets.HBox([self.close_and_go, self.keep_and_go, self.cancel_go]),
            ],
            layout=ipywidgets.Layout(display="none"),
        )
        self.left_open.add_class("ureshii-phase-warning")
        act = guarded(self.message, lang)
        self.close_and_go.on_click(act(lambda _b: self.continue_to_pending(close=True)))
        self.keep_and_go.on_click(act(lambda _b: self.continue_to_pending(close=False)))
        self.cancel_go.on_click(act(lambda _b: self.forget_pending()))
        self.previous_button.on_click(act(lambda _b: self.step(-1)))
        self.next_button.on_click(act(lambda _b: self.step(+1)))
        self.jump_button.on_click(act(lambda _b: self.go_to(self.jump.value)))
        self.restart_button.on_click(act(lambda _b: self.go_to(self.phase)))
        controls = ipywidgets.HBox(
            [self.previous_button, self.next_button, self.jump, self.jump_button]
        )
        super().__init__(
            children=[
                section_heading("console_phases_heading", lang),
                self.steps,
                ipywidgets.HBox([self.timer, self.restart_button]),
                controls,
                self.left_open,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("ureshii-phase-stepper")
        feed.subscribe(self._on_events, kinds={"phase_changed"})
        self.render()

    # -- actions
    def _index(self) -> int:
        ids = [p.id for p in self.plan]
        return ids.index(self.phase) if self.phase in ids else -1

    def step(self, delta: int) -> None:
        index = self._index() + delta
        if not 0 <= index < len(self.plan):
            self.message.show(t("console_phase_no_more", self.ctx.lang), "info")
            return
        self.go_to(self.plan[index].id)

    def go_to(self, phase: str | None) -> None:
        """Move the room to ``phase``; if votes that do not serve it are still open, first
        ask whether to close them (:func:`toolkit.ballots.purposes.ballots_left_open`)."""
        if not phase:
            self.message.show(t("console_phase_choose", self.ctx.lang), "info")
            return
        left = ballots_left_open(self.ctx.store.ballots(self.ctx.slug), phase)
        if left and phase != self.phase:  # restarting the timer leaves the room where it is
            self.pending_phase = phase
            warning = t(
                "console_phase_open_ballots",
                self.ctx.lang,
                phase=phase_name(phase, self.ctx.lang),
                ballots=quoted_titles([b.title for b in left], self.ctx.lang),
            )
            self.left_open_text.value = f'<p role="alert">⚠ {escape(warning)}</p>'
            self.left_open.layout.display = "flex"
            self.message.clear()
            return
        self._move(phase)

    def continue_to_pending(self, *, close: bool) -> None:
        """Go on to the phase that was asked for, closing the votes left open first or not."""
        phase = self.pending_phase
        if phase is None:
            return
        closed = []
        if close:
            for ballot in ballots_left_open(self.ctx.store.ballots(self.ctx.slug), phase):
                closed.append(self.ctx.store.close_ballot(self.ctx.slug, ballot.key).title)
        self.forget_pending()
        self._move(phase)
        if closed:
            names = quoted_titles(closed, self.ctx.lang)
            now = t("console_phase_now", self.ctx.lang, phase=phase_name(phase, self.ctx.lang))
            done = t("console_phase_closed_left_open", self.ctx.lang, ballots=names)
            self.message.show(f"{now} {done}", "success")

    def forget_pending(self) -> None:
        """Stay in the current phase (the question is withdrawn)."""
        self.pending_phase = None
        self.left_open.layout.display = "none"

    def _move(self, phase: str) -> None:
        self.forget_pending()
        self.ctx.store.set_phase(self.ctx.slug, phase)
        self.refresh()
        self.message.show(
            t("console_phase_now", self.ctx.lang, phase=phase_name(phase, self.ctx.lang)), "success"
        )

    # -- reading the store
    def refresh(self) -> None:
        """Re-read the phase and when it started from the store."""
        self.phase = self.ctx.store.workshop(self.ctx.slug).phase
        event = latest_phase_change(self.ctx.store, self.ctx.slug)
        self.started = event.at if event else None
        self.render()

    def _on_events(self, events: list[Event]) -> None:
        self.phase = str(events[-1].payload.get("phase", self.phase))
        self.started = events[-1].at
        self.render()

    def current_minutes(self) -> int | None:
        return next((p.minutes for p in self.plan if p.id == self.phase), None)

    def timer_state(self, now: datetime | None = None) -> PhaseTimer:
        return phase_timer(self.started, self.current_minutes(), now or datetime.now(UTC))

    def render(self, now: datetime | None = None) -> None:
        lang = self.ctx.lang
        items = []
        for number, plan in enumerate(self.plan, start=1):
            current = ' aria-current="step"' if plan.id == self.phase else ""
            minutes = t("console_minutes", lang, n=plan.minutes) if plan.minutes else ""
            label = f"{number}. {phase_name(plan.id, lang)}"
            items.append(f"<li{current}>{escape(label)} <small>{escape(minutes)}</small></li>")
        aria = escape(t("console_phases_heading", lang), quote=True)
        steps = f'<ol class="ureshii-steps" aria-label="{aria}">{"".join(items)}</ol>'
        timer = self.timer_state(now)
        if timer.started is None:
            text, over = t("console_timer_not_started", lang), False
        elif timer.remaining_s is None:
            text, over = t("console_timer_elapsed", lang, time=clock(timer.elapsed_s)), False
        elif timer.over:
            text, over = t("console_timer_over", lang, time=clock(timer.remaining_s)), True
        else:
            text, over = t("console_timer_left", lang, time=clock(timer.remaining_s)), False
        css = "ureshii-timer over" if over else "ureshii-timer"
        now_label = t("console_phase_current", lang, phase=phase_name(self.phase, lang))
        with self.hold_sync():
            self.steps.value = steps
            self.timer.value = (
                f'<div class="{css}" role="timer" aria-live="off">'
                f"{escape(now_label)} — {escape(text)}</div>"
            )
            index = self._index()
            self.previous_button.disabled = index <= 0
            self.next_button.disabled = index >= len(self.plan) - 1

    # -- the clock (Voilà only: tests call render(now=…))
    def start_clock(self, interval: float = CLOCK_INTERVAL_S) -> None:
        """Redraw the timer every ``interval`` seconds on the running event loop."""
        if self._clock_task is None or self._clock_task.done():
            self._clock_task = asyncio.get_event_loop().create_task(self._tick(interval))

    def stop_clock(self) -> None:
        if self._clock_task is not None:
            self._clock_task.cancel()
            self._clock_task = None

    async def _tick(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                self.render()
            except Exception:  # a redraw must never stop the clock
                log.exception("redrawing the phase timer failed")


# ---------------------------------------------------------------------- table links
#: Tables listed at first (more with the "tables" field); a room of 20–60 has 4–10 tables.
DEFAULT_TABLES = 6


def server_origin(join_url: str) -> str:
    """``http://HOST:PORT`` of the join link (the table links go to the same server)."""
    parts = urlsplit(join_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class TableLinks(ipywidgets.VBox):
    """One link and QR code per table laptop: it opens that table's apps only (never the
    console), and the facilitator can revoke it (``toolkit.server.tables``)."""

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed | None = None,
        *,
        join_url: str | None = None,
        key: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.ctx = ctx
        lang = ctx.lang
        self.key = key if key is not None else os.environ.get(ENV_TABLE_LINK_KEY, "")
        self.origin = server_origin(
            join_url if join_url is not None else os.environ.get(ENV_JOIN_URL, "")
        )
        self.count = ipywidgets.BoundedIntText(
            value=DEFAULT_TABLES,
            min=1,
            max=MAX_TABLES,
            description=t("console_tables_count", lang),
            style={"description_width": "initial"},
        )
        self.count.observe(lambda _change: self.refresh(), names=["value"])
        self.rows = ipywidgets.VBox()
        self.message = MessageArea()
        hint = ipywidgets.HTML(f"<p>{escape(t('console_tables_hint', lang))}</p>")
        super().__init__(
            children=[
                section_heading("console_tables_heading", lang),
                hint,
                self.count,
                self.rows,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("ureshii-table-links")
        if feed is not None:
            feed.subscribe(lambda _events: self.refresh(), kinds={"table_link_revoked"})
        self.refresh()

    def link(self, table: int) -> str:
        """Table ``table``'s link for its current generation (an absolute URL)."""
        generation = self.ctx.store.table_link_generation(self.ctx.slug, table)
        return self.origin + table_link(self.key, "/", self.ctx.slug, table, generation)

    def refresh(self) -> None:
        lang = self.ctx.lang
        if not (self.key and self.origin):
            self.rows.children = (
                ipywidgets.HTML(f'<p role="note">{escape(t("console_tables_missing", lang))}</p>'),
            )
            return
        rows = []
        for table in range(1, int(self.count.value) + 1):
            url = self.link(table)
            label = escape(t("console_tables_qr_label", lang, table=table), quote=True)
            view = ipywidgets.HTML(
                f"<b>{escape(t('seat_table_label', lang, n=table))}</b> "
                f'<span class="ureshii-table-url">{escape(url)}</span>'
                f'<figure role="img" aria-label="{label}" style="margin:0">'
                f"{qr_svg(url, 3)}</figure>"
            )
            # A revoked link cannot be brought back: it asks first (widgets/confirm.py).
            revoke = ConfirmButton(
                t("console_tables_revoke", lang),
                question=t("confirm_revoke_link", lang, table=table),
                confirm=t("confirm_revoke_link_yes", lang),
                lang=lang,
                on_confirm=guarded(self.message, lang)(self._revoker(table)),
                icon="ban",
            )
            rows.append(ipywidgets.HBox([view, revoke]))
        self.rows.children = tuple(rows)

    def _revoker(self, table: int) -> Callable[[object], None]:
        def revoke(_button: object = None) -> None:
            self.ctx.store.revoke_table_link(self.ctx.slug, table)
            self.refresh()
            self.message.show(t("console_tables_revoked", self.ctx.lang, table=table), "success")

        return revoke


# ---------------------------------------------------------------------- counts
COUNT_KEYS = ("participants", "cards", "themes", "issues", "scores", "votes")


class LiveCounts(ipywidgets.VBox):
    """How many participants, cards, themes, issues, scores and votes there are, live."""

    def __init__(self, ctx: AppContext, feed: LiveFeed, **kwargs: Any) -> None:
        self.ctx = ctx
        self.counts: dict[str, int] = {}
        self.view = ipywidgets.HTML()
        super().__init__(
            children=[section_heading("console_counts_heading", ctx.lang), self.view], **kwargs
        )
        self.add_class("ureshii-counts-panel")
        feed.subscribe(lambda _events: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self.counts = self.ctx.store.counts(self.ctx.slug)
        cells = "".join(
            f"<div><b>{self.counts.get(key, 0)}</b>"
            f"{escape(t(f'console_count_{key}', self.ctx.lang))}</div>"
            for key in COUNT_KEYS
        )
        self.view.value = f'<div class="ureshii-counts" role="status">{cells}</div>'


# ---------------------------------------------------------------------- method charter
CHARTER_EVENTS = {"charter_proposed", "charter_amended", "charter_locked", "consent_given"}


class CharterControls(ipywidgets.VBox):
    """The method charter's state, lock, and "propose a change" (which needs a reason)."""

    def __init__(self, ctx: AppContext, feed: LiveFeed, **kwargs: Any) -> None:
        self.ctx = ctx
        lang = ctx.lang
        self.charter: MethodCharter | None = None
        self.state = ipywidgets.HTML()
        self.message = MessageArea()
        act = guarded(self.message, lang)
        # Locking is what scoring relies on: it asks first (widgets/confirm.py).
        self.locker = ConfirmButton(
            t("console_charter_lock", lang),
            question=t("confirm_lock_charter", lang),
            confirm=t("confirm_lock_charter_yes", lang),
            lang=lang,
            on_confirm=act(self.lock),
            icon="lock",
            button_style="primary",
        )
        self.lock_button = self.locker.button
        self.change_button = _button(description=t("console_charter_change", lang), icon="unlock")
        self.reason = ipywidgets.Textarea(
            description=t("console_charter_reason", lang),
            placeholder=t("console_charter_reason_hint", lang),
            style={"description_width": "initial"},
            layout=ipywidgets.Layout(width="36em"),
        )
        self.confirm_change = _button(
            description=t("console_charter_change_confirm", lang), button_style="warning"
        )
        self.cancel_change = _button(description=t("console_cancel", lang))
        self.change_form = ipywidgets.VBox(
            [self.reason, ipywidgets.HBox([self.confirm_change, self.cancel_change])],
            layout=ipywidgets.Layout(display="none"),
        )
        self.change_button.on_click(act(self.ask_reason))
        self.confirm_change.on_click(act(self.propose_change))
        self.cancel_change.on_click(act(self.hide_reason))
        super().__init__(
            children=[
                section_heading("console_charter_heading", lang),
                self.state,
                ipywidgets.HBox([self.locker, self.change_button]),
                self.change_form,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("ureshii-charter-controls")
        feed.subscribe(lambda _events: self.refresh(), kinds=CHARTER_EVENTS)
        self.refresh()

    def lock(self, _button: object = None) -> None:
        charter = self.ctx.store.lock_charter(self.ctx.slug)
        self.refresh()
        self.message.show(
            t("console_charter_locked_ok", self.ctx.lang, version=charter.version), "success"
        )

    def ask_reason(self, _button: object = None) -> None:
        self.change_form.layout.display = "flex"
        self.message.show(t("console_charter_reason_prompt", self.ctx.lang), "info")

    def hide_reason(self, _button: object = None) -> None:
        self.change_form.layout.display = "none"
        self.message.clear()

    def propose_change(self, _button: object = None) -> None:
        charter = self.ctx.store.revise_charter(self.ctx.slug, reason=self.reason.value)
        self.reason.value = ""
        self.change_form.layout.display = "none"
        self.refresh()
        self.message.show(
            t("console_charter_changed_ok", self.ctx.lang, version=charter.version), "success"
        )

    def refresh(self) -> None:
        lang = self.ctx.lang
        charters = self.ctx.store.charters(self.ctx.slug)
        self.charter = charters[-1] if charters else None
        charter = self.charter
        if charter is None:
            html = f"<p>{escape(t('console_charter_none', lang))}</p>"
            locked = False
        else:
            method = method_name(charter.method, lang)
            if charter.locked:
                counted = consent.tally_from_record(charter.consent)
                state = t(
                    "console_charter_state_locked", lang, version=charter.version, method=method
                )
            else:
                answers = self.ctx.store.consents(self.ctx.slug, charter.version)
                counted = consent.tally(c.level for c in answers)
                state = t(
                    "console_charter_state_draft", lang, version=charter.version, method=method
                )
            reason = ""
            if charter.reason:
                shown = t("console_charter_reason_shown", lang, reason=charter.reason)
                reason = f"<p>{escape(shown)}</p>"
            html = (
                f'<p style="font-size:1.2em;font-weight:700">'
                f"{escape(state)}</p>{reason}<p>{escape(consent.summary(counted, lang))}</p>"
            )
            locked = charter.locked
        with self.hold_sync():
            self.state.value = html
            self.lock_button.disabled = charter is None or locked
            self.change_button.disabled = not locked


# ---------------------------------------------------------------------- ballots
BALLOT_EVENTS = {
    "ballot_created",
    "ballot_opened",
    "ballot_closed",
    "results_released",
    "vote_cast",
}


def option_names(store: Store, slug: str, lang: str) -> dict[str, str]:
    """Readable names of ballot options: issues, themes, criteria or methods, by key."""
    names: dict[str, str] = {key: method_name(key, lang) for key in METHODS}
    names.update({c.key: c.name for c in store.criteria(slug)})
    names.update({th.key: th.name for th in store.themes(slug)})
    names.update({i.key: i.title for i in store.issues(slug)})
    return names


class BallotRow(ipywidgets.VBox):
    """One ballot: its state, and the buttons that fit it (open, close with confirmation,
    release results)."""

    def __init__(self, ctx: AppContext, ballot: Ballot, on_change: Callable[[], None]) -> None:
        self.ctx = ctx
        self.key = ballot.key
        self.on_change = on_change
        lang = ctx.lang
        self.ballot = ballot
        self.info = ipywidgets.HTML()
        self.message = MessageArea()
        self.open_button = _button(
            description=t("console_ballot_open", lang), icon="play", button_style="success"
        )
        self.release_button = _button(description=t("console_ballot_release", lang), icon="eye")
        act = guarded(self.message, lang)
        # Closing is final: it asks first, the same way in every app (widgets/confirm.py).
        self.closer = ConfirmButton(
            t("console_ballot_close", lang),
            question=t("confirm_close_ballot", lang, title=ballot.title),
            confirm=t("confirm_close_ballot_yes", lang),
            lang=lang,
            on_confirm=act(self.close_vote),
            icon="stop",
        )
        self.close_button = self.closer.button
        self.confirm, self.confirm_text = self.closer.box, self.closer.question
        self.confirm_close, self.cancel_close = self.closer.yes, self.closer.cancel
        self.open_button.on_click(act(self.open_vote))
        self.release_button.on_click(act(self.release_results))
        super().__init__(
            children=[
                self.info,
                ipywidgets.HBox([self.open_button, self.closer, self.release_button]),
                self.message,
            ],
            layout=ipywidgets.Layout(border="1px solid #d9d4c7", padding="0 .6em", margin=".3em 0"),
        )
        self.add_class("ureshii-ballot-row")

    def open_vote(self, _button: object = None) -> None:
        self.ctx.store.open_ballot(self.ctx.slug, self.key)
        self.message.show(t("console_ballot_opened_ok", self.ctx.lang), "success")
        self.on_change()

    def close_vote(self, _button: object = None) -> None:
        self.ctx.store.close_ballot(self.ctx.slug, self.key)
        self.message.show(t("console_ballot_closed_ok", self.ctx.lang), "success")
        self.on_change()

    def release_results(self, _button: object = None) -> None:
        self.ctx.store.release_results(self.ctx.slug, self.key)
        self.message.show(t("console_ballot_released_ok", self.ctx.lang), "success")
        self.on_change()

    def update(self, ballot: Ballot, votes: int, names: dict[str, str]) -> None:
        lang = self.ctx.lang
        self.ballot = ballot
        status = t(f"console_ballot_status_{ballot.status}", lang)
        if ballot.visibility == "live":
            seen = t("console_ballot_visibility_live", lang)
        elif ballot.results_visible:
            seen = t("console_ballot_visibility_shown", lang)
        else:
            seen = t("console_ballot_visibility_hidden", lang)
        options = ("、" if lang == "ja" else ", ").join(names.get(o, o) for o in ballot.options)
        details = t(
            "console_ballot_details",
            lang,
            status=status,
            votes=votes,
            visibility=seen,
            rule=rule_name(ballot.rule, lang),
        )
        with self.hold_sync():
            self.info.value = (
                f"<p><b>{escape(ballot.title)}</b><br>"
                f"{escape(details)}<br><small>{escape(options)}</small></p>"
            )
            self.open_button.disabled = ballot.status != "draft"
            self.close_button.disabled = ballot.status != "open"
            self.release_button.disabled = ballot.results_visible
            self.closer.set_question(t("confirm_close_ballot", lang, title=ballot.title))


#: A new town-meeting ballot may use every rule; a budget rule takes the issues' costs.
NEW_BALLOT_RULES = tuple(BALLOT_RULES)


class NewBallotForm(ipywidgets.VBox):
    """Create a town-meeting ballot over some of the workshop's issues (a draft until
    opened)."""

    def __init__(self, ctx: AppContext, on_created: Callable[[], None]) -> None:
        self.ctx = ctx
        self.on_created = on_created
        lang = ctx.lang
        wide = {"style": {"description_width": "initial"}}
        self.title = ipywidgets.Text(
            description=t("console_new_ballot_title", lang),
            value=t("console_new_ballot_default_title", lang),
            layout=ipywidgets.Layout(width="40em"),
            **wide,
        )
        self.rule = ipywidgets.Dropdown(
            options=[(rule_name(r, lang), r) for r in NEW_BALLOT_RULES],
            value="approval",
            description=t("console_new_ballot_rule", lang),
            **wide,
        )
        self.settings = ipywidgets.HBox()
        self.inputs: dict[str, Any] = {}
        self.rule.observe(self._show_settings, names=["value"])
        self._show_settings()
        self.hidden = ipywidgets.Checkbox(
            value=True, description=t("console_new_ballot_hidden", lang), indent=False
        )
        self.options = ipywidgets.SelectMultiple(
            options=[(i.title, i.key) for i in ctx.store.issues(ctx.slug)],
            description=t("console_new_ballot_options", lang),
            rows=8,
            layout=ipywidgets.Layout(width="40em"),
            **wide,
        )
        self.create_button = _button(
            t("console_new_ballot_create", lang), icon="plus", button_style="primary"
        )
        self.message = MessageArea()
        self.create_button.on_click(guarded(self.message, lang)(self.create))
        super().__init__(
            [
                ipywidgets.HTML(f"<h3>{escape(t('console_new_ballot_heading', lang))}</h3>"),
                self.title,
                ipywidgets.HBox([self.rule, self.settings]),
                self.options,
                self.hidden,
                self.create_button,
                self.message,
            ]
        )
        self.add_class("ureshii-new-ballot")

    def _show_settings(self, _change: object = None) -> None:
        """One field per setting the chosen rule needs (or has a default for)."""
        lang = self.ctx.lang
        self.inputs = {}
        for setting in ballot_rule(self.rule.value).settings:
            if not setting.required and setting.default is None:
                continue  # optional limits (max_choices…) stay off in a quick ballot
            label = t(f"ballot_setting_{setting.name}", lang)
            wide = {"style": {"description_width": "initial"}}
            if setting.kind == "amount":
                self.inputs[setting.name] = ipywidgets.FloatText(value=0, description=label, **wide)
            else:
                start = setting.default if setting.default is not None else setting.suggested
                self.inputs[setting.name] = ipywidgets.BoundedIntText(
                    value=start if start is not None else setting.minimum,
                    min=setting.minimum,
                    max=setting.maximum,
                    description=label,
                    **wide,
                )
        self.settings.children = tuple(self.inputs.values())

    def create(self, _button: object = None) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        taken = {b.key for b in store.ballots(slug)}
        key = next(f"town-{n}" for n in range(1, len(taken) + 2) if f"town-{n}" not in taken)
        rule = ballot_rule(self.rule.value)
        settings: dict[str, Any] = {name: box.value for name, box in self.inputs.items()}
        if rule.needs_costs:  # the issues' own costs; check_settings names any that lack one
            costs = {i.key: i.cost for i in store.issues(slug)}
            settings["costs"] = {o: costs.get(o) for o in self.options.value}
        ballot = store.create_ballot(
            slug,
            key,
            self.title.value.strip() or t("console_new_ballot_default_title", self.ctx.lang),
            rule=self.rule.value,
            options=list(self.options.value),
            settings=settings,
            purpose="town_meeting",
            visibility="hidden_until_close" if self.hidden.value else "live",
        )
        self.options.value = ()
        self.message.show(
            t("console_new_ballot_created", self.ctx.lang, title=ballot.title), "success"
        )
        self.on_created()


class BallotControls(ipywidgets.VBox):
    """Every ballot of the workshop with its status, votes and visibility, and its controls."""

    def __init__(self, ctx: AppContext, feed: LiveFeed, **kwargs: Any) -> None:
        self.ctx = ctx
        self.rows: dict[str, BallotRow] = {}
        self.list = ipywidgets.VBox()
        self.new_ballot = NewBallotForm(ctx, self.refresh)
        # The tables' dot vote on themes is opened here (a table laptop cannot open a vote).
        self.theme_dots = _button(t("console_theme_dots_start", ctx.lang), icon="play")
        self.theme_message = MessageArea()
        self.theme_dots.on_click(guarded(self.theme_message, ctx.lang)(self._start_theme_dots))
        super().__init__(
            children=[
                section_heading("console_ballots_heading", ctx.lang),
                self.list,
                ipywidgets.HBox([self.theme_dots, self.theme_message]),
                self.new_ballot,
            ],
            **kwargs,
        )
        self.add_class("ureshii-ballot-controls")
        feed.subscribe(lambda _events: self.refresh(), kinds=BALLOT_EVENTS)
        self.refresh()

    def row(self, key: str) -> BallotRow:
        return self.rows[key]

    def _start_theme_dots(self, _button: object = None) -> None:
        lang = self.ctx.lang
        ballot = start_theme_dot_vote(self.ctx.store, self.ctx.slug, t("table_dots_heading", lang))
        self.refresh()
        self.theme_message.show(
            t("table_dots_started", lang, n=len(ballot.options), dots=THEME_DOTS), "success"
        )

    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        ballots = store.ballots(slug)
        names = option_names(store, slug, self.ctx.lang)
        for ballot in ballots:
            if ballot.key not in self.rows:
                self.rows[ballot.key] = BallotRow(self.ctx, ballot, self.refresh)
            self.rows[ballot.key].update(ballot, len(store.votes(slug, ballot.key)), names)
        children = tuple(self.rows[b.key] for b in ballots)
        if not children:
            children = (
                ipywidgets.HTML(f"<p>{escape(t('console_ballots_none', self.ctx.lang))}</p>"),
            )
        if children != self.list.children:
            self.list.children = children
        self.theme_dots.disabled = theme_ballot(ballots) is not None


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
            style={"description_width": "initial"},
            layout=ipywidgets.Layout(
                display="flex" if len(workshops) > 1 else "none", width="40em"
            ),
        )
        self.path = ipywidgets.Text(
            description=t("console_workshop_file", lang),
            placeholder=t("console_workshop_file_hint", lang),
            style={"description_width": "initial"},
            layout=ipywidgets.Layout(width="40em"),
        )
        self.open_button = _button(
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
        self.show_button = _button(t("console_projector_check_show", lang), icon="bar-chart")
        self.show_button.on_click(lambda _b: self.show())
        self.heading = section_heading("console_projector_check_heading", lang)
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
        self.exports = ExportPanel(ctx)
        half = ipywidgets.Layout(flex="1 1 28em", margin="0 1em 0 0")
        self.join.layout, self.counts.layout = half, ipywidgets.Layout(flex="1 1 28em")
        self.children = (
            ipywidgets.HTML(_STYLE),
            self.header,
            self.picker,
            self.stepper,
            ipywidgets.HBox(
                [self.join, self.counts], layout=ipywidgets.Layout(flex_flow="row wrap")
            ),
            self.tables,
            self.charter,
            self.ballots,
            self.exports,
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
        children: list[ipywidgets.Widget] = [ipywidgets.HTML(_STYLE), note]
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
