"""``ureshii verify EXPORT.json``: re-compute an export's published figures from its own inputs.

Anyone holding a JSON export can check that its published results follow from its own
inputs — the criteria (scales, directions), the locked charter's weights and tie-break, the
anonymous scores (raters numbered 1..n, with their categories where published), the
anonymous ballots and the cards. The re-computation calls the functions that produced the
figures in the first place (:func:`toolkit.summary.ranking_rows`, ``score_stats``,
``category_rankings``, ``theme_counts``, ``happiness_map``, ``roadmap`` and
:func:`toolkit.ballots.tally`), so a match means "same inputs, same method, same answer",
and an edited figure shows up as a difference naming the item and the field
(``chat: divides_group``, ``staff: by_group.staff.chat.rank``, ``town: tally.town.sanres``…).

What is checked:

- every ranking row: rank, score, each criterion's scaled value, robustness (SMAA-2 rank
  acceptability, sampled with a fixed seed, so it is reproducible), raters, agreement (r_wg)
  and "divides the group";
- every ``score_stats`` row (answers, don't know, mean, median, scaled);
- the rankings by category (``by_group``) when the raters' categories are published
  (``scores.rater_groups``; they are withheld when a category is too small to show), with
  the privacy threshold ``privacy.min_group_size``;
- each ballot's vote count and tally where its anonymous ballots (``payloads``) are
  published;
- each theme's cards and dots, the happiness map, the roadmap, and the counts of cards,
  themes, issues and votes.

What is not checked is always said (:data:`UNCHECKED`): the inputs themselves (verify shows
that the results follow from the published scores and ballots, not that these are what
people entered), texts, consent records, the counts of participants and of scores, the
charter history and the audit log; and, where so, rankings by category whose raters'
categories are withheld and ballots whose results are not published.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from toolkit.ballots import tally
from toolkit.fiscal import FiscalPeriod
from toolkit.followup import indicator_rows, period_json
from toolkit.i18n import normalize_language, t
from toolkit.methods.registry import method_name
from toolkit.ranking import RankingRule, ranking_inputs
from toolkit.summary import (
    category_rankings,
    happiness_map,
    planned_years,
    ranking_rows,
    roadmap,
    score_stats,
    theme_counts,
)

#: Scores, criterion values and means are published rounded to 6 decimals.
TOLERANCE = 5e-7
#: Robustness and r_wg are published rounded to 4 decimals.
TOLERANCE_4 = 5e-5
#: Ballot points are published as computed (no rounding): equal up to float noise.
POINTS_TOLERANCE = 1e-9

#: Catalog keys of what verify never checks, in the order the report lists them.
UNCHECKED = (
    "verify_unchecked_inputs",
    "verify_unchecked_texts",
    "verify_unchecked_consent",
    "verify_unchecked_counts",
    "verify_unchecked_history",
)


@dataclass(frozen=True)
class Difference:
    """One published figure that the re-computation does not give.

    ``key`` names the item (an issue, a ``score_stats`` row ``issue/criterion``, a category,
    a ballot, ``counts``); ``field`` the figure (``rank``, ``divides_group``,
    ``score_stats.mean``, ``by_group.<category>.<issue>.rank``, ``tally.<ballot>.<option>``…),
    or ``missing`` (published, not re-computed) / ``extra`` (re-computed, not published).
    """

    key: str
    field: str
    published: Any
    computed: Any


@dataclass(frozen=True)
class Verification:
    """The outcome of re-computing an export's published figures."""

    has_charter: bool
    version: int | None
    method: str | None
    count: int
    """Ranking rows re-computed."""
    differences: list[Difference] = field(default_factory=list)
    score_stats: int = 0
    """``score_stats`` rows re-computed."""
    categories: int | None = 0
    """Categories of ``by_group`` re-computed; ``None`` when the raters' categories are
    withheld (a small category) so ``by_group`` could not be checked."""
    ballots: int = 0
    """Ballot tallies re-computed (ballots whose anonymous ballots are published)."""
    hidden_ballots: list[str] = field(default_factory=list)
    """Ballots whose results are not published (nothing to check)."""
    followup_as_of: str | None = None
    """The day the follow-up's statuses were re-computed for; None without a follow-up."""
    previous_cycle: str | None = None
    """The workshop the export's workshop continues (its moves are not checked), if any."""
    survey_means: int = 0
    """Survey means (question × wave) re-computed from the exported answers."""
    surveys: list[str] = field(default_factory=list)
    """The surveys of the export (their distributions and comparisons are not checked)."""

    @property
    def matches(self) -> bool:
        return self.has_charter and not self.differences

    def checked(self, lang: str | None = None) -> list[str]:
        """What was re-computed, one line each (ja/en)."""
        lines = [t("verify_checked_ranking", lang, count=self.count)]
        lines.append(t("verify_checked_score_stats", lang, count=self.score_stats))
        if self.categories:
            lines.append(t("verify_checked_by_group", lang, count=self.categories))
        if self.ballots:
            lines.append(t("verify_checked_ballots", lang, count=self.ballots))
        lines.append(t("verify_checked_counts", lang))
        if self.followup_as_of is not None:
            lines.append(t("verify_checked_followup", lang, day=self.followup_as_of))
        if self.survey_means:
            lines.append(t("verify_checked_surveys", lang, count=self.survey_means))
        return lines

    def unchecked(self, lang: str | None = None) -> list[str]:
        """What verify does not check, one line each (ja/en): always said."""
        lines = [t(key, lang) for key in UNCHECKED]
        if self.categories is None:
            lines.append(t("verify_unchecked_by_group", lang))
        if self.hidden_ballots:
            lines.append(t("verify_unchecked_hidden", lang, ballots=", ".join(self.hidden_ballots)))
        if self.previous_cycle is not None:
            lines.append(t("verify_unchecked_previous_cycle", lang, slug=self.previous_cycle))
        if self.surveys:
            lines.append(t("verify_unchecked_surveys", lang, surveys=", ".join(self.surveys)))
        return lines

    def report(self, lang: str | None = None, *, limit: int = 20) -> str:
        """What happened, in words (ja/en): "matches" and what was checked, or the first
        differences; then, always, what was not checked."""
        if not self.has_charter:
            return t("verify_no_charter", lang)
        if self.matches:
            lines = [
                t(
                    "verify_matches",
                    lang,
                    version=self.version,
                    method=method_name(self.method or "", normalize_language(lang)),
                )
            ]
            lines += [f"  - {line}" for line in self.checked(lang)]
        else:
            lines = [t("verify_mismatch", lang, count=len(self.differences))]
            for d in self.differences[:limit]:
                if d.field == "missing":
                    lines.append(t("verify_missing", lang, key=d.key))
                elif d.field == "extra":
                    lines.append(t("verify_extra", lang, key=d.key))
                else:
                    lines.append(
                        t(
                            "verify_difference",
                            lang,
                            key=d.key,
                            field=d.field,
                            published=d.published,
                            computed=d.computed,
                        )
                    )
            if len(self.differences) > limit:
                lines.append(t("verify_more", lang, count=len(self.differences) - limit))
        lines.append(t("verify_unchecked", lang))
        lines += [f"  - {line}" for line in self.unchecked(lang)]
        return "\n".join(lines)


