"""The workshop file as pydantic models: the contract the store loader and the CLI share.

Every model forbids unknown keys and is frozen. Validation is *strict* (a YAML ``"5"`` is
text, not a number), except for scale-anchor keys, which YAML files write as ``1:`` and the
reader hands over as text. Checks that look across lists (duplicate ids, links to ids that
do not exist, weights that must add up …) live in :mod:`toolkit.workshop_file.cross_checks`
and run from :meth:`WorkshopSpec._check_across_lists`, so a spec built in Python obeys the
same rules as one read from a file.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    model_validator,
)
from pydantic import Strict as _Strict

from toolkit.ballots import BALLOT_RULES as _BALLOT_RULE_REGISTRY
from toolkit.ballots import SETTING_NAMES, Setting
from toolkit.money import MAX_AMOUNT, MAX_DECIMALS
from toolkit.surveys.definition import SurveySpec

FORMAT_ID = "ureshii-workshop/1"

PhaseId = Literal[
    "happiness", "vision", "issues", "method", "scoring", "results", "town_meeting", "export"
]
PHASE_ORDER: tuple[PhaseId, ...] = get_args(PhaseId)

MethodId = Literal[
    "weighted_sum",
    "topsis",
    "ahp",
    "dot_votes",
    "approval",
    "borda",
    "schulze",
    "quadratic",
    "equal_shares",
    "greedy_budget",
    "moscow",
    "rice",
    "ice",
]
METHOD_IDS: tuple[str, ...] = get_args(MethodId)

# Ballot rules and their settings come from the one registry (toolkit/ballots/rules.py):
# a rule added there is a rule a workshop file may use, with its settings as ballot fields.
BALLOT_RULES: tuple[str, ...] = tuple(_BALLOT_RULE_REGISTRY)
if TYPE_CHECKING:
    BallotRule = str
else:
    BallotRule = Literal[BALLOT_RULES]

# How two issues with the same result are ordered. Kept small on purpose: the group agrees
# one of these in the method charter, before anyone scores.
TieBreak = Literal["mean_then_median", "median_then_mean", "lowest_cost", "facilitator"]
TIE_BREAKS: tuple[str, ...] = get_args(TieBreak)

StakeholderCategory = Literal["resident", "staff", "business", "visitor", "other"]
Language = Literal["ja", "en"]

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]
Rating = Annotated[int, Field(ge=1, le=5)]
# Costs and budgets follow toolkit.money's rule: pydantic checks the sign and finiteness, the
# cross checks the upper limit and the decimals (with a message that says what to do); the
# limit is also in the JSON Schema so that an editor can flag it while the file is typed.
_AMOUNT_RULE = f"at most {MAX_AMOUNT:,} yen and {MAX_DECIMALS} decimals"
_AMOUNT_SCHEMA: dict[str, Any] = {"maximum": MAX_AMOUNT}
# YAML writes anchors as ``1: 全く当てはまらない``; the reader keeps every key as text, so the
# anchor key alone converts "1" to 1.
AnchorKey = Annotated[int, _Strict(False)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class StakeholderSpec(_Spec):
    """Someone the workshop wants to make glad (子育て世帯, 窓口職員 …)."""

    id: Slug
    name: Name
    category: StakeholderCategory
    prompt: Text = Field(
        default="",
        description="Happiness question for this stakeholder, e.g. 「…はどんなときにうれしい？」",
    )


class ThemeSpec(_Spec):
    """A seed happiness theme that cards can be grouped under."""

    id: Slug
    name: Name
    description: Text = ""


class ScaleSpec(_Spec):
    """The scoring scale of a criterion, with words for its points (anchors)."""

    min: int = Field(default=1, ge=0, le=100)
    max: int = Field(default=5, ge=1, le=100)
    anchors: dict[AnchorKey, Name] = Field(
        min_length=1,
        description="What a score means, e.g. {1: ほとんど変わらない, 5: 大きく変わる}",
        json_schema_extra={"propertyNames": {"pattern": "^[0-9]+$"}},
    )


class CriterionSpec(_Spec):
    """A candidate criterion for weighted scoring (住民のうれしさ, 実現可能性 …)."""

    id: Slug
    name: Name
    description: Text = ""
    direction: Literal["benefit", "cost"] = Field(
        default="benefit", description="benefit: higher is better; cost: higher is worse"
    )
    scale: ScaleSpec
    weight: float | None = Field(
        default=None,
        ge=0,
        description="Proposed weight. All criteria or none; they add up to 1 or to 100.",
    )


class MethodSpec(_Spec):
    """A candidate prioritisation method the group may choose."""

    id: MethodId
    minutes: Minutes | None = Field(default=None, description="Time the method needs")
    note: Text = ""


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """A date written as quoted text (``"2026-04-01"``) or kept as text by JSON (a spec
    dumped with ``mode="json"``, as the store keeps it) is the same date; anything else is
    left to the strict ``date`` check (a YAML date is already a ``date``)."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):  # not 20260401, 2026-W14-3
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    return value


