"""The store's tables (SQLAlchemy Core). Migrations in ``migrations/versions`` create them.

Two kinds of table:

* **Records** are append-only: ``events`` (the audit log and change feed), ``votes``,
  ``scores``, ``consents``, ``charter_locks``, ``measurements`` … (``APPEND_ONLY``).
  Database triggers refuse UPDATE and DELETE on them, so the audit trail and every export
  can be rebuilt from the store alone.
* **Current state** (workshops, stakeholders, cards, themes, issues, criteria, ballots,
  charter drafts, roadmap items, indicators) may change, but every change is written in the
  same transaction as an ``events`` row that says who did what.

Integrity that a client cannot get around lives here, not in the UI:

* one vote per participant per ballot: ``UNIQUE (ballot_id, participant_id)``;
* a vote only while its ballot is open: trigger ``votes_ballot_open``;
* a locked charter is immutable: triggers on ``charters`` refuse UPDATE/DELETE once a
  ``charter_locks`` row exists;
* scores only under a locked charter: ``scores.charter_id`` references
  ``charter_locks.charter_id``, which exists only after the lock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from toolkit.text import clean_data, clean_text

# Stable constraint names, so migrations can refer to them on every engine.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class CleanText(TypeDecorator[str]):
    """TEXT whose values are written without control characters (``toolkit.text``)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else clean_text(value)


class CleanString(TypeDecorator[str]):
    """VARCHAR(n) whose values are written without control characters."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else clean_text(value)


class CleanJson(TypeDecorator[object]):
    """JSON (JSONB on PostgreSQL) whose strings are written without control characters."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[object]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: object, dialect: Dialect) -> object:
        return clean_data(value)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, read back the same on every engine: aware, in UTC.

    SQLite has no time zone (it would hand back a naive datetime) and PostgreSQL answers in
    its session's zone (``+09:00`` on a server set to Asia/Tokyo). Every value is written as
    UTC and read back with ``tzinfo=UTC``, so screens, exports and comparisons never meet a
    naive or a local time from the store, whichever engine holds it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime has no instant: give it a time zone")
        moment = value.astimezone(UTC)
        # SQLite's DATETIME text has no zone: the UTC wall time is the instant.
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = CleanJson()
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = UtcDateTime()


def _id() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


