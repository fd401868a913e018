"""the next cycle: a workshop started from a previous one

``workshop_cycles`` links a workshop (unique: it continues at most one) to the workshop it
continues (issue 18, item 4). Written once by ``Store.start_next_cycle`` in the transaction
that creates the new workshop, with a ``cycle_started`` event. See toolkit/store/cycles.py.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "workshop_cycles",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("previous_workshop_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "workshop_id <> previous_workshop_id", name=op.f("ck_workshop_cycles_not_itself")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_cycles_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["previous_workshop_id"],
            ["workshops.id"],
            name=op.f("fk_workshop_cycles_previous_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_cycles")),
        sa.UniqueConstraint("workshop_id", name=op.f("uq_workshop_cycles_workshop_id")),
    )
    op.create_index(
        op.f("ix_workshop_cycles_previous_workshop_id"),
        "workshop_cycles",
        ["previous_workshop_id"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("workshop_cycles")
