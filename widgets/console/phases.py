"""The console's phase stepper: the workshop's phases, the current one, and its timer.

The timer starts at the latest ``phase_changed`` event, so it survives a kernel restart and
reads the same on every screen (:func:`latest_phase_change`, :func:`phase_timer`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

import ipywidgets

from toolkit.ballots.purposes import ballots_left_open
from toolkit.i18n import t
from toolkit.model import PHASES, Event, Workshop
from toolkit.store import Store
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.ui import PHASE_EVENTS, WIDE_LABEL, button, heading

log = logging.getLogger(__name__)

CLOCK_INTERVAL_S = 5.0
"""How often the phase timer is redrawn while the console runs in Voilà."""


def phase_name(phase: str, lang: str) -> str:
    """A phase's display name (``happiness`` → うれしさマップ / Happiness map)."""
    return t(f"console_phase_{phase}", lang)


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
    return store.last_event(slug, "phase_changed")


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
    """The timer of a phase that started at ``started`` (an event's time: aware, in UTC, as
    the store gives every time), seen at ``now``.

    >>> from datetime import datetime, UTC
    >>> start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    >>> later = datetime(2026, 1, 1, 9, 10, tzinfo=UTC)
    >>> timer = phase_timer(start, 30, later)
    >>> timer.remaining_s
    1200
    """
    if started is None:
        return PhaseTimer(None, minutes, 0)
    elapsed = int((now - started).total_seconds())
    return PhaseTimer(started, minutes, max(0, elapsed))


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
        self.previous_button = button(
            description=t("console_phase_previous", lang), icon="arrow-left"
        )
        self.next_button = button(
            description=t("console_phase_next", lang), icon="arrow-right", button_style="primary"
        )
        self.jump = ipywidgets.Dropdown(
            options=[(phase_name(p.id, lang), p.id) for p in self.plan],
            value=None,
            description=t("console_phase_jump", lang),
            style=WIDE_LABEL,
        )
        self.jump_button = button(description=t("console_phase_go", lang))
        self.restart_button = button(description=t("console_timer_restart", lang), icon="clock-o")
        # Moving on while votes of another phase are open: say which, and offer to close them.
        self.pending_phase: str | None = None
        self.left_open_text = ipywidgets.HTML()
        self.close_and_go = button(
            description=t("console_phase_close_and_go", lang), icon="stop", button_style="danger"
        )
        self.keep_and_go = button(
            description=t("console_phase_keep_and_go", lang), icon="arrow-right"
        )
        self.cancel_go = button(description=t("confirm_cancel", lang))
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
                heading(t("console_phases_heading", lang)),
                self.steps,
                ipywidgets.HBox([self.timer, self.restart_button]),
                controls,
                self.left_open,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("ureshii-phase-stepper")
        feed.subscribe(self._on_events, kinds=PHASE_EVENTS)
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
