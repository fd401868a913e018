"""Scoring: each person scores every issue on every criterion of the locked charter.

The form refuses to open before the method charter is locked (the store would refuse the
scores anyway: ``CharterNotLockedError``) and opens by itself when a ``charter_locked`` event
arrives through the app's live feed. Every criterion shows its scale with the words for its
points (anchors), and "don't know" (わからない) is always a choice; it is stored as ``None``
and left out of the averages.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit.errors import CharterNotLockedError
from toolkit.i18n import t
from toolkit.methods.registry import method_name
from toolkit.model import Criterion, Event, MethodCharter
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.seats import TableSeats
from widgets.ui import css, fit

#: The value of the "don't know" choice in a control (stored as ``None``).
DONT_KNOW = "dont_know"
#: Scales with more points than this get a drop-down instead of a row of buttons.
MAX_BUTTONS = 11
NOTE_STYLE = "margin:0 0 .5em 1em;color:#52606d"


def scale_control(criterion: Criterion, lang: str) -> ipywidgets.ValueWidget:
    """One score control: the scale's points (anchors as tooltips) and "don't know"."""
    points = list(range(criterion.scale_min, criterion.scale_max + 1))
    dont_know = t("scoring_dont_know", lang)
    options: list[tuple[str, Any]] = [(str(p), p) for p in points] + [(dont_know, DONT_KNOW)]
    if len(points) <= MAX_BUTTONS:
        return ipywidgets.ToggleButtons(
            options=options,
            value=None,
            tooltips=[criterion.anchors.get(p, str(p)) for p in points] + [dont_know],
            description=criterion.name,
            style={"description_width": "initial", "button_width": "auto"},
        )
    return ipywidgets.Dropdown(
        options=options,
        value=None,
        description=criterion.name,
        style={"description_width": "initial"},
    )


def anchors_text(criterion: Criterion, lang: str) -> str:
    """ "1 = … · 3 = … · 5 = …", or the bare scale when the file gives no words."""
    if criterion.anchors:
        return " · ".join(f"{p} = {text}" for p, text in sorted(criterion.anchors.items()))
    return t("scoring_scale", lang, low=criterion.scale_min, high=criterion.scale_max)


