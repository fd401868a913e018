"""The JSON export (format ``ureshii-export/1``) and its published JSON Schema.

The document is the results summary with an envelope::

    {"format": "ureshii-export/1", "exported_at": "...", "generator": {...},
     "lang": "ja", "scoring_convention": {"ja": "...", "en": "..."}, "summary": {...},
     "surveys": [{"key": ..., "definition": {...}, "answers": [...]}]}

``surveys`` (only when the workshop has surveys) holds each survey's definition and its
anonymous answers; their results are ``summary.surveys``.

It carries everything needed to re-compute the ranking from the file alone (criteria with
their scales and directions, the locked charter's weights, the anonymous scores with raters
numbered 1..n): ``ureshii verify FILE.json`` does exactly that, and
:func:`toolkit.export.json_import.import_export_json` rebuilds a store from it.

The pydantic models below describe the document; the committed schema
``toolkit/json_schemas/export.schema.json`` is generated from them. Regenerate it with::

    .venv/bin/python -m toolkit.export.json_export schema
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from toolkit import __version__
from toolkit.export._common import export_lang, export_zone
from toolkit.i18n import both
from toolkit.summary import SUMMARY_VERSION
from toolkit.surveys.definition import SurveySpec
from toolkit.times import local_iso

FORMAT_ID = "ureshii-export/1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "json_schemas" / "export.schema.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkshopInfo(_Model):
    slug: str
    title: str
    lang: Literal["ja", "en"]
    phase: str
    time_zone: str = Field(
        default="Asia/Tokyo",
        description="IANA time zone of every time in the document (ISO 8601 with its offset).",
    )


class Counts(_Model):
    participants: int
    cards: int
    themes: int
    issues: int
    scores: int = Field(description="Every score recorded, superseded ones included.")
    votes: int


class StakeholderOut(_Model):
    key: str
    name: str
    category: str
    prompt: str


class ThemeOut(_Model):
    key: str
    name: str
    description: str
    cards: int
    dots: int = Field(description="Dots from theme ballots whose results are visible.")


class ConsentRecord(_Model):
    responses: int
    blocks: int
    levels: dict[str, int] = Field(description="Fist of five: level '0'..'5' → how many.")


class VisionOut(_Model):
    version: int
    text: str
    themes: list[str]
    consent: ConsentRecord


class CriterionOut(_Model):
    key: str
    name: str
    direction: Literal["benefit", "cost"]
    scale: list[int] = Field(min_length=2, max_length=2, description="[min, max]")
    description: str
    anchors: dict[str, str]


class CharterOut(_Model):
    version: int
    method: str
    weights: dict[str, float] = Field(description="Per criterion key; they add up to 1.")
    tie_break: str
    rules: dict[str, Any]
    reason: str
    locked_at: str | None
    consent: ConsentRecord | None


class CharterVersion(_Model):
    version: int
    method: str
    reason: str
    locked_at: str | None
    weights: dict[str, float]
    tie_break: str
    rules: dict[str, Any]
    consent: ConsentRecord | None


class RankingRow(_Model):
    rank: int
    key: str
    title: str
    score: float = Field(description="Weighted mean of the 0–1 scaled criterion means.")
    robustness: float = Field(description="SMAA-2 acceptability of exactly this rank.")
    criteria: dict[str, float] = Field(description="Each criterion's scaled mean (0–1).")
    raters: int
    agreement_rwg: float | None
    divides_group: bool
    themes: list[str]
    stakeholders: list[str]
    cost: float | None
    year: int | None
    gap: int | None


class GroupRank(_Model):
    key: str
    rank: int


class GroupRanking(_Model):
    raters: int | None = Field(description="None when the category is suppressed.")
    suppressed: bool
    ranking: list[GroupRank]


class Tally(_Model):
    order: list[str]
    points: dict[str, float]
    selected: list[str] | None = None


class BallotOut(_Model):
    key: str
    title: str
    purpose: str
    rule: str
    status: Literal["draft", "open", "closed"]
    results_visible: bool
    votes: int
    tally: Tally | None = Field(description="None while results are hidden.")
    options: list[str]
    settings: dict[str, Any]
    visibility: Literal["live", "hidden_until_close"]
    released: bool
    payloads: list[Any] | None = Field(
        description="Anonymous ballots in a canonical order; None while results are hidden."
    )


class Privacy(_Model):
    min_group_size: int


class IssueOut(_Model):
    key: str
    title: str
    description: str
    current: int | None
    ideal: int | None
    gap: int | None
    cost: float | None
    year: int | None
    themes: list[str]
    stakeholders: list[str]


class HappinessMap(_Model):
    stakeholders: list[str | None]
    themes: list[str | None]
    counts: list[list[int]] = Field(description="counts[stakeholder][theme] = cards.")


class CardOut(_Model):
    text: str
    stakeholder: str | None
    theme: str | None


class VisionDraft(_Model):
    version: int
    text: str
    themes: list[str]


class ScoreStats(_Model):
    columns: list[str]
    rows: list[tuple[str, str, int, int, float | None, float | None, float | None]]


class Scores(_Model):
    columns: list[str]
    rows: list[tuple[int, str, str, float | None]] = Field(
        description="(rater 1..n, issue, criterion, score or None for don't know)."
    )
    rater_groups: list[str | None] = Field(
        description=(
            "Category (立場) of rater n at index n-1; all None when any category is "
            "suppressed. The key keeps its version-1 name."
        )
    )


class RoadmapYear(_Model):
    year: int | None
    issues: list[str]


class FiscalLabel(_Model):
    ja: str
    en: str


class RoadmapItemOut(_Model):
    issue: str
    title: str
    rank: int | None = Field(description="The issue's place in the agreed ranking, if any.")
    year: int = Field(
        description="Fiscal year (April–March) the item is planned in: 2026 = 令和8年度."
    )
    quarter: int | None = Field(description="1–4 (Q1 = April–June), or None for the whole year.")
    period: FiscalLabel
    start: str = Field(description="First day of the period, YYYY-MM-DD.")
    end: str = Field(description="Last day of the period, YYYY-MM-DD.")
    owner_department: str = Field(description="担当課")
    budget_line: str
    review_on: str | None = Field(description="Review date (見直し日), YYYY-MM-DD.")
    depends_on: list[str] = Field(description="Issue keys this item waits for.")


class MeasurementOut(_Model):
    value: float
    measured_on: str
    note: str
    entered_by: str


class LatestMeasurement(_Model):
    value: float
    measured_on: str


class SurveyLinkOut(_Model):
    survey: str = Field(description="The survey's key (surveys[].key).")
    question: str = Field(
        description="The Likert or number question whose wave mean is a measurement."
    )


class IndicatorOut(_Model):
    key: str
    issue: str
    name: str
    unit: str
    direction: Literal["increase", "decrease"]
    baseline: float
    baseline_on: str
    target: float
    target_on: str
    source: str
    measured_by: SurveyLinkOut | None = Field(
        default=None,
        description="The survey question that measures this indicator: each wave's mean "
        "answer is recorded as a measurement (null: measured by hand or by import).",
    )
    status: Literal["achieved", "on_track", "at_risk", "missed", "no_data"] = Field(
        description="Computed as of followup.as_of (toolkit.indicators.assess), never typed."
    )
    latest: LatestMeasurement | None = Field(
        description="The measurement the status is read from (latest date, as of as_of)."
    )
    progress: float | None
    expected: float | None
    measurements: list[MeasurementOut]


class ReviewOut(_Model):
    subject: Literal["charter", "ballot", "roadmap"]
    key: str
    review_on: str
    state: Literal["overdue", "due", "upcoming"]
    note: str = ""


class Followup(_Model):
    as_of: str = Field(description="The day statuses and review states are computed for.")
    roadmap: list[RoadmapItemOut]
    indicators: list[IndicatorOut]
    reviews: list[ReviewOut] = []


class RankMove(_Model):
    key: str
    title: str
    previous_rank: int | None = Field(description="Rank in the previous cycle; None: new entry.")
    rank: int | None = Field(description="Rank now; None: ranked before, not now.")
    change: int | None = Field(description="previous_rank − rank (positive: moved up).")


class AchievedIndicator(_Model):
    key: str
    issue: str
    name: str
    unit: str
    baseline: float
    baseline_on: str
    latest: float
    measured_on: str


class DoneRoadmapItem(_Model):
    issue: str
    title: str
    year: int
    quarter: int | None
    period: FiscalLabel
    start: str
    end: str
    owner_department: str


class PreviousCycle(_Model):
    slug: str = Field(description="The workshop this one continues (ureshii next-cycle).")
    title: str
    moves: list[RankMove] = Field(description="How the ranking moved between the cycles.")
    achieved: list[AchievedIndicator] = Field(
        description="Indicators achieved as of followup.as_of: the small wins (小さな成功体験)."
    )
    done: list[DoneRoadmapItem] = Field(
        description="The previous cycle's roadmap items whose period ended before followup.as_of."
    )


class SurveyWaveOut(_Model):
    key: str
    title: str
    status: Literal["draft", "open", "closed"]
    opened_at: str | None
    closed_at: str | None
    responses: int


class SurveyOptionOut(_Model):
    key: str = Field(description="A Likert point as text ('1' …), or the option's id.")
    label: str


class SurveyShare(_Model):
    key: str
    label: str
    count: int
    share: float | None = Field(description="Of the people who answered the question.")


class SurveyMean(_Model):
    mean: float
    low: float | None = Field(description="95% confidence interval (t), low end.")
    high: float | None
    n: int
    sd: float | None


class SurveyGroup(_Model):
    key: str
    label: str
    n: int
    mean: SurveyMean | None
    distribution: list[SurveyShare]
    withheld: int = Field(
        default=0, description="A segment question's own options withheld in this group."
    )


class SurveySegmentSplit(_Model):
    segment: str = Field(description="The segment question that splits the answers.")
    segment_text: str
    groups: list[SurveyGroup] = Field(description="Only groups of at least min_group_size.")
    withheld: int = Field(description="How many groups are withheld (never which).")


class SurveyTheme(_Model):
    label: str
    count: int
    examples: list[str]
    other: bool = False


class SurveyWaveResult(_Model):
    title: str = ""
    answered: int
    distribution: list[SurveyShare]
    mean: SurveyMean | None
    by_segment: list[SurveySegmentSplit]
    themes: list[SurveyTheme]
    withheld: int = Field(
        default=0,
        description="A segment question: how many of its own groups (options) are withheld "
        "from the distribution because they are under min_group_size.",
    )


class SurveyDifference(_Model):
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    effect: float | None = Field(description="Hedges' g (cohort) or d_z (paired).")
    effect_size: Literal["negligible", "small", "medium", "large"] | None
    sentence: str
    n_from: int | None = None
    n_to: int | None = None
    pairs: int | None = None


class SurveyComparison(_Model):
    from_: str = Field(alias="from")
    to: str
    cohort: SurveyDifference
    paired: SurveyDifference | None


class SurveyQuestionOut(_Model):
    key: str
    kind: Literal["likert", "single", "multiple", "number", "text"]
    text: str
    required: bool
    segment: bool
    scale: int | None
    issue: str | None
    unit: str | None
    options: list[SurveyOptionOut]
    waves: dict[str, SurveyWaveResult]
    comparison: SurveyComparison | None


class SurveyGap(_Model):
    issue: str
    title: str
    question: str
    wave: str
    current: float
    ideal: float
    gap: float


class SurveyResults(_Model):
    key: str
    title: str
    version: int
    identity: Literal["device", "codes"]
    link_code: bool
    min_group_size: int
    waves: list[SurveyWaveOut]
    questions: list[SurveyQuestionOut]
    gaps: list[SurveyGap]


class SurveyAnswer(_Model):
    wave: str
    channel: Literal["device", "code", "paper", "table"]
    pair: int | None = Field(
        description="1 … shared by one person's linked waves (link code); None otherwise."
    )
    answers: dict[str, int | float | str | list[str] | None] = Field(
        description="Per question id, as stored (option ids, numbers, text); None: not "
        "answered; '' : a segment answer withheld (a group under min_group_size)."
    )


class SurveyExport(_Model):
    key: str
    definition: SurveySpec = Field(description="The survey as defined (toolkit.surveys).")
    answers: list[SurveyAnswer] = Field(
        description="Anonymous: no participant, no link key, no time; wave order."
    )


class AuditEvent(_Model):
    seq: int
    at: str
    kind: str
    actor: str
    payload: dict[str, Any]


class Summary(_Model):
    summary_version: Literal[1]
    workshop: WorkshopInfo
    counts: Counts
    stakeholders: list[StakeholderOut]
    themes: list[ThemeOut]
    vision: VisionOut | None
    criteria: list[CriterionOut]
    charter: CharterOut | None
    charter_history: list[CharterVersion]
    ranking: list[RankingRow]
    by_group: dict[str, GroupRanking] = Field(
        description="The ranking per category (立場) of participants; the key keeps its "
        "version-1 name."
    )
    ballots: list[BallotOut]
    privacy: Privacy
    issues: list[IssueOut]
    happiness_map: HappinessMap
    cards: list[CardOut]
    vision_history: list[VisionDraft]
    score_stats: ScoreStats
    scores: Scores
    roadmap: list[RoadmapYear]
    audit_log: list[AuditEvent]
    followup: Followup | None = Field(
        default=None,
        description="After the workshop: roadmap, indicators, review dates (exports before "
        "this section have none).",
    )
    previous_cycle: PreviousCycle | None = Field(
        default=None,
        description="What changed since the workshop this one continues; None when it "
        "continues none.",
    )
    surveys: list[SurveyResults] | None = Field(
        default=None,
        description="Each survey's results (issue 19); absent when the workshop has none.",
    )


class Generator(_Model):
    name: Literal["ureshii"]
    version: str


class ExportDocument(_Model):
    """An Ureshii export: the results summary and what produced it."""

    format: Literal["ureshii-export/1"]
    exported_at: str
    generator: Generator
    lang: Literal["ja", "en"]
    scoring_convention: dict[str, str]
    summary: Summary
    surveys: list[SurveyExport] = Field(
        default=[],
        description="Each survey's definition and anonymous answers (results: summary.surveys).",
    )


assert SUMMARY_VERSION == 1, "a new summary version needs a new export format"


def export_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``ureshii-export/1`` document satisfies."""
    schema = ExportDocument.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/ureshii/export.schema.json",
        **schema,
        "title": f"Ureshii export ({FORMAT_ID})",
    }


