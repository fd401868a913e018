"""table seats and table links: one participant per seat at a table laptop, all day

A seat (workshop, table, seat) maps to one participant, for good: the mapping is
append-only (triggers), like votes. ``workshops.seat_key`` is the key of the seats' tokens,
set the first time a seat is taken. ``table_link_revocations`` records each time the
facilitator revoked a table's link (append-only too).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = ("seats", "table_link_revocations")


def upgrade() -> None:
    """Upgrade schema."""
    # A plain ADD COLUMN (no batch copy of the table on SQLite: that would drop its triggers).
    op.add_column("workshops", sa.Column("seat_key", sa.String(length=64), nullable=True))
    op.create_table(
        "seats",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("seat_no", sa.Integer(), nullable=False),
        sa.Column("participant_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("seat_no BETWEEN 1 AND 12", name=op.f("ck_seats_seat_no")),
        sa.CheckConstraint("table_no BETWEEN 1 AND 99", name=op.f("ck_seats_table_no")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_seats_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_seats_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seats")),
        sa.UniqueConstraint("participant_id", name=op.f("uq_seats_participant_id")),
        sa.UniqueConstraint(
            "workshop_id", "table_no", "seat_no", name=op.f("uq_seats_workshop_id_table_no_seat_no")
        ),
    )
    op.create_index(op.f("ix_seats_workshop_id"), "seats", ["workshop_id"], unique=False)
    op.create_table(
        "table_link_revocations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "table_no BETWEEN 1 AND 99", name=op.f("ck_table_link_revocations_table_no")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_table_link_revocations_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_link_revocations")),
    )
    op.create_index(
        op.f("ix_table_link_revocations_workshop_id"),
        "table_link_revocations",
        ["workshop_id"],
        unique=False,
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
    op.drop_table("table_link_revocations")  # their triggers go with them
    op.drop_table("seats")
    with op.batch_alter_table("workshops") as batch_op:
        batch_op.drop_column("seat_key")
