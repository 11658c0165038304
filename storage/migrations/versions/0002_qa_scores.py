"""qa scores (质检评分)

Revision ID: 0002_qa_scores
Revises: 0001
Create Date: 2026-11-21 07:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002_qa_scores"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qa_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("courtesy", sa.Integer(), nullable=False),
        sa.Column("accuracy", sa.Integer(), nullable=False),
        sa.Column("record", sa.Integer(), nullable=False),
        sa.Column("communication", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_scores")),
    )
    op.create_index(op.f("ix_qa_scores_call_id"), "qa_scores", ["call_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_qa_scores_call_id"), table_name="qa_scores")
    op.drop_table("qa_scores")