def load_document(path: str | Path) -> dict[str, Any]:
    """Read an export file (validated by :func:`toolkit.export.json_import.check_document`)."""
    from toolkit.export.json_import import check_document

    document: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    check_document(document, str(path))
    return document


def verify_document(document: dict[str, Any]) -> Verification:
    """Re-compute the published figures of an export document and compare them."""
    summary = document["summary"]
    charter = summary.get("charter")
    if charter is None:
        return Verification(False, None, None, 0)
    criteria, scores = ranking_inputs(summary)
    issues = [SimpleNamespace(**issue) for issue in summary["issues"]]
    rule = RankingRule(
        dict(charter["weights"]),
        charter.get("tie_break", "mean_then_median"),
        {i.key: i.cost for i in issues},
    )
    differences: list[Difference] = []
    ranked = not scores.dropna(subset=["score"]).empty
    rows = ranking_rows(scores, issues, criteria, rule) if ranked else []
    differences += _ranking_differences(summary["ranking"], rows)
    stats = score_stats(scores, issues, criteria)["rows"]
    differences += _stats_differences(summary["score_stats"]["rows"], stats)
    categories: int | None = None
    groups = summary["scores"]["rater_groups"]
    if any(g is not None for g in groups) or not summary["by_group"]:
        by_group: dict[str, Any] = {}
        if ranked:
            by_group = category_rankings(
                scores,
                {n + 1: g for n, g in enumerate(groups)},
                [i.key for i in issues],
                criteria,
                rule,
                int(summary["privacy"]["min_group_size"]),
            )
        differences += _by_group_differences(summary["by_group"], by_group)
        categories = len(by_group)
    tallies, hidden, ballot_differences = _ballot_differences(summary["ballots"])
    differences += ballot_differences
    differences += _count_differences(summary)
    differences += _theme_differences(summary)
    differences += _map_differences(summary)
    differences += _roadmap_differences(summary, issues, rows)
    followup = summary.get("followup")
    if followup is not None:
        differences += _followup_differences(followup, rows)
    survey_means, survey_differences = _survey_differences(
        summary.get("surveys") or [], document.get("surveys") or []
    )
    differences += survey_differences
    return Verification(
        True,
        charter["version"],
        charter["method"],
        len(rows),
        differences,
        score_stats=len(stats),
        categories=categories,
        ballots=tallies,
        hidden_ballots=hidden,
        followup_as_of=None if followup is None else followup["as_of"],
        previous_cycle=(summary.get("previous_cycle") or {}).get("slug"),
        survey_means=survey_means,
        surveys=[s["key"] for s in summary.get("surveys") or []],
    )


