"""The follow-up app (``workshops/followup.ipynb``): what happens after the workshop.

Three sections, in tabs, all drawn from one :func:`toolkit.summary.summarize` result
(``summary["followup"]``, :mod:`toolkit.followup`):

- :mod:`widgets.followup.roadmap` — ロードマップ: the roadmap as a chart by fiscal year
  (:func:`toolkit.summary_charts.roadmap_chart`) and a table, and the form that puts an issue
  of the backlog (ranked issues first) on the roadmap or changes its place;
- :mod:`widgets.followup.indicators` — 指標と効果測定: each indicator with its status in words,
  its chart (:func:`toolkit.summary_charts.indicator_chart`) and measurements, and the forms
  that record a measurement and add an indicator;
- :class:`~widgets.followup.app.ReviewsPanel` — 見直し: the review dates due or overdue.

The console links here (:mod:`widgets.followup.link`, which loads no chart engine: the
names below are imported when first used). Facilitator-only, like every app that is not a
table laptop's (``toolkit.server.table_links.TABLE_APPS``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from widgets.followup.app import FollowupApp, ReviewsPanel, open_followup
    from widgets.followup.indicators import IndicatorCard, IndicatorsPanel
    from widgets.followup.roadmap import RoadmapPanel

_HOMES = {
    "FollowupApp": "app",
    "ReviewsPanel": "app",
    "open_followup": "app",
    "IndicatorCard": "indicators",
    "IndicatorsPanel": "indicators",
    "RoadmapPanel": "roadmap",
}

__all__ = [
    "FollowupApp",
    "IndicatorCard",
    "IndicatorsPanel",
    "ReviewsPanel",
    "RoadmapPanel",
    "open_followup",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"widgets.followup.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'widgets.followup' has no attribute {name!r}")
