"""``ureshii verify EXPORT.json``: re-run the charter's method on the exported scores.

Anyone holding a JSON export can check that its published ranking follows from its own
inputs: the criteria (scales, directions), the locked charter's weights and the anonymous
scores. The re-computation calls :func:`toolkit.ranking.rank_scores` — the very function
that produced the ranking — so a match means "same inputs, same method, same answer", and
a tampered score, weight or rank shows up as a difference.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.i18n import normalize_language, t
from toolkit.methods.registry import method_name
from toolkit.ranking import rank_scores, ranking_inputs

#: Scores and criterion values are published rounded to 6 decimals.
TOLERANCE = 5e-7


@dataclass(frozen=True)
class Difference:
    key: str
    field: str  # "rank", "score", "criteria.<key>", "missing", "extra"
    published: Any
    computed: Any


@dataclass(frozen=True)
class Verification:
    """The outcome of re-computing an export's ranking."""

    has_charter: bool
    version: int | None
    method: str | None
    count: int
    differences: list[Difference] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.has_charter and not self.differences

    def report(self, lang: str | None = None, *, limit: int = 20) -> str:
        """What happened, in words (ja/en): "matches …" or the first differences."""
        if not self.has_charter:
            return t("verify_no_charter", lang)
        if self.matches:
            return t(
                "verify_matches",
                lang,
                count=self.count,
                version=self.version,
                method=method_name(self.method or "", normalize_language(lang)),
            )
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
        return "\n".join(lines)


def load_document(path: str | Path) -> dict[str, Any]:
    """Read an export file (validated by :func:`toolkit.export.json_import.check_document`)."""
    from toolkit.export.json_import import check_document

    document: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    check_document(document, str(path))
    return document


def verify_document(document: dict[str, Any]) -> Verification:
    """Re-compute the ranking of an export document and compare it with the published one."""
    summary = document["summary"]
    charter = summary.get("charter")
    if charter is None:
        return Verification(False, None, None, 0)
    criteria, scores = ranking_inputs(summary)
    issue_keys = [i["key"] for i in summary["issues"]]
    published = {row["key"]: row for row in summary["ranking"]}
    differences: list[Difference] = []
    computed_keys: list[str] = []
    if not scores.dropna(subset=["score"]).empty:
        costs = {i["key"]: i.get("cost") for i in summary["issues"]}
        table, ranked = rank_scores(
            scores,
            criteria,
            issue_keys,
            dict(charter["weights"]),
            tie_break=charter.get("tie_break", "mean_then_median"),
            costs=costs,
        )
        for key, row in ranked.iterrows():
            key = str(key)
            computed_keys.append(key)
            if key not in published:
                differences.append(Difference(key, "extra", None, int(row["rank"])))
                continue
            shown = published[key]
            if int(row["rank"]) != shown["rank"]:
                differences.append(Difference(key, "rank", shown["rank"], int(row["rank"])))
            score = round(float(row["score"]), 6)
            if not math.isclose(score, shown["score"], abs_tol=TOLERANCE):
                differences.append(Difference(key, "score", shown["score"], score))
            for criterion, value in shown["criteria"].items():
                again = round(float(table.loc[key, criterion]), 6)
                if not math.isclose(again, value, abs_tol=TOLERANCE):
                    differences.append(Difference(key, f"criteria.{criterion}", value, again))
    for key in published:
        if key not in computed_keys:
            differences.append(Difference(key, "missing", published[key]["rank"], None))
    return Verification(
        True, charter["version"], charter["method"], len(computed_keys), differences
    )


def verify_file(path: str | Path) -> Verification:
    """:func:`verify_document` on a JSON export file."""
    return verify_document(load_document(path))