def _survey_differences(
    published: list[dict[str, Any]], exported: list[dict[str, Any]]
) -> tuple[int, list[Difference]]:
    """Each wave's responses and each rating / number question's mean, n, SD and 95%
    interval per wave, re-computed (``toolkit.surveys.stats.mean_ci``) from the exported
    anonymous answers. Returns how many means were re-computed, and the differences
    (item ``survey/question/wave``, field ``survey.mean`` …)."""
    from toolkit.surveys.stats import mean_ci

    answers = {item["key"]: item["answers"] for item in exported}
    checked = 0
    differences: list[Difference] = []
    for survey in published:
        rows = answers.get(survey["key"])
        if rows is None:
            continue
        for wave in survey["waves"]:
            count = sum(1 for row in rows if row["wave"] == wave["key"])
            if count != wave["responses"]:
                key = f"{survey['key']}/{wave['key']}"
                differences.append(Difference(key, "survey.responses", wave["responses"], count))
        for question in survey["questions"]:
            if question["kind"] not in ("likert", "number"):
                continue
            for wave_key, result in question.get("waves", {}).items():
                values = [
                    float(row["answers"].get(question["key"]))
                    for row in rows
                    if row["wave"] == wave_key
                    and isinstance(row["answers"].get(question["key"]), int | float)
                    and not isinstance(row["answers"].get(question["key"]), bool)
                ]
                again = mean_ci(values)
                shown = result.get("mean") or {}
                key = f"{survey['key']}/{question['key']}/{wave_key}"
                checked += 1
                for name in ("mean", "low", "high", "sd"):
                    ours = getattr(again, name)
                    theirs = shown.get(name)
                    if not _close(theirs, None if ours is None else round(ours, 4), TOLERANCE_4):
                        differences.append(Difference(key, f"survey.{name}", theirs, ours))
                n = shown.get("n", 0) if shown else 0
                if n != again.n:
                    differences.append(Difference(key, "survey.n", n, again.n))
    return checked, differences


