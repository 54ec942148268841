"""Survey targets: the survey questions a tracker item or action aims to move.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_target",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("tracker_item.id", ondelete="CASCADE"), nullable=True,
                  index=True),
        sa.Column("action_id", sa.Integer, sa.ForeignKey("tracker_action.id", ondelete="CASCADE"), nullable=True,
                  index=True),
        sa.Column("audience", sa.String(60), nullable=False),
        sa.Column("question", sa.String(120), nullable=False),
        sa.Column("by", sa.String(60), nullable=False, server_default="total"),
        sa.Column("group_name", sa.String(200), nullable=False, server_default="Total"),
        sa.Column("is_sample", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("item_id IS NOT NULL OR action_id IS NOT NULL", name="ck_survey_target_owner"),
        sa.UniqueConstraint("item_id", "action_id", "audience", "question", "by", "group_name",
                            name="uq_survey_target"),
    )


def downgrade() -> None:
    op.drop_table("survey_target")