def _workshop_fk() -> Column[int]:
    return Column(
        "workshop_id",
        Id,
        ForeignKey("workshops.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )


workshops = Table(
    "workshops",
    metadata,
    _id(),
    Column("slug", CleanString(64), nullable=False, unique=True),
    Column("title", CleanText(), nullable=False),
    Column("lang", CleanString(2), nullable=False),
    Column("phase", CleanString(32), nullable=False),
    Column("spec", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    # The key of the table seats' tokens (Store.take_seat): only server-side code that opens
    # the store can compute a seat's token; never shown, exported or sent to a browser.
    Column("seat_key", CleanString(64), nullable=True),
    CheckConstraint("lang IN ('ja', 'en')", name="lang"),
)

events = Table(
    "events",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    _workshop_fk(),
    Column("at", Timestamp, nullable=False),
    Column("kind", CleanString(64), nullable=False),
    Column("actor", CleanString(16), nullable=False),
    Column("payload", Json, nullable=False),
    CheckConstraint(
        "actor IN ('facilitator', 'participant', 'table', 'paper', 'system')", name="actor"
    ),
)

participants = Table(
    "participants",
    metadata,
    _id(),
    _workshop_fk(),
    # SHA-256 of the bearer token: a leaked database does not leak usable tokens.
    Column("token_hash", CleanString(64), nullable=False, unique=True),
    Column("channel", CleanString(16), nullable=False),
    # Optional, chosen by the participant (e.g. "resident"); never a name.
    Column("category", CleanString(16), nullable=True),
    Column("created_at", Timestamp, nullable=False),
    CheckConstraint("channel IN ('device', 'code', 'paper', 'table')", name="channel"),
)

stakeholders = Table(
    "stakeholders",
    metadata,
    _id(),
    _workshop_fk(),
    Column("key", CleanString(64), nullable=False),
    Column("name", CleanText(), nullable=False),
    Column("category", CleanString(16), nullable=False),
    Column("prompt", CleanText(), nullable=False, default=""),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "key"),
)

themes = Table(
    "themes",
    metadata,
    _id(),
    _workshop_fk(),
    Column("key", CleanString(64), nullable=False),
    Column("name", CleanText(), nullable=False),
    Column("description", CleanText(), nullable=False, default=""),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "key"),
)

cards = Table(
    "cards",
    metadata,
    _id(),
    _workshop_fk(),
    Column("stakeholder_id", Id, ForeignKey("stakeholders.id"), nullable=True),
    Column("theme_id", Id, ForeignKey("themes.id"), nullable=True),
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=True),
    Column("text", CleanText(), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

issues = Table(
    "issues",
    metadata,
    _id(),
    _workshop_fk(),
    Column("key", CleanString(64), nullable=False),
    Column("title", CleanText(), nullable=False),
    Column("description", CleanText(), nullable=False, default=""),
    Column("current", Integer, nullable=True),
    Column("ideal", Integer, nullable=True),
    Column("cost", Float, nullable=True),
    Column("year", Integer, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "key"),
    CheckConstraint("cost IS NULL OR cost >= 0", name="cost"),
)

issue_themes = Table(
    "issue_themes",
    metadata,
    Column("issue_id", Id, ForeignKey("issues.id"), primary_key=True),
    Column("theme_id", Id, ForeignKey("themes.id"), primary_key=True),
)

issue_stakeholders = Table(
    "issue_stakeholders",
    metadata,
    Column("issue_id", Id, ForeignKey("issues.id"), primary_key=True),
    Column("stakeholder_id", Id, ForeignKey("stakeholders.id"), primary_key=True),
)

criteria = Table(
    "criteria",
    metadata,
    _id(),
    _workshop_fk(),
    Column("key", CleanString(64), nullable=False),
    Column("name", CleanText(), nullable=False),
    Column("description", CleanText(), nullable=False, default=""),
    Column("direction", CleanString(8), nullable=False),
    Column("scale_min", Integer, nullable=False),
    Column("scale_max", Integer, nullable=False),
    Column("anchors", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "key"),
    CheckConstraint("direction IN ('benefit', 'cost')", name="direction"),
    CheckConstraint("scale_min < scale_max", name="scale"),
)

charters = Table(
    "charters",
    metadata,
    _id(),
    _workshop_fk(),
    Column("version", Integer, nullable=False),
    Column("method", CleanString(32), nullable=False),
    Column("weights", Json, nullable=False),
    Column("tie_break", CleanString(32), nullable=False),
    Column("rules", Json, nullable=False),
    Column("reason", CleanText(), nullable=False, default=""),
    Column("proposed_at", Timestamp, nullable=False),
    # Each amendment of a draft starts a new consent round: people consent to what they saw.
    Column("consent_round", Integer, nullable=False, default=1),
    UniqueConstraint("workshop_id", "version"),
    CheckConstraint("version >= 1", name="version"),
)

charter_locks = Table(
    "charter_locks",
    metadata,
    Column("charter_id", Id, ForeignKey("charters.id"), primary_key=True),
    _workshop_fk(),
    Column("locked_at", Timestamp, nullable=False),
    Column("consent", Json, nullable=False),
)

visions = Table(
    "visions",
    metadata,
    _id(),
    _workshop_fk(),
    Column("version", Integer, nullable=False),
    Column("text", CleanText(), nullable=False),
    # Keys of the happiness themes the vision was drawn from.
    Column("themes", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "version"),
)

consents = Table(
    "consents",
    metadata,
    _id(),
    # A consent check is about exactly one thing: a method charter or a vision draft.
    Column("charter_id", Id, ForeignKey("charters.id"), nullable=True, index=True),
    Column("vision_id", Id, ForeignKey("visions.id"), nullable=True, index=True),
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=False),
    # The charter's consent round this answer belongs to (always 1 for a vision draft).
    Column("round", Integer, nullable=False, default=1),
    # Fist of five: 0 = block, 1 = serious concerns … 5 = full support.
    Column("level", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("charter_id", "round", "participant_id"),
    UniqueConstraint("vision_id", "round", "participant_id"),
    CheckConstraint("level BETWEEN 0 AND 5", name="level"),
    CheckConstraint("(charter_id IS NULL) <> (vision_id IS NULL)", name="subject"),
)

scores = Table(
    "scores",
    metadata,
    _id(),
    Column("charter_id", Id, ForeignKey("charter_locks.charter_id"), nullable=False, index=True),
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=False),
    Column("issue_id", Id, ForeignKey("issues.id"), nullable=False),
    Column("criterion_id", Id, ForeignKey("criteria.id"), nullable=False),
    # NULL = "don't know" (わからない): counted as an answer, never as a number.
    Column("value", Float, nullable=True),
    Column("created_at", Timestamp, nullable=False),
)

ballots = Table(
    "ballots",
    metadata,
    _id(),
    _workshop_fk(),
    Column("key", CleanString(64), nullable=False),
    Column("title", CleanText(), nullable=False),
    Column("purpose", CleanString(16), nullable=False),
    Column("rule", CleanString(32), nullable=False),
    Column("options", Json, nullable=False),
    Column("settings", Json, nullable=False),
    Column("visibility", CleanString(24), nullable=False),
    Column("status", CleanString(8), nullable=False),
    Column("released", Integer, nullable=False, default=0),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "key"),
    CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
    CheckConstraint("visibility IN ('live', 'hidden_until_close')", name="visibility"),
    CheckConstraint(
        "purpose IN ('method', 'weights', 'themes', 'town_meeting', 'other')", name="purpose"
    ),
)

