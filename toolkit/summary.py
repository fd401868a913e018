"""One results summary per workshop, computed once; every view and export renders it.

``summarize(store, slug)`` reads the store and returns a JSON-safe ``dict``: the workshop,
counts, the happiness map, the vision, the method charter, the ranked backlog with how robust
each rank is and where the group disagrees, the ranking as each category (立場) of
participants alone would have it, and the ballots. Screens, exports and tests read this
dict; nothing else recomputes a ranking.

Scoring convention (stated in every export): each criterion's mean score (median, under the
``median_then_mean`` tie-break) is placed on its own scale as 0–1 (benefit:
(x − min)/(max − min); cost: (max − x)/(max − min)), so an issue's score is the weighted mean
of these, from 0 (bottom of every scale) to 1 (top of every scale), and does not depend on
which other issues are on the list. Equal scores are ordered by the charter's tie-break.

Besides the results, the summary carries what the exports need to stand on their own (added
for issue 6, all JSON-safe): every issue with its links, the happiness map (stakeholder ×
theme card counts and the cards), every vision draft, each charter version with its weights
and consent record, per-issue score statistics, the anonymous scores (raters numbered 1..n
in order of their first score, never the store's ids), anonymous ballots of ballots whose
results are visible, the roadmap by year, the audit log, and the privacy threshold.
``toolkit.ranking.rank_scores`` is the one ranking computation: the summary, the per-category
rankings, the what-if sliders and ``ureshii verify`` all call it.

A workshop with surveys (issue 19) also gets ``summary["surveys"]``: each survey's results
as ``toolkit.surveys.results.survey_results`` builds them (a workshop without surveys has no
such key, so its summary stays as it was).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

import pandas as pd

from toolkit import consent, methods
from toolkit.ballots import tally
from toolkit.cycles import previous_cycle_section
from toolkit.followup import followup_section
from toolkit.model import Criterion, Issue, Survey
from toolkit.ranking import RankingRule, scored_issues, weighted_criteria
from toolkit.store import Store
from toolkit.times import local_iso, workshop_time_zone, zone_key

#: Format version of the summary dict (bumped when a key changes meaning).
SUMMARY_VERSION = 1
#: Items whose mean r_wg is below this divide the group (James, Demaree & Wolf 1984 use 0.7
#: for "strong agreement"; below 0.5 the answers are about as spread as random ones).
DISAGREEMENT_RWG = 0.5
ROBUSTNESS_SAMPLES = 2_000


def summarize(store: Store, slug: str, *, include_hidden: bool = False) -> dict[str, Any]:
    """The results summary of workshop ``slug`` (see the module docstring).

    Ballots whose results are hidden until close carry no tally unless ``include_hidden``
    (for the facilitator's own console); exports never pass it. Everything is read in one
    :meth:`~toolkit.store.Store.snapshot`, so counts, tallies and rankings are of one moment
    even while phones keep voting.
    """
    with store.snapshot(slug):
        return _summary_of(store, slug, include_hidden=include_hidden)


def _summary_of(store: Store, slug: str, *, include_hidden: bool) -> dict[str, Any]:
    workshop = store.workshop(slug)
    min_group = int((workshop.spec.get("town_meeting") or {}).get("min_group_size", 5))
    criteria = store.criteria(slug)
    issues = store.issues(slug)
    charter = store.locked_charter(slug)
    scores = store.scores(slug)
    cards = store.cards(slug)
    visions = store.visions(slug)
    ballots = store.ballots(slug)
    stakeholders = store.stakeholders(slug)
    zone = workshop_time_zone(workshop.time_zone)
    summary: dict[str, Any] = {
        "summary_version": SUMMARY_VERSION,
        "workshop": {
            "slug": workshop.slug,
            "title": workshop.title,
            "lang": workshop.lang,
            "phase": workshop.phase,
            "time_zone": zone_key(zone),
        },
        "counts": store.counts(slug),
        "stakeholders": [
            {"key": s.key, "name": s.name, "category": s.category, "prompt": s.prompt}
            for s in stakeholders
        ],
        "themes": _themes(store, slug, cards),
        "vision": _vision(store, slug, visions),
        "criteria": [
            {
                "key": c.key,
                "name": c.name,
                "direction": c.direction,
                "scale": [c.scale_min, c.scale_max],
                "description": c.description,
                "anchors": {str(k): v for k, v in sorted(c.anchors.items())},
            }
            for c in criteria
        ],
        "charter": None,
        "charter_history": [
            {
                "version": c.version,
                "method": c.method,
                "reason": c.reason,
                "locked_at": local_iso(c.locked_at, zone),
                "weights": c.weights,
                "tie_break": c.tie_break,
                "rules": c.rules,
                "consent": c.consent,
            }
            for c in store.charters(slug)
        ],
        "ranking": [],
        "by_group": {},
        "ballots": [ballot_summary(store, slug, b, include_hidden) for b in ballots],
        "privacy": {"min_group_size": min_group},
        "issues": [_issue(i) for i in issues],
        "happiness_map": _happiness_map([s.key for s in stakeholders], store, slug, cards),
        "cards": [{"text": c.text, "stakeholder": c.stakeholder, "theme": c.theme} for c in cards],
        "vision_history": [
            {"version": v.version, "text": v.text, "themes": list(v.themes)} for v in visions
        ],
        "score_stats": {"columns": list(SCORE_STATS_COLUMNS), "rows": []},
        "scores": {"columns": list(SCORES_COLUMNS), "rows": [], "rater_groups": []},
        "roadmap": [],
        "audit_log": _audit_log(store, slug, zone),
    }
    if charter is not None:
        summary["charter"] = {
            "version": charter.version,
            "method": charter.method,
            "weights": charter.weights,
            "tie_break": charter.tie_break,
            "rules": charter.rules,
            "reason": charter.reason,
            "locked_at": local_iso(charter.locked_at, zone),
            "consent": charter.consent,
        }
        if not scores.dropna(subset=["score"]).empty:
            rule = RankingRule(charter.weights, charter.tie_break, _costs(issues))
            summary["ranking"] = ranking_rows(scores, issues, criteria, rule)
            summary["by_group"] = _by_category(store, slug, scores, criteria, rule, min_group)
        summary["scores"] = _anonymous_scores(store, slug, scores, min_group)
        summary["score_stats"] = score_stats(scores, issues, criteria)
    summary["followup"] = followup_section(store, slug, summary["ranking"], zone)
    summary["previous_cycle"] = previous_cycle_section(
        store, slug, summary["ranking"], summary["followup"]
    )
    summary["roadmap"] = roadmap(issues, summary["ranking"], planned_years(summary["followup"]))
    surveys = store.surveys(slug)
    if surveys:  # only then: a workshop without surveys keeps the summary it always had
        summary["surveys"] = surveys_section(
            store,
            slug,
            surveys,
            lang=workshop.lang,
            zone=zone,
            min_group_size=min_group,
            issues=issues,
        )
    return summary


def surveys_section(
    store: Store,
    slug: str,
    surveys: list[Survey],
    *,
    lang: str,
    zone: tzinfo,
    min_group_size: int,
    issues: list[Issue],
) -> list[dict[str, Any]]:
    """``summary["surveys"]``: each survey's results (``toolkit.surveys.results``), one read
    of its answers each. A survey's own ``min_group_size`` wins over the town meeting's."""
    from toolkit.surveys.results import survey_results

    return [
        survey_results(
            survey,
            store.survey_responses(slug, survey.key),
            lang=lang,
            zone=zone,
            min_group_size=survey.definition.min_group_size or min_group_size,
            issues=issues,
        )
        for survey in surveys
    ]


#: Columns of ``summary["scores"]["rows"]``: the long format ``methods.aggregate_scores`` reads.
SCORES_COLUMNS = ("rater", "issue", "criterion", "score")
#: Columns of ``summary["score_stats"]["rows"]`` (one row per issue × criterion with answers).
SCORE_STATS_COLUMNS = ("issue", "criterion", "answers", "dont_know", "mean", "median", "scaled")


def _costs(issues: list[Any]) -> dict[str, float | None]:
    return {i.key: i.cost for i in issues}


def ranking_rows(
    scores: pd.DataFrame, issues: list[Any], criteria: list[Criterion], rule: RankingRule
) -> list[dict[str, Any]]:
    """``summary["ranking"]``: the ranked issues with robustness and disagreement (also what
    ``ureshii verify`` re-computes from an export)."""
    criteria, weights = weighted_criteria(criteria, rule.weights)
    keys = scored_issues(scores, [i.key for i in issues], criteria)
    if not keys:
        return []
    table, ranked = rule.rank(scores, criteria, keys)
    agreed = pd.Series(weights, dtype=float)
    acceptability: dict[Any, dict[Any, Any]] = {keys[0]: {1: 1.0}}
    if len(keys) > 1:
        acceptability = methods.rank_acceptability(
            table,
            agreed,
            samples=ROBUSTNESS_SAMPLES,
            concentration=50.0,
            seed=0,
            normalization="none",
        ).to_dict(orient="index")
    values: dict[Any, dict[Any, Any]] = table.to_dict(orient="index")
    spread = _disagreement(scores, keys, criteria)
    by_key = {i.key: i for i in issues}
    rows = []
    for key, row in ranked.iterrows():
        rank = int(row["rank"])
        issue = by_key[str(key)]
        rows.append(
            {
                "rank": rank,
                "key": issue.key,
                "title": issue.title,
                "score": round(float(row["score"]), 6),
                # Share of plausible weightings (Dirichlet around the agreed weights) that
                # keep the issue at exactly this rank: SMAA-2 rank acceptability.
                "robustness": round(float(acceptability[key][rank]), 4),
                "criteria": {c: round(float(values[key][c]), 6) for c in weights},
                "raters": spread[issue.key]["n"],
                "agreement_rwg": spread[issue.key]["r_wg"],
                "divides_group": spread[issue.key]["divides"],
                "themes": list(issue.themes),
                "stakeholders": list(issue.stakeholders),
                "cost": issue.cost,
                "year": issue.year,
                "gap": issue.gap,
            }
        )
    return rows


def _disagreement(
    scores: pd.DataFrame, keys: list[str], criteria: list[Criterion]
) -> dict[str, dict[str, Any]]:
    """Per issue: raters, mean r_wg over criteria, and whether the issue divides the group."""
    result: dict[str, dict[str, Any]] = {}
    values = scores.dropna(subset=["score"])
    r_wg: dict[str, list[float]] = {k: [] for k in keys}
    for c in criteria:
        # A rater's last score of an issue counts; one pivot per criterion, then every
        # issue at once (item_disagreement is vectorised: 1,000 issues take ~0.1 s).
        own = values[values.criterion == c.key].drop_duplicates(["rater", "issue"], keep="last")
        wide = own.pivot(index="rater", columns="issue", values="score")
        counts = wide.count()
        usable = [k for k in keys if counts.get(k, 0) >= 2]
        if usable:
            table = methods.item_disagreement(wide[usable], scale=(c.scale_min, c.scale_max))
            for key, value in table["r_wg"].items():
                r_wg[str(key)].append(float(value))
    raters = values.groupby("issue")["rater"].nunique()  # one pass, not one scan per issue
    for key in keys:
        n = int(raters.get(key, 0))
        mean_rwg = sum(r_wg[key]) / len(r_wg[key]) if r_wg[key] else math.nan
        result[key] = {
            "n": n,
            "r_wg": None if math.isnan(mean_rwg) else round(mean_rwg, 4),
            "divides": bool(not math.isnan(mean_rwg) and mean_rwg < DISAGREEMENT_RWG),
        }
    return result


def _by_category(
    store: Store,
    slug: str,
    scores: pd.DataFrame,
    criteria: list[Criterion],
    rule: RankingRule,
    min_group: int,
) -> dict[str, Any]:
    """The ranking each category (立場) of participants alone would give; categories of fewer
    than ``min_group`` raters hidden. Published as ``summary["by_group"]`` (a versioned key)."""
    keys = [i.key for i in store.issues(slug)]
    categories = store.participant_categories(slug)
    return category_rankings(scores, categories, keys, criteria, rule, min_group)


def category_rankings(
    scores: pd.DataFrame,
    categories: Mapping[Any, str | None],
    keys: list[str],
    criteria: list[Criterion],
    rule: RankingRule,
    min_group: int,
) -> dict[str, Any]:
    """``summary["by_group"]`` from the scores and each rater's category (``categories``:
    rater → category): also what ``ureshii verify`` re-computes from an export."""
    result: dict[str, Any] = {}
    labelled = scores.assign(category=scores["rater"].map(categories))
    for category, part in labelled.dropna(subset=["category"]).groupby("category"):
        raters = int(part["rater"].nunique())
        if raters < min_group:
            result[str(category)] = {"raters": None, "suppressed": True, "ranking": []}
            continue
        _, ranked = rule.rank(part, criteria, keys)
        result[str(category)] = {
            "raters": raters,
            "suppressed": False,
            "ranking": [{"key": str(k), "rank": int(r)} for k, r in ranked["rank"].items()],
        }
    return result


def theme_ranking(store: Store, slug: str) -> list[dict[str, Any]]:
    """The happiness themes, most dots first, then most cards (``summarize(...)["themes"]``),
    without the rest of the summary: the vision is drafted from them, and needs neither the
    scores nor the robustness sampling."""
    return _themes(store, slug, store.cards(slug))


def _themes(store: Store, slug: str, cards: list[Any]) -> list[dict[str, Any]]:
    dots = [
        vote.payload
        for ballot in store.ballots(slug)
        if ballot.purpose == "themes" and ballot.results_visible
        for vote in store.votes(slug, ballot.key)
    ]
    return theme_counts(store.themes(slug), cards, dots)


def theme_counts(themes: list[Any], cards: list[Any], dots: list[Any]) -> list[dict[str, Any]]:
    """``summary["themes"]``: each theme with its cards and its dots (``dots``: the votes of
    the theme ballots whose results are visible), most dots first, then most cards; also
    what ``ureshii verify`` re-computes from an export."""
    per_theme = Counter(c.theme for c in cards if c.theme)
    counted: Counter[str] = Counter()
    for payload in dots:
        counted.update(payload)
    listed = [
        {
            "key": t.key,
            "name": t.name,
            "cards": per_theme[t.key],
            "dots": counted[t.key],
            "description": t.description,
        }
        for t in themes
    ]
    return sorted(listed, key=lambda t: (-t["dots"], -t["cards"], t["key"]))


def _vision(store: Store, slug: str, visions: list[Any]) -> dict[str, Any] | None:
    if not visions:
        return None
    latest = visions[-1]
    levels = [c.level for c in store.vision_consents(slug, latest.version)]
    return {
        "version": latest.version,
        "text": latest.text,
        "themes": list(latest.themes),
        "consent": consent.tally(levels).as_record(),
    }


def ballot_summary(
    store: Store, slug: str, ballot: Any, include_hidden: bool = False
) -> dict[str, Any]:
    """One ballot's entry of :func:`summarize` (``summary["ballots"]``): its settings, vote
    count and, when its results may be shown (or ``include_hidden``), the tally. The board
    reads this alone for the ballots a burst of votes touched, not the whole summary."""
    votes = store.votes(slug, ballot.key)
    shown = ballot.results_visible or include_hidden
    entry: dict[str, Any] = {
        "key": ballot.key,
        "title": ballot.title,
        "purpose": ballot.purpose,
        "rule": ballot.rule,
        "status": ballot.status,
        "results_visible": ballot.results_visible,
        "votes": len(votes),
        "tally": None,
        "options": list(ballot.options),
        "settings": ballot.settings,
        "visibility": ballot.visibility,
        "released": ballot.released,
        # Anonymous ballots (no participant, no time), only once results may be seen; in a
        # canonical order so that the order says nothing about who voted when.
        "payloads": None,
    }
    if shown:
        entry["payloads"] = sorted(
            (v.payload for v in votes), key=lambda p: json.dumps(p, sort_keys=True)
        )
    if shown and votes:
        entry["tally"] = tally(
            ballot.rule, ballot.options, ballot.settings, [v.payload for v in votes]
        )
    return entry


def _issue(issue: Any) -> dict[str, Any]:
    return {
        "key": issue.key,
        "title": issue.title,
        "description": issue.description,
        "current": issue.current,
        "ideal": issue.ideal,
        "gap": issue.gap,
        "cost": issue.cost,
        "year": issue.year,
        "themes": list(issue.themes),
        "stakeholders": list(issue.stakeholders),
    }


def _happiness_map(
    stakeholders: list[str], store: Store, slug: str, cards: list[Any]
) -> dict[str, Any]:
    """Cards per stakeholder × theme; ``None`` row/column for cards without one."""
    return happiness_map(stakeholders, [t.key for t in store.themes(slug)], cards)


def happiness_map(
    stakeholders: list[str], theme_keys: list[str], cards: list[Any]
) -> dict[str, Any]:
    """``summary["happiness_map"]``: cards per stakeholder × theme, ``None`` row/column for
    cards without one; also what ``ureshii verify`` re-computes from an export."""
    themes: list[str | None] = list(theme_keys)
    rows: list[str | None] = list(stakeholders)
    if any(c.stakeholder is None for c in cards):
        rows.append(None)
    if any(c.theme is None for c in cards):
        themes.append(None)
    counts = Counter((c.stakeholder, c.theme) for c in cards)
    return {
        "stakeholders": rows,
        "themes": themes,
        "counts": [[counts[(s, t)] for t in themes] for s in rows],
    }


def _anonymous_scores(
    store: Store, slug: str, scores: pd.DataFrame, min_group: int
) -> dict[str, Any]:
    """The governing charter's scores with raters numbered 1..n (first score first).

    A rater's category is given (``rater_groups``, a published key) only when no category is
    suppressed: with one small category hidden and every other rater labelled, the unlabelled
    raters would *be* that small category.
    """
    numbers: dict[Any, int] = {}
    for rater in scores["rater"]:
        numbers.setdefault(rater, len(numbers) + 1)
    values = scores["score"].astype(object).where(scores["score"].notna(), None)
    rows = [
        [n, str(i), str(c), None if v is None else float(v)]
        for n, i, c, v in zip(
            scores["rater"].map(numbers).tolist(),
            scores["issue"].tolist(),
            scores["criterion"].tolist(),
            values.tolist(),
            strict=True,
        )
    ]
    categories = store.participant_categories(slug)
    per_category = Counter(categories.get(r) for r in numbers)
    suppressed = any(c is not None and n < min_group for c, n in per_category.items())
    rater_categories = [None if suppressed else categories.get(r) for r in numbers]
    return {"columns": list(SCORES_COLUMNS), "rows": rows, "rater_groups": rater_categories}


def score_stats(
    scores: pd.DataFrame, issues: list[Any], criteria: list[Criterion]
) -> dict[str, Any]:
    """Per issue × criterion: answers, "don't know", mean, median and the 0–1 scaled mean."""
    rows: list[list[Any]] = []
    if not scores.empty:
        grouped = scores.groupby(["issue", "criterion"])["score"]
        stats = pd.DataFrame(
            {
                "answers": grouped.size(),
                "numbers": grouped.count(),
                "mean": grouped.mean(),
                "median": grouped.median(),
            }
        )
        found = stats.to_dict(orient="index")
        for issue in issues:
            for c in criteria:
                row = found.get((issue.key, c.key))
                if row is None:
                    continue
                mean = float(row["mean"])
                median = float(row["median"])
                scaled: float | None = None
                if not math.isnan(mean):
                    scaled = (mean - c.scale_min) / (c.scale_max - c.scale_min)
                    scaled = round(1 - scaled if c.direction == "cost" else scaled, 6)
                rows.append(
                    [
                        issue.key,
                        c.key,
                        int(row["answers"]),
                        int(row["answers"] - row["numbers"]),
                        None if math.isnan(mean) else round(mean, 6),
                        None if math.isnan(median) else median,
                        scaled,
                    ]
                )
    return {"columns": list(SCORE_STATS_COLUMNS), "rows": rows}


def planned_years(followup: Mapping[str, Any] | None) -> dict[str, int]:
    """Issue key → the fiscal year of its roadmap item (``summary["followup"]["roadmap"]``)."""
    return {row["issue"]: int(row["year"]) for row in (followup or {}).get("roadmap", [])}


def roadmap(
    issues: list[Any], ranking: list[dict[str, Any]], planned: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """``summary["roadmap"]``: issues by year (no year last); ranked issues first by rank,
    then the rest (also re-computed by ``ureshii verify``). An issue's year is the fiscal
    year of its roadmap item when it has one (``planned``: issue key → year; the detailed
    roadmap is ``summary["followup"]["roadmap"]``), else the year its issue was given."""
    rank = {r["key"]: r["rank"] for r in ranking}
    order = {i.key: n for n, i in enumerate(issues)}
    year_of = {i.key: (planned or {}).get(i.key, i.year) for i in issues}
    years = sorted({y for y in year_of.values() if y is not None})
    result = []
    for year in [*years, None]:
        keys = [i.key for i in issues if year_of[i.key] == year]
        if keys:
            keys.sort(key=lambda k: (k not in rank, rank.get(k, 0), order[k]))
            result.append({"year": year, "issues": keys})
    return result


def _audit_log(store: Store, slug: str, zone: tzinfo) -> list[dict[str, Any]]:
    """Every event of the workshop, oldest first (the store's append-only log), its times
    in the workshop's zone."""
    events: list[dict[str, Any]] = []
    since = 0
    while True:
        batch = store.changes(slug, since=since, limit=5000)
        events += [
            {
                "seq": e.seq,
                "at": local_iso(e.at, zone),
                "kind": e.kind,
                "actor": e.actor,
                "payload": e.payload,
            }
            for e in batch
        ]
        if len(batch) < 5000:
            return events
        since = batch[-1].seq
