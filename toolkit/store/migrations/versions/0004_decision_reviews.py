"""review dates of decisions: the charter and ballot results

``decision_reviews`` is current state: one review date (見直し日) and note per decision of a
workshop (``subject`` ``charter`` with the charter version as text, or ``ballot`` with the
ballot's key). A roadmap item keeps its own ``review_on`` (0003). Every change is an event
(``review_date_set``). See toolkit/store/followup.py.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "decision_reviews",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "subject IN ('charter', 'ballot')", name=op.f("ck_decision_reviews_subject")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_decision_reviews_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_reviews")),
        sa.UniqueConstraint(
            "workshop_id",
            "subject",
            "subject_key",
            name=op.f("uq_decision_reviews_workshop_id_subject_subject_key"),
        ),
    )
    op.create_index(
        op.f("ix_decision_reviews_workshop_id"), "decision_reviews", ["workshop_id"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("decision_reviews")