def verify_file(path: str | Path) -> Verification:
    """:func:`verify_document` on a JSON export file."""
    return verify_document(load_document(path))


def _close(published: Any, computed: Any, tolerance: float) -> bool:
    """Equal, numbers up to ``tolerance``; ``None`` and booleans only equal themselves."""
    exact = (published, computed)
    if any(v is None or isinstance(v, bool) for v in exact):
        return type(published) is type(computed) and bool(published == computed)
    if all(isinstance(v, int | float) for v in exact):
        return math.isclose(float(published), float(computed), rel_tol=0, abs_tol=tolerance)
    return bool(published == computed)


#: Ranking row fields re-computed, with the tolerance of their published rounding.
RANKING_FIELDS = (
    ("rank", 0.0),
    ("score", TOLERANCE),
    ("robustness", TOLERANCE_4),
    ("raters", 0.0),
    ("agreement_rwg", TOLERANCE_4),
    ("divides_group", 0.0),
)


def _ranking_differences(
    published: list[dict[str, Any]], computed: list[dict[str, Any]]
) -> list[Difference]:
    shown = {row["key"]: row for row in published}
    again = {row["key"]: row for row in computed}
    differences: list[Difference] = []
    for key, row in again.items():
        if key not in shown:
            differences.append(Difference(key, "extra", None, row["rank"]))
            continue
        for name, tolerance in RANKING_FIELDS:
            if not _close(shown[key].get(name), row[name], tolerance):
                differences.append(Difference(key, name, shown[key].get(name), row[name]))
        criteria = shown[key].get("criteria", {})
        for criterion in sorted(set(criteria) | set(row["criteria"])):
            value, value_again = criteria.get(criterion), row["criteria"].get(criterion)
            if not _close(value, value_again, TOLERANCE):
                differences.append(Difference(key, f"criteria.{criterion}", value, value_again))
    for key, row in shown.items():
        if key not in again:
            differences.append(Difference(key, "missing", row["rank"], None))
    return differences


#: ``score_stats`` columns after (issue, criterion), with their tolerance.
STATS_FIELDS = (
    ("answers", 0.0),
    ("dont_know", 0.0),
    ("mean", TOLERANCE),
    ("median", TOLERANCE),
    ("scaled", TOLERANCE),
)


def _stats_differences(published: list[list[Any]], computed: list[list[Any]]) -> list[Difference]:
    shown = {f"{row[0]}/{row[1]}": row[2:] for row in published}
    again = {f"{row[0]}/{row[1]}": row[2:] for row in computed}
    differences: list[Difference] = []
    for key, values in again.items():
        if key not in shown:
            differences.append(Difference(f"score_stats.{key}", "extra", None, None))
            continue
        for (name, tolerance), value, value_again in zip(
            STATS_FIELDS, shown[key], values, strict=True
        ):
            if not _close(value, value_again, tolerance):
                differences.append(Difference(key, f"score_stats.{name}", value, value_again))
    for key in shown:
        if key not in again:
            differences.append(Difference(f"score_stats.{key}", "missing", None, None))
    return differences


