"""rate limits lifted by the facilitator: address allowances

``address_allowances`` lets the address a venue's phones share (its label) write past the
per-address rate limit until a time (issue 20). See toolkit/store/limits.py.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "address_allowances",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_address_allowances_workshop_id_workshops"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_allowances")),
    )
    op.create_index(
        op.f("ix_address_allowances_workshop_id"),
        "address_allowances",
        ["workshop_id"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_address_allowances_workshop_id"), table_name="address_allowances")
    op.drop_table("address_allowances")
