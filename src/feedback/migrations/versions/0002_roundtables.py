"""Roundtable notes: events, points, codings, the theme codebook.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roundtable_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("region", sa.String(60), nullable=False, index=True),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("attendees", sa.Integer, nullable=False),
        sa.Column("partnerships", sa.Integer, nullable=False),
        sa.Column("panel_lead", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint("attendees >= 0 AND partnerships >= 0", name="ck_roundtable_event_counts"),
    )
    op.create_table(
        "roundtable_point",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("roundtable_event.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("section", sa.String(300), nullable=False, server_default=""),
        sa.Column("kind", sa.String(20), nullable=False, server_default="paragraph"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("merged_texts", sa.Text, nullable=False, server_default="[]"),
        sa.Column("tracker_item_id", sa.Integer, sa.ForeignKey("tracker_item.id", ondelete="SET NULL"),
                  nullable=True, index=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("event_id", "seq", name="uq_roundtable_point_event_seq"),
    )
    op.create_table(
        "roundtable_coding",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("point_id", sa.Integer, sa.ForeignKey("roundtable_point.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("coder", sa.String(200), nullable=False),
        sa.Column("codes", sa.Text, nullable=False, server_default="[]"),
        sa.Column("matched", sa.Text, nullable=False, server_default="{}"),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("point_id", "coder", name="uq_roundtable_coding_point_coder"),
    )
    op.create_table(
        "roundtable_codebook",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("toml", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )


def downgrade() -> None:
    op.drop_table("roundtable_codebook")
    op.drop_table("roundtable_coding")
    op.drop_table("roundtable_point")
    op.drop_table("roundtable_event")
