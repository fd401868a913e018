"""The workshop model: small frozen dataclasses that the store returns.

A change is a new value, written through ``toolkit.store.Store``; nothing here talks to a
database or a UI.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from toolkit.fiscal import FiscalPeriod
from toolkit.i18n import t
from toolkit.indicators import Indicator, Measurement
from toolkit.surveys.definition import SurveySpec

Phase = Literal[
    "happiness", "vision", "issues", "method", "scoring", "results", "town_meeting", "export"
]
PHASES: tuple[Phase, ...] = (
    "happiness",
    "vision",
    "issues",
    "method",
    "scoring",
    "results",
    "town_meeting",
    "export",
)
PHONE_PHASES: tuple[Phase, ...] = ("happiness", "vision", "method", "scoring", "town_meeting")
"""Phases in which phones have something of their own to do: happiness cards, the vision's
and the charter's consent, scores, town-meeting votes (the phone pages' home,
``toolkit/server/participant/page_templates``)."""


def phones_invited(phase: str, *, open_ballots: int = 0) -> bool:
    """Whether the projector shows the room how to join: a phase in which phones take part,
    or any phase with a ballot open.

    >>> phones_invited("town_meeting"), phones_invited("results")
    (True, False)
    >>> phones_invited("results", open_ballots=1)
    True
    """
    return phase in PHONE_PHASES or open_ballots > 0


Actor = Literal["facilitator", "participant", "table", "paper", "system"]
Channel = Literal["device", "code", "paper", "table"]
CHANNELS: tuple[Channel, ...] = ("device", "code", "paper", "table")
#: Categories (立場) of stakeholders and participants: a participant's category is optional
#: and self-chosen. The room as a whole is "the group"; this is never called a group.
CATEGORIES = ("resident", "staff", "business", "visitor", "other")


def category_name(category: str, lang: str) -> str:
    """A category as people read it (catalog ``category_<id>``); an unknown value as it is.

    >>> category_name("resident", "ja"), category_name("staff", "en")
    ('住民', 'Staff')
    >>> category_name("mayor", "en")
    'mayor'
    """
    return t(f"category_{category}", lang) if category in CATEGORIES else category


BallotStatus = Literal["draft", "open", "closed"]
Visibility = Literal["live", "hidden_until_close"]
Purpose = Literal["method", "weights", "themes", "town_meeting", "other"]


@dataclass(frozen=True)
class Workshop:
    id: int
    slug: str
    title: str
    lang: Literal["ja", "en"]
    phase: Phase
    created_at: datetime
    spec: dict[str, Any] = field(repr=False, compare=False)

    @property
    def time_zone(self) -> str | None:
        """The workshop file's ``time_zone`` (an IANA name) or None: the zone every screen
        and export shows the workshop's times in is :func:`toolkit.times.workshop_time_zone`
        of it."""
        value = self.spec.get("time_zone")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Stakeholder:
    id: int
    key: str
    name: str
    category: str
    prompt: str = ""


@dataclass(frozen=True)
class Theme:
    id: int
    key: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class HappinessCard:
    """One posted note: what would make a stakeholder glad (うれしい)."""

    id: int
    text: str
    stakeholder: str | None  # stakeholder key
    theme: str | None  # theme key, once grouped
    created_at: datetime


@dataclass(frozen=True)
class Issue:
    """A candidate issue / initiative (課題・施策) on the backlog."""

    id: int
    key: str
    title: str
    description: str = ""
    current: int | None = None
    ideal: int | None = None
    cost: float | None = None
    year: int | None = None
    themes: tuple[str, ...] = ()
    stakeholders: tuple[str, ...] = ()

    @property
    def gap(self) -> int | None:
        """Ideal minus current state (現状 × あるべき姿), when both are rated."""
        if self.current is None or self.ideal is None:
            return None
        return self.ideal - self.current


@dataclass(frozen=True)
class Vision:
    """One draft of the vision statement, drawn from the top happiness themes."""

    id: int
    version: int
    text: str
    themes: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Criterion:
    id: int
    key: str
    name: str
    direction: Literal["benefit", "cost"]
    scale_min: int
    scale_max: int
    anchors: dict[int, str]
    description: str = ""


@dataclass(frozen=True)
class MethodCharter:
    """How the group agreed to prioritise (優先順位の決め方), one version of it."""

    id: int
    version: int
    method: str
    weights: dict[str, float]
    tie_break: str
    rules: dict[str, Any]
    reason: str
    proposed_at: datetime
    locked_at: datetime | None = None
    consent: dict[str, Any] | None = None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


@dataclass(frozen=True)
class Consent:
    participant_id: int
    level: int  # fist of five: 0 = block … 5 = full support


@dataclass(frozen=True)
class Ballot:
    id: int
    key: str
    title: str
    purpose: Purpose
    rule: str
    options: tuple[str, ...]
    settings: dict[str, Any]
    visibility: Visibility
    status: BallotStatus
    released: bool

    @property
    def results_visible(self) -> bool:
        """Whether tallies may be shown to participants and the projector now."""
        return self.visibility == "live" or self.status == "closed" or self.released


@dataclass(frozen=True)
class Vote:
    id: int
    ballot: str
    participant_id: int
    payload: Any
    channel: Channel
    created_at: datetime


@dataclass(frozen=True)
class Participant:
    """An anonymous participant: the store keeps only a hash of its token."""

    id: int
    channel: Channel
    category: str | None
    created_at: datetime


@dataclass(frozen=True)
class Seat:
    """One seat at a table laptop: one person all day (table + seat → participant)."""

    table: int
    seat: int
    participant_id: int
    category: str | None
    created_at: datetime


@dataclass(frozen=True)
class Event:
    """One row of the append-only audit log, which is also the change feed."""

    seq: int
    at: datetime
    kind: str
    actor: Actor
    payload: dict[str, Any]


JOIN_CODE_DIGITS = 6
#: Printed one-time codes issued at once (``Store.issue_codes``, ``ureshii codes``).
MAX_CODES = 5000
CODE_PURPOSES = ("vote", "survey")
"""What printed codes are for: votes in a town meeting, or answers to a survey. The same
codes work for both (one vote per ballot, one answer per survey wave); only the words on the
printed card differ (``ureshii codes --for``)."""

#: Every kind of event the store writes to the audit log / change feed (``Event.kind``). The
#: store refuses any other, so a screen that listens for a kind can check it against this.
EVENT_KINDS = frozenset(
    {
        "workshop_created",
        "phase_changed",
        "participant_joined",
        "seat_taken",
        "table_link_revoked",
        "codes_issued",
        "stakeholder_added",
        "theme_added",
        "card_added",
        "card_grouped",
        "issue_added",
        "issue_linked",
        "issue_rated",
        "charter_proposed",
        "charter_amended",
        "consent_given",
        "charter_locked",
        "vision_drafted",
        "vision_consent_given",
        "scores_recorded",
        "ballot_created",
        "ballot_opened",
        "ballot_closed",
        "results_released",
        "vote_cast",
        # after the workshop (toolkit/store/followup.py)
        "roadmap_item_set",
        "indicator_added",
        "measurement_recorded",
        "review_date_set",
        # the next cycle (toolkit/store/cycles.py)
        "cycle_started",
        # surveys (toolkit/store/surveys.py)
        "survey_defined",
        "survey_wave_opened",
        "survey_wave_closed",
        "survey_answered",
        "survey_indicator_linked",
        # rate limits (toolkit/store/limits.py)
        "rate_limited",
        "address_allowed",
    }
)


def join_code(slug: str) -> str:
    """The short number participants may type instead of scanning the QR code.

    Derived from the slug (no storage, the same on every replica); it only finds the
    workshop, it is not a secret.

    >>> join_code("tsuru-dx")
    '214247'
    """
    digest = hashlib.sha256(slug.encode("utf-8")).hexdigest()
    return f"{int(digest, 16) % 10**JOIN_CODE_DIGITS:0{JOIN_CODE_DIGITS}d}"


# ---------------------------------------------------------------- after the workshop (issue 18)
@dataclass(frozen=True)
class RoadmapItem:
    """An issue's place on the multi-year roadmap (ロードマップ): its fiscal year or quarter
    (``toolkit.fiscal``), owner department (担当課), budget line, review date (見直し日) and
    the issues it waits for (keys)."""

    issue: str  # issue key
    period: FiscalPeriod
    owner_department: str
    budget_line: str
    review_on: date | None
    depends_on: tuple[str, ...]
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class TrackedIndicator(Indicator):
    """An indicator (``toolkit.indicators.Indicator``) of an issue, as the store keeps it:
    ``toolkit.indicators.assess`` takes it as it is."""

    id: int
    key: str
    issue: str  # issue key
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class RecordedMeasurement(Measurement):
    """A measurement (``toolkit.indicators.Measurement``) as the store keeps it: never
    changed; a correction is a newer measurement."""

    id: int
    indicator: str  # indicator key
    created_at: datetime


#: What a review date (見直し日) belongs to: the method charter, a ballot's result or a
#: roadmap item.
ReviewSubject = Literal["charter", "ballot", "roadmap"]
#: A review date's state on a given day (``toolkit.store.followup.REVIEW_DUE_DAYS``).
ReviewState = Literal["overdue", "due", "upcoming"]


@dataclass(frozen=True)
class DecisionReview:
    """A decision's review date (見直し日) and its state on the day asked about.

    ``key`` is the charter's version (as text), the ballot's key or the roadmap item's issue
    key; ``note`` says what to review (empty for a roadmap item, whose date is part of the
    item); ``set_at`` is when the date was last set."""

    subject: ReviewSubject
    key: str
    review_on: date
    note: str
    state: ReviewState
    set_at: datetime


# ---------------------------------------------------------------- surveys (issue 19)
SurveyWaveStatus = Literal["draft", "open", "closed"]


@dataclass(frozen=True)
class SurveyWave:
    """One round of a survey (before, after …): draft until opened, open, then closed."""

    key: str
    status: SurveyWaveStatus
    opened_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class Survey:
    """A survey of the workshop: its definition (``toolkit.surveys.definition``), the
    version of that definition and the state of each of its waves, in order."""

    id: int
    key: str
    definition: SurveySpec
    version: int
    waves: tuple[SurveyWave, ...]
    created_at: datetime

    @property
    def open_wave(self) -> str | None:
        """The key of the wave people can answer now, if any."""
        return next((w.key for w in self.waves if w.status == "open"), None)

    def wave(self, key: str) -> SurveyWave:
        for wave in self.waves:
            if wave.key == key:
                return wave
        raise KeyError(key)


@dataclass(frozen=True)
class SurveyResponse:
    """One person's answers in one wave: no name, no participant, only the channel it came
    by and, when the person gave a self-generated code, the key linking their waves."""

    id: int
    survey: str
    wave: str
    answers: dict[str, Any]
    channel: Channel
    link_key: str | None
    created_at: datetime
