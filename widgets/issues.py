"""Issues at a table laptop: link each issue to the happiness it serves; rate the gap.

:class:`IssueLinker` lists the issues (課題・施策) with the themes and stakeholders each one
serves and its current and ideal state (1–5; the gap is ideal − current). A table adds new
issues together with their links (``store.add_issue(..., themes=, stakeholders=)``), changes
the links of an issue on the list (``store.link_issue``) and rates any issue
(``store.rate_issue``).
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets

from toolkit.errors import InvalidInputError
from toolkit.model import Issue
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.ui import (
    ISSUE_EVENTS,
    WIDE_LABEL,
    LivePanel,
    heading_html,
    html_table,
    set_options,
)

RATINGS = range(1, 6)
# Whole labels, never "…": ipywidgets gives a button 148 px and a select 300 px, description
# included, which cut off Japanese labels and the names in the multi-selects.
_BUTTON = {"width": "auto"}
_SELECT = {"width": "36em", "max_width": "100%"}


def gap_text(gap: int | None) -> str:
    """A gap with its sign (+3), or a dash when a state is not rated."""
    return "–" if gap is None else f"{gap:+d}"


class IssueLinker(LivePanel):
    """The issues with their links and gap; add an issue with links; rate current vs ideal."""

    LIVE_KINDS = ISSUE_EVENTS | {"theme_added", "stakeholder_added"}

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.listing = ipywidgets.HTML()
        # add an issue with its links
        self.title = ipywidgets.Text(
            description=self._("table_issue_title"),
            placeholder=self._("table_issue_title_placeholder"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="36em"),
        )
        self.description = ipywidgets.Textarea(
            description=self._("table_issue_description"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="36em", height="4em"),
        )
        self.link_themes = ipywidgets.SelectMultiple(
            description=self._("table_issue_themes"),
            rows=6,
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(**_SELECT),
        )
        self.link_stakeholders = ipywidgets.SelectMultiple(
            description=self._("table_issue_stakeholders"),
            rows=6,
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(**_SELECT),
        )
        self.add_button = ipywidgets.Button(
            description=self._("table_issue_add"),
            button_style="primary",
            icon="plus",
            layout=ipywidgets.Layout(**_BUTTON),
        )
        self.add_button.on_click(self._guard(self._add))
        # rate current vs ideal
        self.issue = ipywidgets.Dropdown(
            description=self._("table_rate_issue"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="36em"),
        )
        self.issue.observe(self._issue_chosen, names=["value"])
        scale = [(self._("table_rating_none"), 0)] + [
            (self._(f"table_rating_{n}"), n) for n in RATINGS
        ]
        self.current = ipywidgets.Dropdown(
            options=scale,
            value=0,
            description=self._("table_rate_current"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(**_SELECT),
        )
        self.ideal = ipywidgets.Dropdown(
            options=scale,
            value=0,
            description=self._("table_rate_ideal"),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(**_SELECT),
        )
        self.gap = ipywidgets.HTML()
        self.current.observe(self._show_gap, names=["value"])
        self.ideal.observe(self._show_gap, names=["value"])
        self.rate_button = ipywidgets.Button(
            description=self._("table_rate_save"),
            button_style="primary",
            icon="save",
            layout=ipywidgets.Layout(**_BUTTON),
        )
        self.rate_button.on_click(self._guard(self._rate))
        # change the links of the chosen issue
        self.edit_themes = ipywidgets.SelectMultiple(
            description=self._("table_issue_themes"),
            rows=6,
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(**_SELECT),
        )
        self.edit_stakeholders = ipywidgets.SelectMultiple(
            description=self._("table_issue_stakeholders"),
            rows=6,
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(**_SELECT),
        )
        self.links_button = ipywidgets.Button(
            description=self._("table_links_save"),
            button_style="primary",
            icon="link",
            layout=ipywidgets.Layout(**_BUTTON),
        )
        self.links_button.on_click(self._guard(self._save_links))
        self.children = [
            ipywidgets.HTML(
                heading_html(self._("table_issues_heading"), self._("table_issues_hint"))
            ),
            self.listing,
            ipywidgets.HTML(heading_html(self._("table_rate_heading"), level=4)),
            self.issue,
            ipywidgets.HBox([self.current, self.ideal]),
            self.gap,
            self.rate_button,
            ipywidgets.HTML(heading_html(self._("table_links_heading"), level=4)),
            ipywidgets.HBox([self.edit_themes, self.edit_stakeholders]),
            self.links_button,
            self.message,
            ipywidgets.HTML(heading_html(self._("table_issue_add_heading"), level=4)),
            self.title,
            self.description,
            ipywidgets.HBox([self.link_themes, self.link_stakeholders]),
            self.add_button,
        ]
        self._issues: dict[str, Issue] = {}
        self._loaded: tuple[int | None, int | None] = (None, None)
        self.refresh()
        self._show_gap()

    # -- actions
    def _add(self, _button: object = None) -> None:
        title = self.title.value.strip()
        if not title:
            raise InvalidInputError("text_required", field=self._("table_issue_title"))
        issue = self.ctx.store.add_issue(
            self.ctx.slug,
            title,
            description=self.description.value.strip(),
            themes=list(self.link_themes.value),
            stakeholders=list(self.link_stakeholders.value),
        )
        self.title.value = self.description.value = ""
        self.link_themes.value = self.link_stakeholders.value = ()
        self.refresh()
        self.issue.value = issue.key
        self.message.show(self._("table_issue_added", title=issue.title), "success")

    def _rate(self, _button: object = None) -> None:
        key = self.issue.value
        if not key:
            raise InvalidInputError("table_choose_issue")
        current, ideal = self.current.value or None, self.ideal.value or None
        self.ctx.store.rate_issue(self.ctx.slug, key, current=current, ideal=ideal)
        self.refresh()
        none = self._("table_rating_none")
        self.message.show(
            self._(
                "table_rate_saved",
                title=self._issues[key].title,
                current=current or none,
                ideal=ideal or none,
            ),
            "success",
        )

    def _save_links(self, _button: object = None) -> None:
        key = self.issue.value
        if not key:
            raise InvalidInputError("table_choose_issue")
        issue = self.ctx.store.link_issue(
            self.ctx.slug,
            key,
            themes=list(self.edit_themes.value),
            stakeholders=list(self.edit_stakeholders.value),
        )
        self.refresh()
        self.message.show(self._("table_links_saved", title=issue.title), "success")

    def _issue_chosen(self, _change: object = None) -> None:
        issue = self._issues.get(self.issue.value or "")
        self._loaded = (issue.current, issue.ideal) if issue else (None, None)
        self.current.value = self._loaded[0] or 0
        self.ideal.value = self._loaded[1] or 0
        self.edit_themes.value = issue.themes if issue else ()
        self.edit_stakeholders.value = issue.stakeholders if issue else ()

    def _show_gap(self, _change: object = None) -> None:
        current, ideal = self.current.value, self.ideal.value
        if current and ideal:
            text = self._("table_gap", gap=gap_text(ideal - current))
        else:
            text = self._("table_gap_unknown")
        self.gap.value = f'<p role="status" aria-live="polite"><strong>{escape(text)}</strong></p>'

    # -- reading the store
    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        issues = store.issues(slug)
        self._issues = {i.key: i for i in issues}
        themes = {th.key: th.name for th in store.themes(slug)}
        holders = {s.key: s.name for s in store.stakeholders(slug)}
        set_options(self.link_themes, [(name, key) for key, name in themes.items()])
        set_options(self.link_stakeholders, [(name, key) for key, name in holders.items()])
        set_options(self.edit_themes, [(name, key) for key, name in themes.items()])
        set_options(self.edit_stakeholders, [(name, key) for key, name in holders.items()])
        set_options(self.issue, [(self._("table_choose"), ""), *((i.title, i.key) for i in issues)])
        shown = self._issues.get(self.issue.value or "")
        if shown and (shown.current, shown.ideal) != self._loaded:
            self._issue_chosen()  # another screen re-rated the issue shown here
        if not issues:
            self.listing.value = f"<p>{escape(self._('table_issues_none'))}</p>"
            return
        rows = [
            (
                i.title,
                "、".join(themes.get(k, k) for k in i.themes) or "–",
                "、".join(holders.get(k, k) for k in i.stakeholders) or "–",
                i.current if i.current is not None else "–",
                i.ideal if i.ideal is not None else "–",
                gap_text(i.gap),
            )
            for i in issues
        ]
        columns = [
            self._(key)
            for key in (
                "table_col_issue",
                "table_col_themes",
                "table_col_stakeholders",
                "table_col_current",
                "table_col_ideal",
                "table_col_gap",
            )
        ]
        self.listing.value = html_table(columns, rows)