class ScoringForm(ipywidgets.VBox):
    """Score issues × criteria for the chosen seat; "save" writes them to the store.

    ``controls[(issue_key, criterion_key)]`` is the control of one score (tests set its
    ``value`` as the browser would: a scale point or :data:`DONT_KNOW`).
    """

    charter = traitlets.Any(None, allow_none=True).tag(sync=False)  # the governing charter

    def __init__(self, ctx: AppContext, feed: LiveFeed, seats: TableSeats, **kwargs: Any):
        self.ctx, self.seats = ctx, seats
        lang = ctx.lang
        self.controls: dict[tuple[str, str], ipywidgets.ValueWidget] = {}
        self.refusal = MessageArea()
        self.waiting = ipywidgets.HTML(f"<p>{escape(t('scoring_waiting', lang))}</p>")
        self.intro = ipywidgets.HTML()
        self.issues_box = ipywidgets.VBox()
        self.progress = ipywidgets.HTML()
        self.messages = MessageArea()
        self.save_button = ipywidgets.Button(
            description=t("scoring_save", lang), icon="check", button_style="primary"
        )
        fit(self.save_button)
        self.save_button.on_click(guarded(self.messages, lang)(self._save))
        self.heading = ipywidgets.HTML(f"<h2>{escape(t('scoring_title', lang))}</h2>")
        self.style_sheet = css()
        super().__init__(children=[self.style_sheet, self.heading], **kwargs)
        self.add_class("ureshii-app")
        self.add_class("ureshii-scoring")
        seats.observe(self._seat_changed, names=["seat"])
        feed.subscribe(self._on_events, kinds={"charter_locked", "issue_added"})
        self.refresh()

    @property
    def is_open(self) -> bool:
        return self.charter is not None

    def _on_events(self, events: list[Event]) -> None:
        self.refresh(rebuild=any(e.kind == "issue_added" for e in events))

    def refresh(self, *, rebuild: bool = False) -> None:
        """Open the form if a charter is locked; rebuild it when a newer one governs."""
        lang = self.ctx.lang
        charter = self.ctx.store.locked_charter(self.ctx.slug)
        if charter is None:
            self.charter = None
            self.refusal.show(CharterNotLockedError("charter_not_locked").message(lang), "error")
            self.children = [self.style_sheet, self.heading, self.refusal, self.waiting]
            return
        if rebuild or self.charter is None or self.charter.version != charter.version:
            self.charter = charter
            self._build(charter)
        self.children = [
            self.style_sheet,
            self.heading,
            self.intro,
            self.progress,
            self.issues_box,
            self.save_button,
            self.messages,
        ]

    def _build(self, charter: MethodCharter) -> None:
        lang = self.ctx.lang
        criteria = self.ctx.store.criteria(self.ctx.slug)
        issues = self.ctx.store.issues(self.ctx.slug)
        name = method_name(charter.method, lang)
        intro = t("scoring_charter", lang, version=charter.version, method=name)
        self.intro.value = f"<p>{escape(intro)}</p>"
        self.controls = {}
        boxes: list[ipywidgets.Widget] = []
        for issue in issues:
            rows: list[ipywidgets.Widget] = [
                ipywidgets.HTML(
                    f'<h3 id="issue-{escape(issue.key)}">{escape(issue.title)}</h3>'
                    + (f"<p>{escape(issue.description)}</p>" if issue.description else "")
                )
            ]
            for c in criteria:
                control = scale_control(c, lang)
                control.observe(self._answered, names=["value"])
                self.controls[(issue.key, c.key)] = control
                notes = [anchors_text(c, lang)]
                weight = charter.weights.get(c.key, 0.0) * 100
                notes.append(t("scoring_weight", lang, percent=f"{weight:.0f}"))
                if c.direction == "cost":
                    notes.append(t("scoring_cost_hint", lang))
                rows += [
                    control,
                    ipywidgets.HTML(f'<p style="{NOTE_STYLE}">{escape(" / ".join(notes))}</p>'),
                ]
            boxes.append(
                ipywidgets.VBox(
                    rows,
                    layout={"border": "1px solid #d9d4c7", "padding": "0 .8em", "margin": ".3em 0"},
                )
            )
        if not issues:
            boxes.append(ipywidgets.HTML(f"<p>{escape(t('scoring_no_issues', lang))}</p>"))
        self.issues_box.children = boxes
        self._answered()

    def answers(self) -> dict[tuple[str, str], float | None]:
        """What this seat has chosen so far; "don't know" is ``None``."""
        chosen: dict[tuple[str, str], float | None] = {}
        for key, control in self.controls.items():
            if control.value is None:
                continue
            chosen[key] = None if control.value == DONT_KNOW else control.value
        return chosen

    def _answered(self, change: object = None) -> None:
        done, total = len(self.answers()), len(self.controls)
        self.progress.value = (
            f'<p role="status" aria-live="polite" style="font-size:1.2em;font-weight:600">'
            f"{escape(t('scoring_progress', self.ctx.lang, done=done, total=total))}</p>"
        )

    def _seat_changed(self, change: object = None) -> None:
        """A new person at the keyboard starts from an empty form (nobody sees another's)."""
        with self.hold_trait_notifications():
            for control in self.controls.values():
                control.value = None
        self.messages.clear()
        self._answered()

    def _save(self, _: object = None) -> None:
        lang = self.ctx.lang
        answers = self.answers()
        if not answers:
            self.messages.show(t("scoring_nothing", lang), "error")
            return
        count = self.ctx.store.record_scores(self.ctx.slug, self.seats.token(), answers)
        self.messages.show(t("scoring_saved", lang, seat=self.seats.seat, count=count), "success")