votes = Table(
    "votes",
    metadata,
    _id(),
    Column("ballot_id", Id, ForeignKey("ballots.id"), nullable=False),
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=False),
    Column("payload", Json, nullable=False),
    Column("channel", CleanString(16), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    # One person, one vote: enforced by the database whatever the client does.
    UniqueConstraint("ballot_id", "participant_id"),
)

# A seat at a table laptop is one person all day: the same participant through every phase,
# app, reload and kernel restart (table + seat → participant), so the store's one-vote rules
# hold for table laptops exactly as for phones.
MAX_TABLES = 99
MAX_SEATS = 12
seats = Table(
    "seats",
    metadata,
    _id(),
    _workshop_fk(),
    Column("table_no", Integer, nullable=False),
    Column("seat_no", Integer, nullable=False),
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "table_no", "seat_no"),
    CheckConstraint(f"table_no BETWEEN 1 AND {MAX_TABLES}", name="table_no"),
    CheckConstraint(f"seat_no BETWEEN 1 AND {MAX_SEATS}", name="seat_no"),
)

# A table laptop's link (/t/<workshop>/<table>?key=…) is valid for its table's current
# generation: the number of times the facilitator revoked that table's link. Revoking is a
# row here (and an event), never an update.
table_link_revocations = Table(
    "table_link_revocations",
    metadata,
    _id(),
    _workshop_fk(),
    Column("table_no", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    CheckConstraint(f"table_no BETWEEN 1 AND {MAX_TABLES}", name="table_no"),
)

# After the workshop (issue 18; toolkit/store/followup.py). The roadmap and indicators are
# current state (every change is an event); measurements are records, never updated.
roadmap_items = Table(
    "roadmap_items",
    metadata,
    _id(),
    _workshop_fk(),
    Column("issue_id", Id, ForeignKey("issues.id"), nullable=False, unique=True),
    # A Japanese fiscal year (FY2026 = April 2026 – March 2027) and optionally its quarter.
    Column("fiscal_year", Integer, nullable=False),
    Column("quarter", Integer, nullable=True),
    Column("owner_department", CleanText(), nullable=False, default=""),  # 担当課
    Column("budget_line", CleanText(), nullable=False, default=""),
    Column("review_on", Date, nullable=True),
    Column("updated_at", Timestamp, nullable=False),
    CheckConstraint("fiscal_year BETWEEN 1989 AND 9998", name="fiscal_year"),
    CheckConstraint("quarter IS NULL OR quarter BETWEEN 1 AND 4", name="quarter"),
)

# issue → the issues it waits for (no cycles: checked in Python, which can name the circle).
roadmap_dependencies = Table(
    "roadmap_dependencies",
    metadata,
    _workshop_fk(),
    Column("issue_id", Id, ForeignKey("issues.id"), primary_key=True),
    Column("depends_on_id", Id, ForeignKey("issues.id"), primary_key=True),
    CheckConstraint("issue_id <> depends_on_id", name="not_self"),
)

indicators = Table(
    "indicators",
    metadata,
    _id(),
    _workshop_fk(),
    Column("issue_id", Id, ForeignKey("issues.id"), nullable=False, index=True),
    Column("key", CleanString(64), nullable=False),
    Column("name", CleanText(), nullable=False),
    Column("unit", CleanString(32), nullable=False, default=""),
    Column("direction", CleanString(8), nullable=False),
    Column("baseline", Float, nullable=False),
    Column("baseline_on", Date, nullable=False),
    Column("target", Float, nullable=False),
    Column("target_on", Date, nullable=False),
    Column("source", CleanText(), nullable=False, default=""),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "key"),
    CheckConstraint("direction IN ('increase', 'decrease')", name="direction"),
    CheckConstraint(
        "(direction = 'increase' AND target > baseline) "
        "OR (direction = 'decrease' AND target < baseline)",
        name="target",
    ),
    CheckConstraint("target_on > baseline_on", name="dates"),
)