def schema_text() -> str:
    """The schema as committed: indented JSON, final newline."""
    return json.dumps(export_json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(), encoding="utf-8")
    return path


def export_document(
    summary: dict[str, Any],
    *,
    lang: str | None = None,
    at: datetime | None = None,
    surveys: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The export document (a dict) around ``summary`` (and, given ``surveys`` from
    ``toolkit.export.surveys.survey_data``, the surveys' definitions and anonymous answers)."""
    document: dict[str, Any] = {
        "format": FORMAT_ID,
        "exported_at": local_iso(at or datetime.now(UTC), export_zone(summary)),
        "generator": {"name": "ureshii", "version": __version__},
        "lang": export_lang(summary, lang),
        "scoring_convention": both("export_scoring_convention"),
        "summary": summary,
    }
    if surveys:
        document["surveys"] = [
            {"key": item["key"], "definition": item["definition"], "answers": item["answers"]}
            for item in surveys
        ]
    return document


def render_json(
    summary: dict[str, Any],
    *,
    lang: str | None = None,
    surveys: list[dict[str, Any]] | None = None,
) -> bytes:
    """The JSON export as UTF-8 bytes (Japanese kept readable, 1-space indent)."""
    document = export_document(summary, lang=lang, surveys=surveys)
    text = json.dumps(document, ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


if __name__ == "__main__":  # pragma: no cover - developer command
    if sys.argv[1:] == ["schema"]:
        print(write_schema())
    else:
        print("usage: python -m toolkit.export.json_export schema", file=sys.stderr)
        sys.exit(2)