def _by_group_differences(published: dict[str, Any], computed: dict[str, Any]) -> list[Difference]:
    differences: list[Difference] = []
    for category, group in computed.items():
        where = f"by_group.{category}"
        if category not in published:
            differences.append(Difference(where, "extra", None, None))
            continue
        shown = published[category]
        for name in ("raters", "suppressed"):
            if not _close(shown.get(name), group[name], 0.0):
                differences.append(
                    Difference(category, f"{where}.{name}", shown.get(name), group[name])
                )
        ranks = {r["key"]: r["rank"] for r in shown.get("ranking", [])}
        ranks_again = {r["key"]: r["rank"] for r in group["ranking"]}
        for key in [*ranks_again, *(k for k in ranks if k not in ranks_again)]:
            if ranks.get(key) != ranks_again.get(key):
                differences.append(
                    Difference(
                        category, f"{where}.{key}.rank", ranks.get(key), ranks_again.get(key)
                    )
                )
    for category in published:
        if category not in computed:
            differences.append(Difference(f"by_group.{category}", "missing", None, None))
    return differences


def _ballot_differences(ballots: list[dict[str, Any]]) -> tuple[int, list[str], list[Difference]]:
    """(tallies re-computed, ballots without published results, differences)."""
    checked = 0
    hidden: list[str] = []
    differences: list[Difference] = []
    for ballot in ballots:
        key, payloads, shown = ballot["key"], ballot.get("payloads"), ballot.get("tally")
        if payloads is None:
            hidden.append(key)
            continue
        checked += 1
        if ballot["votes"] != len(payloads):
            differences.append(Difference(key, "votes", ballot["votes"], len(payloads)))
        again = (
            tally(ballot["rule"], ballot["options"], ballot["settings"], payloads)
            if payloads
            else None
        )
        differences += _tally_differences(key, shown, again)
    return checked, hidden, differences


def _tally_differences(key: str, shown: Any, again: dict[str, Any] | None) -> list[Difference]:
    where = f"tally.{key}"
    if shown is None or again is None:
        if shown is again:
            return []
        return [Difference(key, where, shown, again)]
    differences: list[Difference] = []
    points, points_again = shown.get("points", {}), again["points"]
    for option in [*points_again, *(o for o in points if o not in points_again)]:
        if not _close(points.get(option), points_again.get(option), POINTS_TOLERANCE):
            differences.append(
                Difference(key, f"{where}.{option}", points.get(option), points_again.get(option))
            )
    for name in ("order", "selected"):
        if shown.get(name) != again.get(name):
            differences.append(Difference(key, f"{where}.{name}", shown.get(name), again.get(name)))
    return differences


def _count_differences(summary: dict[str, Any]) -> list[Difference]:
    """``counts`` that follow from the published lists: cards, themes, issues, votes."""
    counts = summary["counts"]
    again = {
        "cards": len(summary["cards"]),
        "themes": len(summary["themes"]),
        "issues": len(summary["issues"]),
        # a ballot's own count is checked against its published ballots, where published
        "votes": sum(
            len(b["payloads"]) if b.get("payloads") is not None else int(b["votes"])
            for b in summary["ballots"]
        ),
    }
    return [
        Difference("counts", f"counts.{name}", counts.get(name), value)
        for name, value in again.items()
        if counts.get(name) != value
    ]


def _theme_differences(summary: dict[str, Any]) -> list[Difference]:
    """Each theme's cards (from the published cards) and dots (from the published ballots of
    the visible theme ballots), and the themes' order."""
    cards = [SimpleNamespace(**card) for card in summary["cards"]]
    dots = [
        payload
        for ballot in summary["ballots"]
        if ballot["purpose"] == "themes" and ballot["results_visible"]
        for payload in ballot.get("payloads") or []
    ]
    shown = summary["themes"]
    again = theme_counts([SimpleNamespace(**theme) for theme in shown], cards, dots)
    differences: list[Difference] = []
    by_key = {theme["key"]: theme for theme in shown}
    for theme in again:
        for name in ("cards", "dots"):
            if by_key[theme["key"]][name] != theme[name]:
                differences.append(
                    Difference(
                        theme["key"], f"themes.{name}", by_key[theme["key"]][name], theme[name]
                    )
                )
    order, order_again = [t["key"] for t in shown], [t["key"] for t in again]
    if not differences and order != order_again:
        differences.append(Difference("themes", "themes.order", order, order_again))
    return differences


