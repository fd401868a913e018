"""What every format shares: labels in ja/en and the backlog table, read off the summary.

Nothing here computes a result: the numbers come from ``toolkit.summary.summarize``; these
helpers only look up names (criterion, theme, stakeholder, ballot) and translate labels.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from toolkit import consent
from toolkit.errors import UreshiiError
from toolkit.i18n import CatalogError, Lang, normalize_language, t
from toolkit.methods.registry import METHODS, method_name
from toolkit.times import workshop_time_zone

FORMATS = ("csv", "xlsx", "json", "md", "html", "png", "svg", "pb")
BINARY_FORMATS = ("xlsx", "png")
TEXT_FORMATS = tuple(f for f in FORMATS if f not in BINARY_FORMATS)
#: Fields an imported issue can have (``ureshii import-issues --map COLUMN=FIELD``).
IMPORT_FIELDS = (
    "key",
    "title",
    "description",
    "current",
    "ideal",
    "cost",
    "year",
    "themes",
    "stakeholders",
)


class ExportError(UreshiiError):
    """An export cannot be written as asked (format, encoding, ballot …)."""


def export_lang(summary: dict[str, Any], lang: str | None) -> Lang:
    """The language of an export: the one asked for, else the workshop's."""
    return normalize_language(lang or summary["workshop"]["lang"])


def export_zone(summary: dict[str, Any]) -> tzinfo:
    """The zone an export writes its times in: the workshop's (``summary["workshop"]
    ["time_zone"]``; a summary from before that key follows :func:`workshop_time_zone`)."""
    return workshop_time_zone(summary["workshop"].get("time_zone"))


def label(key: str, lang: str, **params: Any) -> str:
    """An export label from ``export.yaml`` (``export_`` prefix implied)."""
    return t(f"export_{key}", lang, **params)


def _known(key: str, fallback: str, lang: str) -> str:
    """A label, or the raw id when the catalog has none (a rule added after this module)."""
    try:
        return label(key, lang)
    except CatalogError:
        return fallback


def tie_break_name(tie_break: str, lang: str) -> str:
    return _known(f"tie_{tie_break}", tie_break, lang)


def yes_no(value: bool | None, lang: str) -> str:
    if value is None:
        return label("none", lang)
    return label("yes" if value else "no", lang)


def measured_by_text(indicator: dict[str, Any], summary: dict[str, Any], lang: str) -> str:
    """The survey question that measures an indicator, as a reader finds it in the survey
    sheets: ``「職員DX意識調査」 q1: デジタル化に前向きだ``; empty when measured by hand. The
    survey's title and the question's text come from ``summary["surveys"]`` (their keys
    when the survey is not there)."""
    linked = indicator.get("measured_by")
    if not linked:
        return ""
    survey = next((s for s in summary.get("surveys") or [] if s["key"] == linked["survey"]), None)
    title = survey["title"] if survey else linked["survey"]
    questions = {q["key"]: q["text"] for q in (survey or {}).get("questions", [])}
    text = questions.get(linked["question"])
    question = f"{linked['question']}: {text}" if text else linked["question"]
    return label("measured_by", lang, survey=title, question=question)


def consent_text(record: dict[str, Any] | None, lang: str) -> str:
    """A consent record in the one wording of every screen (:func:`toolkit.consent.summary`)."""
    if not record:
        return label("none", lang)
    return consent.summary(consent.tally_from_record(record), lang)


class Names:
    """Key → display name for the summary's criteria, themes, stakeholders, issues, ballots."""

    def __init__(self, summary: dict[str, Any], lang: str) -> None:
        self.lang = lang
        self.criteria = {c["key"]: c["name"] for c in summary["criteria"]}
        self.themes = {t_["key"]: t_["name"] for t_ in summary["themes"]}
        self.stakeholders = {s["key"]: s["name"] for s in summary["stakeholders"]}
        self.issues = {i["key"]: i["title"] for i in summary.get("issues", [])}
        for row in summary["ranking"]:
            self.issues.setdefault(row["key"], row["title"])
        self.ballots = {b["key"]: b["title"] for b in summary["ballots"]}

    def theme(self, key: str | None) -> str:
        return label("no_theme", self.lang) if key is None else self.themes.get(key, key)

    def stakeholder(self, key: str | None) -> str:
        if key is None:
            return label("no_stakeholder", self.lang)
        return self.stakeholders.get(key, key)

    def option(self, key: str) -> str:
        """A ballot option: an issue title, theme, criterion or method name, else the key."""
        for table in (self.issues, self.themes, self.criteria):
            if key in table:
                return table[key]
        if key in METHODS:
            return method_name(key, self.lang)
        return key

    def join(self, names: Sequence[str]) -> str:
        return ("、" if self.lang == "ja" else "; ").join(names)


