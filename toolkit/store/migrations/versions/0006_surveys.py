"""surveys: definitions, waves, responses, and indicators measured by a survey question

``surveys`` keep each survey's definition whole (JSON) with a secret salt for link codes;
``survey_waves`` its rounds (draft, open, closed); ``survey_responses`` the answers, one per
participant and wave, append-only (triggers) like votes; ``survey_indicators`` link a
follow-up indicator to the survey question that measures it. See toolkit/store/surveys.py.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
APPEND_ONLY = ("survey_responses",)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "surveys",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("link_salt", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_surveys_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("workshop_id", "key", name=op.f("uq_surveys_workshop_id_key")),
    )
    op.create_index(op.f("ix_surveys_workshop_id"), "surveys", ["workshop_id"], unique=False)
    op.create_table(
        "survey_waves",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("survey_id", ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'closed')", name=op.f("ck_survey_waves_status")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_waves_survey_id_surveys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_waves")),
        sa.UniqueConstraint("survey_id", "key", name=op.f("uq_survey_waves_survey_id_key")),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("wave_id", ID, nullable=False),
        sa.Column("participant_id", ID, nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("link_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_survey_responses_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_waves.id"], name=op.f("fk_survey_responses_wave_id_survey_waves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint(
            "wave_id", "participant_id", name=op.f("uq_survey_responses_wave_id_participant_id")
        ),
    )
    op.create_index(
        op.f("ix_survey_responses_link_key"), "survey_responses", ["link_key"], unique=False
    )
    op.create_table(
        "survey_indicators",
        sa.Column("indicator_id", ID, nullable=False),
        sa.Column("survey_id", ID, nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_survey_indicators_indicator_id_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_indicators_survey_id_surveys")
        ),
        sa.PrimaryKeyConstraint("indicator_id", name=op.f("pk_survey_indicators")),
    )
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            # ureshii_append_only() exists since 0001.
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ureshii_append_only()"
            )
        else:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'append_only:{table}'); END"
                )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("survey_indicators")
    op.drop_table("survey_responses")  # its triggers go with it
    op.drop_table("survey_waves")
    op.drop_index(op.f("ix_surveys_workshop_id"), table_name="surveys")
    op.drop_table("surveys")
