"""After the workshop: the roadmap and the indicators as the results summary publishes them.

``summary["followup"]`` (built by :func:`followup_section`) is what the follow-up app, the
board, the exports and ``ureshii verify`` read; nothing else re-derives it::

    {"as_of": "2027-06-30",
     "roadmap": [{"issue": "e-shinsei", "title": "…", "rank": 1, "year": 2026,
                  "quarter": 2, "period": {"ja": "令和8年度 第2四半期", "en": "FY2026 Q2"},
                  "start": "2026-07-01", "end": "2026-09-30", "owner_department": "市民課",
                  "budget_line": "…", "review_on": "2027-03-01", "depends_on": ["…"]}, …],
     "indicators": [{"key": "wait", "issue": "…", "name": "窓口待ち時間", "unit": "分",
                     "direction": "decrease", "baseline": 30, "baseline_on": "2026-04-01",
                     "target": 15, "target_on": "2027-04-01", "source": "…",
                     "measured_by": {"survey": "staff", "question": "confidence"},
                     "status": "on_track", "progress": 0.45, "expected": 0.40,
                     "latest": {"value": 23, "measured_on": "2026-10-01"},
                     "measurements": [{"value": 23, "measured_on": "2026-10-01",
                                        "note": "", "entered_by": "市民課"}, …]}, …],
     "reviews": [{"subject": "charter", "key": "2", "review_on": "2027-03-01",
                  "state": "upcoming", "note": "…"}, …]}

The statuses are those of :func:`toolkit.indicators.assess` as of ``as_of`` (the day the
summary was made, in the workshop's time zone), which the section states, as are the review
dates' states (``overdue``, ``due`` within ``REVIEW_DUE_DAYS``, ``upcoming``: the charter's,
ballots' and roadmap items' dates, from ``Store.reviews``), so anyone can
re-compute them from the published baselines, targets and measurements. Dates are ISO
``YYYY-MM-DD``; a roadmap row's ``rank`` is the issue's place in the agreed ranking (``None``
when it has none), so the roadmap keeps the ranking — and the charter — that produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from toolkit.fiscal import FiscalPeriod
from toolkit.indicators import Indicator, Measurement, assess

if TYPE_CHECKING:
    from toolkit.model import RoadmapItem
    from toolkit.store import Store


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def period_json(period: FiscalPeriod) -> dict[str, Any]:
    """A fiscal period's fields in the summary: year, quarter, both labels, first and last day.

    >>> period_json(FiscalPeriod(2026, 2))["period"]
    {'ja': '令和8年度 第2四半期', 'en': 'FY2026 Q2'}
    """
    return {
        "year": period.year,
        "quarter": period.quarter,
        "period": {"ja": period.label("ja"), "en": period.label("en")},
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def roadmap_rows(
    items: Iterable[RoadmapItem], titles: Mapping[str, str], ranks: Mapping[str, int]
) -> list[dict[str, Any]]:
    """``followup["roadmap"]``: the roadmap items in the store's order (by period, then the
    backlog's order), each with its issue's title and agreed rank."""
    return [
        {
            "issue": item.issue,
            "title": titles.get(item.issue, item.issue),
            "rank": ranks.get(item.issue),
            **period_json(item.period),
            "owner_department": item.owner_department,
            "budget_line": item.budget_line,
            "review_on": _iso(item.review_on),
            "depends_on": list(item.depends_on),
        }
        for item in items
    ]


def indicator_rows(
    indicators: Iterable[Any],
    measurements: Sequence[Any],
    *,
    as_of: date,
    measured_by: Mapping[str, tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """``followup["indicators"]``: each indicator (``key`` and ``issue`` attributes, and the
    fields of :class:`~toolkit.indicators.Indicator`) with its measurements (``indicator``
    attribute: the indicator's key; in the store's order) and its status as of ``as_of``.
    ``measured_by``: the survey question that measures an indicator, by its key
    (``Store.survey_indicators``); the row's ``measured_by`` is ``{"survey", "question"}``
    or ``None``.

    >>> from types import SimpleNamespace as N
    >>> wait = N(key="wait", issue="madoguchi", name="窓口待ち時間", unit="分",
    ...          direction="decrease", baseline=30, baseline_on=date(2026, 4, 1), target=15,
    ...          target_on=date(2027, 4, 1), source="")
    >>> seen = [N(indicator="wait", value=15, measured_on=date(2026, 12, 1), note="",
    ...           entered_by="市民課")]
    >>> row = indicator_rows([wait], seen, as_of=date(2027, 1, 5))[0]
    >>> row["status"], row["progress"], row["measurements"][0]["measured_on"]
    ('achieved', 1.0, '2026-12-01')
    """
    rows = []
    for found in indicators:
        spec = Indicator(
            found.name,
            found.unit,
            found.direction,
            found.baseline,
            found.baseline_on,
            found.target,
            found.target_on,
            found.source,
        )
        own = [m for m in measurements if m.indicator == found.key]
        result = assess(
            spec,
            [Measurement(m.value, m.measured_on, m.note, m.entered_by) for m in own],
            as_of=as_of,
        )
        rows.append(
            {
                "key": found.key,
                "issue": found.issue,
                "name": spec.name,
                "unit": spec.unit,
                "direction": spec.direction,
                "baseline": spec.baseline,
                "baseline_on": spec.baseline_on.isoformat(),
                "target": spec.target,
                "target_on": spec.target_on.isoformat(),
                "source": spec.source,
                "measured_by": _survey_link((measured_by or {}).get(found.key)),
                "status": result.status,
                "latest": None
                if result.latest is None
                else {
                    "value": result.latest.value,
                    "measured_on": result.latest.measured_on.isoformat(),
                },
                "progress": None if result.progress is None else round(result.progress, 6),
                "expected": None if result.expected is None else round(result.expected, 6),
                "measurements": [
                    {
                        "value": m.value,
                        "measured_on": m.measured_on.isoformat(),
                        "note": m.note,
                        "entered_by": m.entered_by,
                    }
                    for m in own
                ],
            }
        )
    return rows


def _survey_link(linked: tuple[str, str] | None) -> dict[str, str] | None:
    if linked is None:
        return None
    survey, question = linked
    return {"survey": survey, "question": question}


def today_in(zone: tzinfo) -> date:
    """Today's date in the workshop's time zone (what ``as_of`` defaults to)."""
    return datetime.now(zone).date()


def followup_section(
    store: Store,
    slug: str,
    ranking: Sequence[Mapping[str, Any]],
    zone: tzinfo,
    *,
    as_of: date | None = None,
) -> dict[str, Any]:
    """``summary["followup"]`` for workshop ``slug``: its roadmap (with the ranks of
    ``ranking``, the summary's ranking rows) and its indicators with their measurements and
    statuses as of ``as_of`` (default: today in ``zone``)."""
    day = as_of or today_in(zone)
    titles = {i.key: i.title for i in store.issues(slug)}
    ranks = {str(r["key"]): int(r["rank"]) for r in ranking}
    return {
        "as_of": day.isoformat(),
        "roadmap": roadmap_rows(store.roadmap(slug), titles, ranks),
        "indicators": indicator_rows(
            store.indicators(slug),
            store.measurements(slug),
            as_of=day,
            measured_by=store.survey_indicators(slug),
        ),
        "reviews": [
            {
                "subject": r.subject,
                "key": r.key,
                "review_on": r.review_on.isoformat(),
                "state": r.state,
                "note": r.note,
            }
            for r in store.reviews(slug, as_of=day)
        ],
    }
