"""The next cycle in the summary (issue 18, item 4): what changed since the previous workshop.

``summary["previous_cycle"]`` (built by :func:`previous_cycle_section`) is ``None`` for a
workshop that continues none (``Store.start_next_cycle`` keeps the link), else::

    {"slug": "dx-2026", "title": "…",
     "moves": [{"key": "e-shinsei", "title": "…", "previous_rank": 3, "rank": 1,
                "change": 2}, …],
     "achieved": [{"key": "wait", "issue": "madoguchi", "name": "窓口待ち時間", "unit": "分",
                   "baseline": 30, "baseline_on": "2026-04-01", "latest": 15,
                   "measured_on": "2026-12-01"}, …],
     "done": [{"issue": "…", "title": "…", "year": 2026, "quarter": 2,
               "period": {"ja": "…", "en": "…"}, "start": "…", "end": "…",
               "owner_department": "…"}, …]}

* ``moves``: how the ranking moved. The previous ranking is the previous workshop's locked
  charter applied to its own scores by :func:`toolkit.ranking.rank_scores` (the one ranking
  computation; no robustness sampling); the current one is ``summary["ranking"]``. Issues
  ranked now come first, by their rank, with ``change`` = previous rank − rank (positive:
  moved up) or ``previous_rank``/``change`` ``None`` for a new entry; then the issues ranked
  before and not now (``rank``/``change`` ``None``), by their previous rank.
* ``achieved``: the small wins (小さな成功体験): this workshop's indicators (carried over with
  their history, plus any added since) whose status is ``achieved`` as of
  ``summary["followup"]["as_of"]``, with the baseline and the latest measurement.
* ``done``: the previous cycle's roadmap items whose period has ended by that day (its last
  day is before it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from toolkit.followup import period_json
from toolkit.ranking import rank_scores, scored_issues, weighted_criteria

if TYPE_CHECKING:
    from toolkit.store import Store


def previous_ranks(store: Store, slug: str) -> dict[str, int]:
    """Issue key → rank in workshop ``slug``'s agreed ranking (its locked charter on its own
    scores); empty without a locked charter or scores."""
    charter = store.locked_charter(slug)
    if charter is None:
        return {}
    scores = store.scores(slug)
    if scores.dropna(subset=["score"]).empty:
        return {}
    issues = store.issues(slug)
    criteria, _ = weighted_criteria(store.criteria(slug), charter.weights)
    if not scored_issues(scores, [i.key for i in issues], criteria):
        return {}
    _, ranked = rank_scores(
        scores,
        store.criteria(slug),
        [i.key for i in issues],
        charter.weights,
        tie_break=charter.tie_break,
        costs={i.key: i.cost for i in issues},
    )
    return {str(key): int(row["rank"]) for key, row in ranked.iterrows()}


def ranking_moves(
    previous: Mapping[str, int],
    ranking: Sequence[Mapping[str, Any]],
    titles: Mapping[str, str],
) -> list[dict[str, Any]]:
    """``previous_cycle["moves"]`` from the previous ranks (key → rank) and the current
    ranking rows (``key``, ``title``, ``rank``); ``titles`` names issues ranked only before.

    >>> rows = [{"key": "a", "title": "A", "rank": 1}, {"key": "c", "title": "C", "rank": 2},
    ...         {"key": "d", "title": "D", "rank": 3}]
    >>> [(m["key"], m["previous_rank"], m["rank"], m["change"])
    ...  for m in ranking_moves({"b": 1, "c": 2, "a": 3}, rows, {"b": "B"})]
    [('a', 3, 1, 2), ('c', 2, 2, 0), ('d', None, 3, None), ('b', 1, None, None)]
    """
    moves = []
    for row in sorted(ranking, key=lambda r: int(r["rank"])):
        key = str(row["key"])
        before = previous.get(key)
        rank = int(row["rank"])
        moves.append(
            {
                "key": key,
                "title": row["title"],
                "previous_rank": before,
                "rank": rank,
                "change": None if before is None else before - rank,
            }
        )
    ranked_now = {m["key"] for m in moves}
    for key, before in sorted(previous.items(), key=lambda pair: (pair[1], pair[0])):
        if key not in ranked_now:
            moves.append(
                {
                    "key": key,
                    "title": titles.get(key, key),
                    "previous_rank": before,
                    "rank": None,
                    "change": None,
                }
            )
    return moves


def achieved_rows(indicators: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``previous_cycle["achieved"]``: the indicator rows of ``summary["followup"]`` whose
    status is ``achieved``, with their baseline and latest measurement."""
    return [
        {
            "key": row["key"],
            "issue": row["issue"],
            "name": row["name"],
            "unit": row["unit"],
            "baseline": row["baseline"],
            "baseline_on": row["baseline_on"],
            "latest": row["latest"]["value"],
            "measured_on": row["latest"]["measured_on"],
        }
        for row in indicators
        if row["status"] == "achieved" and row.get("latest") is not None
    ]


