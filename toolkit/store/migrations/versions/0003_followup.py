"""after the workshop: roadmap items and their dependencies, indicators, measurements

``roadmap_items`` (an issue's fiscal year or quarter, owner department, budget line, review
date) and ``roadmap_dependencies`` (issue → issue) and ``indicators`` are current state;
``measurements`` are append-only (triggers), like votes. See toolkit/store/followup.py.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = ("measurements",)


def _workshop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id"],
        ["workshops.id"],
        name=op.f(f"fk_{table}_workshop_id_workshops"),
        ondelete="RESTRICT",
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "roadmap_items",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("issue_id", ID, nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=True),
        sa.Column("owner_department", sa.Text(), nullable=False),
        sa.Column("budget_line", sa.Text(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "fiscal_year BETWEEN 1989 AND 9998", name=op.f("ck_roadmap_items_fiscal_year")
        ),
        sa.CheckConstraint(
            "quarter IS NULL OR quarter BETWEEN 1 AND 4", name=op.f("ck_roadmap_items_quarter")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_roadmap_items_issue_id_issues")
        ),
        _workshop_fk("roadmap_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_items")),
        sa.UniqueConstraint("issue_id", name=op.f("uq_roadmap_items_issue_id")),
    )
    op.create_index(
        op.f("ix_roadmap_items_workshop_id"), "roadmap_items", ["workshop_id"], unique=False
    )
    op.create_table(
        "roadmap_dependencies",
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("issue_id", ID, nullable=False),
        sa.Column("depends_on_id", ID, nullable=False),
        sa.CheckConstraint(
            "issue_id <> depends_on_id", name=op.f("ck_roadmap_dependencies_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["depends_on_id"],
            ["issues.id"],
            name=op.f("fk_roadmap_dependencies_depends_on_id_issues"),
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_roadmap_dependencies_issue_id_issues")
        ),
        _workshop_fk("roadmap_dependencies"),
        sa.PrimaryKeyConstraint("issue_id", "depends_on_id", name=op.f("pk_roadmap_dependencies")),
    )
    op.create_index(
        op.f("ix_roadmap_dependencies_workshop_id"),
        "roadmap_dependencies",
        ["workshop_id"],
        unique=False,
    )
    op.create_table(
        "indicators",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("issue_id", ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("baseline_on", sa.Date(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("target_on > baseline_on", name=op.f("ck_indicators_dates")),
        sa.CheckConstraint(
            "direction IN ('increase', 'decrease')", name=op.f("ck_indicators_direction")
        ),
        sa.CheckConstraint(
            "(direction = 'increase' AND target > baseline) "
            "OR (direction = 'decrease' AND target < baseline)",
            name=op.f("ck_indicators_target"),
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name=op.f("fk_indicators_issue_id_issues")
        ),
        _workshop_fk("indicators"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("workshop_id", "key", name=op.f("uq_indicators_workshop_id_key")),
    )
    op.create_index(op.f("ix_indicators_issue_id"), "indicators", ["issue_id"], unique=False)
    op.create_index(op.f("ix_indicators_workshop_id"), "indicators", ["workshop_id"], unique=False)
    op.create_table(
        "measurements",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workshop_id", ID, nullable=False),
        sa.Column("indicator_id", ID, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_measurements_indicator_id_indicators"),
        ),
        _workshop_fk("measurements"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurements")),
    )
    op.create_index(
        op.f("ix_measurements_indicator_id"), "measurements", ["indicator_id"], unique=False
    )
    op.create_index(
        op.f("ix_measurements_workshop_id"), "measurements", ["workshop_id"], unique=False
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
    op.drop_table("measurements")  # its triggers go with it
    op.drop_table("indicators")
    op.drop_table("roadmap_dependencies")
    op.drop_table("roadmap_items")