# A calendar day: a YAML date (``2026-04-01``) or the same as ISO text. A date with a time
# (``2026-04-01 10:00:00``) is refused: which day it is depends on a time zone.
Day = Annotated[_dt.date, BeforeValidator(_iso_date)]
# The store's limits (toolkit/store/followup.py): short names, longer notes.
ShortText = Annotated[str, StringConstraints(max_length=200)]
UnitText = Annotated[str, StringConstraints(max_length=32)]
NoteText = Annotated[str, StringConstraints(max_length=1000)]


def _period_text(value: Any) -> Any:
    """``period: 2026`` (a YAML number) is the text ``2026``: one type, so that a period the
    fiscal reader cannot read gets its one message (the cross checks), not a union's two."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


# A fiscal year or quarter as a person writes it; read by toolkit.fiscal.parse_fiscal_period
# in the cross checks, whose error says which forms are understood.
PeriodText = Annotated[
    str,
    BeforeValidator(_period_text),
    StringConstraints(max_length=40),
    WithJsonSchema({"anyOf": [{"type": "string", "maxLength": 40}, {"type": "integer"}]}),
]


class RoadmapSpec(_Spec):
    """Where an issue sits on the multi-year roadmap (ロードマップ), after the workshop."""

    period: PeriodText = Field(
        description=(
            "Fiscal year or quarter (a Japanese fiscal year starts on 1 April): "
            "2026, FY2026, 2026年度, 令和8年度, R8, 2026Q1, 令和8年度 第2四半期 …"
        )
    )
    owner_department: ShortText = Field(default="", description="Owner department (担当課)")
    budget_line: ShortText = Field(default="", description="Budget line (予算事業・科目)")
    review_on: Day | None = Field(default=None, description="Day to review it, e.g. 2027-03-01")
    depends_on: list[Slug] = Field(default=[], description="Ids of the issues it waits for")


class MeasurementSpec(_Spec):
    """One value of an indicator already measured (history kept before Ureshii)."""

    value: float
    measured_on: Day = Field(description="Day the value was observed, e.g. 2026-10-01")
    entered_by: Name = Field(description="Who entered it (a person or a department)")
    note: NoteText = ""


class SurveyQuestionRef(_Spec):
    """The survey question that measures an indicator (a Likert or a number question)."""

    survey: Slug = Field(description="Id of a survey of this file")
    question: Slug = Field(description="Id of a Likert or number question of that survey")


class IndicatorSpec(_Spec):
    """An indicator (指標) of an issue: its baseline, its target and how it is measured."""

    id: Slug = Field(description="Unique in the file; measurements name the indicator by it")
    name: Name = Field(description="What is measured, e.g. 窓口の平均待ち時間")
    unit: UnitText = Field(default="", description="e.g. 分, %, 件")
    direction: Literal["increase", "decrease"] = Field(
        description="increase: higher is better; decrease: lower is better"
    )
    baseline: float = Field(description="Value at the start (基準値)")
    baseline_on: Day = Field(description="Day of the baseline, e.g. 2026-04-01")
    target: float = Field(description="Value to reach (目標値)")
    target_on: Day = Field(description="Day it should be reached by, e.g. 2027-03-31")
    source: ShortText = Field(default="", description="Where the numbers come from")
    measurements: list[MeasurementSpec] = Field(
        default=[], description="Values already measured (oldest first)"
    )
    survey: SurveyQuestionRef | None = Field(
        default=None,
        description="Measured by a survey question: each wave's mean answer is a measurement",
    )


class IssueSpec(_Spec):
    """A candidate issue or initiative (課題・施策) with the happiness it serves."""

    id: Slug
    title: Name
    description: Text = ""
    themes: list[Slug] = Field(default=[], description="Ids of themes this issue serves")
    stakeholders: list[Slug] = Field(default=[], description="Ids of stakeholders it serves")
    current: Rating | None = Field(default=None, description="Current state, 1-5 (現状)")
    ideal: Rating | None = Field(default=None, description="Ideal state, 1-5 (あるべき姿)")
    cost: float | None = Field(
        default=None,
        ge=0,
        description=f"Estimated cost in yen ({_AMOUNT_RULE})",
        json_schema_extra=_AMOUNT_SCHEMA,
    )
    year: int | None = Field(default=None, ge=2000, le=2100, description="Roadmap year")
    roadmap: RoadmapSpec | None = Field(
        default=None, description="After the workshop: fiscal period, owner, dependencies"
    )
    indicators: list[IndicatorSpec] = Field(
        default=[], description="After the workshop: indicators with baseline and target"
    )


class PhaseSpec(_Spec):
    """One phase of the workshop flow, with its time box."""

    id: PhaseId
    minutes: Minutes | None = None


class _BallotFields(_Spec):
    """One town-meeting ballot over some issues (its settings are added below)."""

    id: Slug
    title: Name
    rule: BallotRule
    options: list[Slug] = Field(min_length=1, description="Ids of the issues on the ballot")


def _setting_field(name: str) -> tuple[Any, Any]:
    """The ballot field of a rule setting: its bounds and the rules that use it."""
    setting: Setting = next(
        s for r in _BALLOT_RULE_REGISTRY.values() for s in r.settings if s.name == name
    )
    users = ", ".join(r.id for r in _BALLOT_RULE_REGISTRY.values() if setting in r.settings)
    if setting.kind == "amount":
        return float | None, Field(
            default=None,
            gt=0,
            description=f"{setting.description} ({users}; {_AMOUNT_RULE})",
            json_schema_extra=_AMOUNT_SCHEMA,
        )
    return int | None, Field(
        default=None,
        ge=setting.minimum,
        le=setting.maximum,
        description=f"{setting.description} ({users})",
    )


if TYPE_CHECKING:  # type checkers see the fixed fields; the settings are added at run time

    class BallotSpec(_BallotFields):
        def __getattr__(self, name: str) -> Any: ...

else:
    BallotSpec = create_model(
        "BallotSpec",
        __base__=_BallotFields,
        __doc__="One town-meeting ballot over some issues, with its rule's settings.",
        **{name: _setting_field(name) for name in SETTING_NAMES},
    )


class TownMeetingSpec(_Spec):
    """How residents take part in the town meeting."""

    identity: Literal["device", "codes"] = Field(
        default="device", description="device: one vote per phone; codes: printed one-time codes"
    )
    results: Literal["live", "hidden_until_close"] = "hidden_until_close"
    min_group_size: int = Field(
        default=5, ge=1, le=1000, description="Smallest category (立場) whose results are shown"
    )
    ballots: list[BallotSpec] = Field(min_length=1)


# Read by the model validator: the file loader runs the cross checks itself, so it can
# report each one with its own line instead of one combined error.
DEFER_CROSS_CHECKS = "ureshii_defer_cross_checks"


class WorkshopSpec(_Spec):
    """A whole workshop file (``format: ureshii-workshop/1``)."""

    format: Literal["ureshii-workshop/1"]
    id: Slug
    title: Name
    lang: Language
    description: Text = ""
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        default=None,
        description=(
            "IANA time zone every screen and export shows times in, e.g. Asia/Tokyo "
            "(the default, or the URESHII_TIME_ZONE setting)"
        ),
    )
    expected_participants: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description=(
            "How many people take part at most (phones, tables and paper): the server lets "
            "that many phones write from one venue address (a Wi-Fi router)"
        ),
    )
    stakeholders: list[StakeholderSpec] = Field(min_length=1)
    happiness_prompts: list[Name] = []
    themes: list[ThemeSpec] = Field(default=[], description="Seed happiness themes")
    criteria: list[CriterionSpec] = Field(min_length=1)
    methods: list[MethodSpec] = Field(min_length=1, description="Candidate methods")
    tie_break: TieBreak = "mean_then_median"
    issues: list[IssueSpec] = []
    phases: list[PhaseSpec] = Field(
        default=[PhaseSpec(id=phase) for phase in PHASE_ORDER], min_length=1
    )
    town_meeting: TownMeetingSpec | None = None
    surveys: list[SurveySpec] = Field(
        default=[], description="Questionnaires answered in waves (before, after …)"
    )
    messages: dict[str, dict[Language, str]] = Field(
        default={}, description="Per-workshop wording: {message_key: {ja: ..., en: ...}}"
    )

    @model_validator(mode="after")
    def _check_across_lists(self, info: ValidationInfo) -> Self:
        context: Any = info.context
        if isinstance(context, dict) and context.get(DEFER_CROSS_CHECKS):
            return self
        from toolkit.workshop_file.cross_checks import cross_check, describe_findings

        findings = cross_check(self.model_dump())
        if findings:
            raise ValueError(describe_findings(findings, "en"))
        return self