def previous_cycle_section(
    store: Store,
    slug: str,
    ranking: Sequence[Mapping[str, Any]],
    followup: Mapping[str, Any],
) -> dict[str, Any] | None:
    """``summary["previous_cycle"]`` for workshop ``slug`` (``None`` when it continues no
    other), from its ranking rows and its ``summary["followup"]`` (whose ``as_of`` is the day
    the roadmap items are judged ended by)."""
    previous_slug = store.previous_cycle(slug)
    if previous_slug is None:
        return None
    previous = store.workshop(previous_slug)
    as_of = date.fromisoformat(str(followup["as_of"]))
    titles = {i.key: i.title for i in store.issues(previous_slug)}
    done = [
        {
            "issue": item.issue,
            "title": titles.get(item.issue, item.issue),
            **period_json(item.period),
            "owner_department": item.owner_department,
        }
        for item in store.roadmap(previous_slug)
        if item.period.end < as_of
    ]
    return {
        "slug": previous.slug,
        "title": previous.title,
        "moves": ranking_moves(previous_ranks(store, previous_slug), ranking, titles),
        "achieved": achieved_rows(followup.get("indicators") or []),
        "done": done,
    }


def number_text(value: float | int | None) -> str:
    """A value as people write it: ``10.0`` → ``10``, ``12.5`` → ``12.5``.

    >>> number_text(10.0), number_text(12.5), number_text(None)
    ('10', '12.5', '')
    """
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def win_text(row: Mapping[str, Any]) -> str:
    """A small win in words: ``電子申請の割合 10 → 55 %``.

    >>> win_text({"name": "電子申請の割合", "baseline": 10.0, "latest": 55.0, "unit": "%"})
    '電子申請の割合 10 → 55 %'
    """
    unit = f" {row['unit']}" if row.get("unit") else ""
    return f"{row['name']} {number_text(row['baseline'])} → {number_text(row['latest'])}{unit}"


def move_text(move: Mapping[str, Any], lang: str) -> tuple[str, str]:
    """How an issue moved, as shown (``↑2``, ``↓1``, ``→``, ``新規``/``new``) and as said to a
    screen reader.

    >>> move_text({"previous_rank": 3, "rank": 1, "change": 2}, "en")
    ('↑2', 'up 2')
    >>> move_text({"previous_rank": None, "rank": 4, "change": None}, "ja")
    ('新規', '新規')
    """
    from toolkit.i18n import t

    change = move.get("change")
    if move.get("rank") is None:
        shown = t("cycle_move_dropped", lang)
        return shown, shown
    if change is None:
        shown = t("cycle_move_new", lang)
        return shown, shown
    if change > 0:
        return t("cycle_move_up", lang, n=change), t("cycle_move_aria_up", lang, n=change)
    if change < 0:
        return t("cycle_move_down", lang, n=-change), t("cycle_move_aria_down", lang, n=-change)
    return t("cycle_move_same", lang), t("cycle_move_aria_same", lang)