def _map_differences(summary: dict[str, Any]) -> list[Difference]:
    """The happiness map: cards per stakeholder × theme, from the published cards."""
    shown = summary["happiness_map"]
    keys = [theme["key"] for theme in summary["themes"]]
    # the map lists the themes in the workshop's order (the themes list is by dots)
    order = [k for k in shown["themes"] if k in keys] + [
        k for k in keys if k not in shown["themes"]
    ]
    cards = [SimpleNamespace(**card) for card in summary["cards"]]
    again = happiness_map([s["key"] for s in summary["stakeholders"]], order, cards)
    differences = [
        Difference("happiness_map", f"happiness_map.{name}", shown[name], again[name])
        for name in ("stakeholders", "themes")
        if shown[name] != again[name]
    ]
    for i, stakeholder in enumerate(again["stakeholders"]):
        for j, theme in enumerate(again["themes"]):
            if stakeholder not in shown["stakeholders"] or theme not in shown["themes"]:
                continue
            row = shown["counts"][shown["stakeholders"].index(stakeholder)]
            value = row[shown["themes"].index(theme)]
            if value != again["counts"][i][j]:
                differences.append(
                    Difference(
                        "happiness_map",
                        f"happiness_map.counts.{stakeholder}.{theme}",
                        value,
                        again["counts"][i][j],
                    )
                )
    return differences


def _roadmap_differences(
    summary: dict[str, Any], issues: list[Any], ranking: list[dict[str, Any]]
) -> list[Difference]:
    """The roadmap: issues by year, in the re-computed ranking's order."""
    shown = {year["year"]: year["issues"] for year in summary["roadmap"]}
    planned = planned_years(summary.get("followup"))
    again = {year["year"]: year["issues"] for year in roadmap(issues, ranking, planned)}
    return [
        Difference("roadmap", f"roadmap.{year}", shown.get(year), again.get(year))
        for year in [*again, *(y for y in shown if y not in again)]
        if shown.get(year) != again.get(year)
    ]


def _followup_differences(
    followup: dict[str, Any], ranking: list[dict[str, Any]]
) -> list[Difference]:
    """After the workshop: each indicator's status, progress, expectation and latest value
    as of the published day, from its published baseline, target and measurements; each
    roadmap item's rank (the re-computed ranking's) and period (from its year and quarter)."""
    differences: list[Difference] = []
    indicators = [SimpleNamespace(**row) for row in followup["indicators"]]
    for found in indicators:
        found.baseline_on = date.fromisoformat(found.baseline_on)
        found.target_on = date.fromisoformat(found.target_on)
    measured = [
        SimpleNamespace(
            indicator=row["key"],
            value=m["value"],
            measured_on=date.fromisoformat(m["measured_on"]),
            note=m["note"],
            entered_by=m["entered_by"],
        )
        for row in followup["indicators"]
        for m in row["measurements"]
    ]
    again = indicator_rows(indicators, measured, as_of=date.fromisoformat(followup["as_of"]))
    for shown, computed in zip(followup["indicators"], again, strict=True):
        for name in ("status", "latest", "progress", "expected"):
            if shown[name] != computed[name]:
                differences.append(
                    Difference(
                        shown["key"], f"followup.indicators.{name}", shown[name], computed[name]
                    )
                )
    ranks = {str(r["key"]): int(r["rank"]) for r in ranking}
    for item in followup["roadmap"]:
        if item["rank"] != ranks.get(item["issue"]):
            differences.append(
                Difference(
                    item["issue"], "followup.roadmap.rank", item["rank"], ranks.get(item["issue"])
                )
            )
        period = period_json(FiscalPeriod(item["year"], item["quarter"]))
        for name in ("period", "start", "end"):
            if item[name] != period[name]:
                differences.append(
                    Difference(item["issue"], f"followup.roadmap.{name}", item[name], period[name])
                )
    return differences
