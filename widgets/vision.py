"""The vision at a table laptop: draft it from the top themes, then a consent check per seat.

:class:`VisionDraft` shows the top happiness themes as the results summary ranks them
(``toolkit.summary.theme_ranking``: dots first, then cards), a text area for the vision statement,
every saved draft (each is a new version in the store, never overwritten), and a fist-of-five
consent check on the newest draft (the one scale of :mod:`toolkit.consent`): each person picks
their seat and a level from 5 (full support) down to 0 (block); the store keeps one answer per
person and draft.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets

from toolkit import consent
from toolkit.errors import InvalidInputError
from toolkit.model import Event, Vision
from widgets.consent import ConsentLevels
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.seats import TableSeats
from widgets.ui import VISION_EVENTS, WIDE_LABEL, LivePanel, heading_html, html_table, set_options

#: How many top themes are listed (and pre-selected, if they have dots or cards: 3).
TOP_THEMES = 5
PRESELECTED = 3


class VisionDraft(LivePanel):
    """Draft the vision from the top themes; each seat answers the consent check once."""

    LIVE_KINDS = VISION_EVENTS | {
        "theme_added",
        "card_grouped",
        "vote_cast",
        "ballot_closed",
        "results_released",
    }

    def __init__(
        self, ctx: AppContext, seats: TableSeats, feed: LiveFeed | None = None, **kwargs: Any
    ) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.seats = seats
        self.shown_version: int | None = None
        """The vision draft whose consent check this screen shows."""
        self.top = ipywidgets.HTML()
        self.themes = ipywidgets.SelectMultiple(
            description=self._("table_vision_themes"),
            rows=TOP_THEMES,
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="36em"),
        )
        self.text = ipywidgets.Textarea(
            description=self._("table_vision_text"),
            placeholder=self._("table_vision_placeholder"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="44em", height="6em"),
        )
        self.save_button = ipywidgets.Button(
            description=self._("table_vision_save"), button_style="primary", icon="save"
        )
        self.save_button.on_click(self._guard(self._save))
        self.versions = ipywidgets.HTML()
        self.consent_heading = ipywidgets.HTML()
        self.level = ConsentLevels(self.ctx.lang, description=self._("table_consent_level"))
        seats.on_change(lambda: setattr(self.level, "value", None))  # the next person's answer
        self.consent_button = ipywidgets.Button(
            description=self._("table_consent_submit"), button_style="primary", icon="hand-paper"
        )
        self.consent_button.on_click(self._guard(self._consent))
        self.consent_tally = ipywidgets.HTML()
        self.children = [
            ipywidgets.HTML(
                heading_html(self._("table_vision_heading"), self._("table_vision_hint"))
            ),
            self.top,
            self.themes,
            self.text,
            self.save_button,
            self.message,
            self.versions,
            self.consent_heading,
            self.level,
            self.consent_button,
            self.consent_tally,
        ]
        self._preselected = False
        self.refresh()

    def wants(self, events: list[Event]) -> bool:
        return self._about_theme_ballots(events)

    # -- actions
    def _save(self, _button: object = None) -> None:
        text = self.text.value.strip()
        if not text:
            raise InvalidInputError("text_required", field=self._("table_vision_text"))
        draft = self.ctx.store.draft_vision(self.ctx.slug, text, themes=list(self.themes.value))
        self.refresh()
        self.message.show(self._("table_vision_saved", version=draft.version), "success")

    def _consent(self, _button: object = None) -> None:
        drafts = self.ctx.store.visions(self.ctx.slug)
        if not drafts:
            raise InvalidInputError("table_consent_no_draft")
        if self.level.value is None:
            raise InvalidInputError("table_consent_choose")
        token = self.seats.token()
        # The draft this screen shows: a newer one saved meanwhile is refused (read it first).
        version = self.shown_version or drafts[-1].version
        self.ctx.store.record_vision_consent(
            self.ctx.slug, token, int(self.level.value), version=version
        )
        level = int(self.level.value)
        self.level.value = None
        self.refresh()
        self.message.show(
            self._("table_consent_saved", seat=self.seats.seat, level=level, version=version),
            "success",
        )

    # -- reading the store
    def refresh(self) -> None:
        from toolkit.summary import theme_ranking  # pandas: loaded when the vision tab is shown

        themes = theme_ranking(self.ctx.store, self.ctx.slug)
        self._show_top(themes)
        drafts = self.ctx.store.visions(self.ctx.slug)
        if drafts and not self.text.value:
            self.text.value = drafts[-1].text  # the next draft starts from the newest
        self._show_versions(drafts, {th["key"]: th["name"] for th in themes})
        self._show_consent(drafts)

    def _show_top(self, themes: list[dict[str, Any]]) -> None:
        if not themes:
            self.top.value = f"<p>{escape(self._('table_top_themes_none'))}</p>"
        else:
            items = "".join(
                f"<li><strong>{escape(th['name'])}</strong> — "
                f"{escape(self._('table_theme_stats', dots=th['dots'], cards=th['cards']))}</li>"
                for th in themes[:TOP_THEMES]
            )
            title = escape(self._("table_top_themes"))
            self.top.value = f'<h4 style="margin:.3em 0 .1em">{title}</h4><ol>{items}</ol>'
        set_options(self.themes, [(th["name"], th["key"]) for th in themes])
        if not self._preselected and themes:
            self.themes.value = tuple(
                th["key"] for th in themes[:PRESELECTED] if th["dots"] or th["cards"]
            )
            self._preselected = True

    def _show_versions(self, drafts: list[Vision], names: dict[str, str]) -> None:
        if not drafts:
            self.versions.value = f"<p>{escape(self._('table_vision_none'))}</p>"
            return
        items = []
        for draft in reversed(drafts):
            drawn = "、".join(names.get(k, k) for k in draft.themes)
            tag = f' <span style="color:#52606d">［{escape(drawn)}］</span>' if drawn else ""
            at = escape(self.ctx.format_time(draft.created_at, date=False))
            items.append(
                f'<li value="{draft.version}"><strong>v{draft.version}</strong> '
                f'<span style="color:#52606d">{at}</span> {escape(draft.text)}{tag}</li>'
            )
        title = escape(self._("table_vision_versions"))
        self.versions.value = (
            f'<h4 style="margin:.3em 0 .1em">{title}</h4><ol reversed>{"".join(items)}</ol>'
        )

    def _show_consent(self, drafts: list[Vision]) -> None:
        voting = bool(drafts)
        self.level.layout.display = "" if voting else "none"
        self.consent_button.layout.display = "" if voting else "none"
        if not drafts:
            self.consent_heading.value = f"<p>{escape(self._('table_consent_no_draft'))}</p>"
            self.consent_tally.value = ""
            return
        version = self.shown_version = drafts[-1].version
        self.consent_heading.value = (
            heading_html(self._("table_consent_heading", version=version))
            + f"<p>{escape(consent.scale_hint(self.ctx.lang))}</p>"
        )
        levels = [c.level for c in self.ctx.store.vision_consents(self.ctx.slug, version)]
        blocks = levels.count(consent.BLOCK)
        rows = [(consent.label(n, self.ctx.lang), levels.count(n)) for n in consent.LEVELS]
        summary = self._("table_consent_summary", responses=len(levels), blocks=blocks)
        html = f"<p>{escape(summary)}</p>"
        if blocks:
            html += (
                f'<p role="alert" style="color:#a4161a;font-weight:700">'
                f"{escape(self._('table_consent_blocked'))}</p>"
            )
        columns = [self._("table_col_level"), self._("table_col_count")]
        self.consent_tally.value = html + html_table(columns, rows)