def review_subject(review: dict[str, Any], names: Names) -> str:
    """The decision a review date is for, in words: 憲章 第2版, 投票の結果: …, ロードマップ: …"""
    subject, key = review["subject"], review["key"]
    name = names.ballots.get(key, key) if subject == "ballot" else names.issues.get(key, key)
    return label(f"review_subject_{subject}", names.lang, version=key, name=name)


def weights_text(weights: dict[str, float], names: Names) -> str:
    return names.join([f"{names.criteria.get(k, k)} {v:.1%}" for k, v in weights.items()])


def issue_ballots(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Ballots with a visible tally whose options include issues (town meeting, shortlist)."""
    issues = {i["key"] for i in summary.get("issues", [])}
    return [
        b
        for b in summary["ballots"]
        if b["tally"] is not None and issues.intersection(b["tally"]["points"])
    ]


#: The column of :func:`backlog_table` that holds the issue's id.
BACKLOG_ID_COLUMN = 1


def backlog_table(
    summary: dict[str, Any], lang: str, *, text_lists: bool = True
) -> tuple[list[str], list[list[Any]]]:
    """The backlog as a header and rows: the ranked issues, then the unranked ones.

    Columns: rank, ID, issue, description, score, robustness, divides the group, r_wg,
    raters, themes, stakeholders, cost, year, current, ideal, gap, each criterion (0–1),
    each visible issue ballot's points, then the charter (version, method, weights,
    tie-break, lock time), so a row pasted anywhere still says which method produced it.
    The ID, issue, description, themes, stakeholders, cost, year, current and ideal columns
    are headed with words :func:`toolkit.export.imports.import_issues` recognises, so the
    CSV and XLSX import back as the same issues.
    """
    names = Names(summary, lang)
    charter = summary["charter"] or {}
    weights = charter.get("weights") or {}
    ballots = issue_ballots(summary)
    header = [
        label(f"col_{c}", lang)
        for c in (
            "rank",
            "key",
            "title",
            "description",
            "score",
            "robustness",
            "divides",
            "agreement",
            "raters",
            "themes",
            "stakeholders",
            "cost",
            "year",
            "current",
            "ideal",
            "gap",
        )
    ]
    header += [label("col_criterion_score", lang, criterion=names.criteria[k]) for k in weights]
    header += [label("col_ballot_points", lang, ballot=b["title"]) for b in ballots]
    header += [
        label(f"col_{c}", lang)
        for c in ("charter_version", "method", "weights", "tie_break", "locked_at")
    ]
    charter_cells = [
        charter.get("version"),
        method_name(charter["method"], lang) if charter else None,
        weights_text(weights, names) if charter else None,
        tie_break_name(charter["tie_break"], lang) if charter else None,
        charter.get("locked_at"),
    ]
    issues = {i["key"]: i for i in summary.get("issues", [])}
    ranked = {r["key"]: r for r in summary["ranking"]}
    order = [r["key"] for r in summary["ranking"]] + [k for k in issues if k not in ranked]
    rows: list[list[Any]] = []
    for key in order:
        row = ranked.get(key, {})
        issue = issues.get(key, row)
        themes = [names.theme(k) for k in issue.get("themes", [])]
        holders = [names.stakeholder(k) for k in issue.get("stakeholders", [])]
        cells: list[Any] = [
            row.get("rank"),
            key,
            issue.get("title", row.get("title")),
            issue.get("description") or None,
            row.get("score"),
            row.get("robustness"),
            yes_no(row["divides_group"], lang) if row else None,
            row.get("agreement_rwg"),
            row.get("raters"),
            names.join(themes) if text_lists else themes,
            names.join(holders) if text_lists else holders,
            issue.get("cost"),
            issue.get("year"),
            issue.get("current"),
            issue.get("ideal"),
            issue.get("gap"),
        ]
        cells += [row.get("criteria", {}).get(k) for k in weights]
        cells += [b["tally"]["points"].get(key) for b in ballots]
        cells += charter_cells
        rows.append(cells)
    return header, rows


def payload_text(payload: Any, names: Names) -> str:
    """One anonymous ballot in words: options by name, with points where there are points."""
    if isinstance(payload, str):
        return names.option(payload)
    if isinstance(payload, dict):
        return names.join([f"{names.option(k)} {v}" for k, v in payload.items()])
    if isinstance(payload, list):
        return names.join([names.option(str(k)) for k in payload])
    return json.dumps(payload, ensure_ascii=False)


def year_text(year: int | None, lang: str) -> str:
    return label("no_year", lang) if year is None else label("year_value", lang, year=year)