measurements = Table(
    "measurements",
    metadata,
    _id(),
    _workshop_fk(),
    Column("indicator_id", Id, ForeignKey("indicators.id"), nullable=False, index=True),
    Column("value", Float, nullable=False),
    Column("measured_on", Date, nullable=False),
    Column("note", CleanText(), nullable=False, default=""),
    Column("entered_by", CleanText(), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# Review dates (見直し日) of decisions: the charter (subject_key = its version as text) and
# ballot results (subject_key = the ballot's key); current state, every change an event.
# A roadmap item keeps its own review_on above.
decision_reviews = Table(
    "decision_reviews",
    metadata,
    _id(),
    _workshop_fk(),
    Column("subject", CleanString(8), nullable=False),
    Column("subject_key", CleanString(64), nullable=False),
    Column("review_on", Date, nullable=False),
    Column("note", CleanText(), nullable=False, default=""),
    Column("set_at", Timestamp, nullable=False),
    Column("actor", CleanString(64), nullable=False),
    UniqueConstraint("workshop_id", "subject", "subject_key"),
    CheckConstraint("subject IN ('charter', 'ballot')", name="subject"),
)

# The next cycle (issue 18): a workshop started from a previous one (Store.start_next_cycle)
# keeps the link here; each workshop continues at most one.
workshop_cycles = Table(
    "workshop_cycles",
    metadata,
    _id(),
    Column("workshop_id", Id, ForeignKey("workshops.id", ondelete="RESTRICT"), nullable=False),
    Column(
        "previous_workshop_id",
        Id,
        ForeignKey("workshops.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id"),
    CheckConstraint("workshop_id <> previous_workshop_id", name="not_itself"),
)

# Surveys (issue 19, toolkit/store/surveys.py): a definition per survey (the workshop
# file's or the console's, kept whole as JSON), its waves (before, after …) each draft, open
# or closed, and the answers. A response is a record (append-only): one per participant and
# wave, enforced here; it carries no name, only the link key that a self-generated code
# gives (an HMAC with the survey's own secret salt, which no export contains).
surveys = Table(
    "surveys",
    metadata,
    _id(),
    _workshop_fk(),
    Column("key", CleanString(64), nullable=False),
    Column("definition", Json, nullable=False),
    Column("link_salt", CleanString(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("workshop_id", "key"),
)

survey_waves = Table(
    "survey_waves",
    metadata,
    _id(),
    Column("survey_id", Id, ForeignKey("surveys.id"), nullable=False),
    Column("key", CleanString(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("status", CleanString(8), nullable=False),
    Column("opened_at", Timestamp, nullable=True),
    Column("closed_at", Timestamp, nullable=True),
    UniqueConstraint("survey_id", "key"),
    CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
)

survey_responses = Table(
    "survey_responses",
    metadata,
    _id(),
    Column("wave_id", Id, ForeignKey("survey_waves.id"), nullable=False),
    Column("participant_id", Id, ForeignKey("participants.id"), nullable=False),
    Column("answers", Json, nullable=False),
    Column("channel", CleanString(16), nullable=False),
    Column("link_key", CleanString(64), nullable=True, index=True),
    Column("created_at", Timestamp, nullable=False),
    # One person, one answer per wave: enforced by the database whatever the client does.
    UniqueConstraint("wave_id", "participant_id"),
)

# An indicator of the follow-up measured by a survey question (its mean, each wave).
survey_indicators = Table(
    "survey_indicators",
    metadata,
    Column("indicator_id", Id, ForeignKey("indicators.id"), primary_key=True),
    Column("survey_id", Id, ForeignKey("surveys.id"), nullable=False),
    Column("question_key", CleanString(64), nullable=False),
)

# Rate limits lifted by the facilitator (issue 20, toolkit/store/limits.py): the address a
# venue's phones share (its label: a LAN address as written, a public one only as a keyed
# digest) may write past the per-address limit until ``until``.
address_allowances = Table(
    "address_allowances",
    metadata,
    _id(),
    _workshop_fk(),
    Column("address", CleanString(64), nullable=False),
    Column("until", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

#: Tables whose rows are never updated or deleted (enforced by triggers).
APPEND_ONLY = (
    "events",
    "votes",
    "scores",
    "consents",
    "charter_locks",
    "visions",
    "seats",
    "table_link_revocations",
    "measurements",
    "survey_responses",
)
