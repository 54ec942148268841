"""Yearly-report audits: the register of partnerships and reports received, audits,
their scores and codes, and findings raised as tracker items.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_partnership",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column("region", sa.String(60), nullable=False, index=True),
        sa.Column("is_sample", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_table(
        "audit_yearly_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("partnership_id", sa.Integer, sa.ForeignKey("audit_partnership.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("reporting_year", sa.String(7), nullable=False, index=True),
        sa.Column("received_on", sa.Date, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("partnership_id", "reporting_year", name="uq_audit_yearly_report"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("partnership_id", sa.Integer, sa.ForeignKey("audit_partnership.id", ondelete="RESTRICT"),
                  nullable=False, index=True),
        sa.Column("reporting_year", sa.String(7), nullable=False, index=True),
        sa.Column("framework", sa.String(32), nullable=False),
        sa.Column("auditor", sa.String(300), nullable=False),
        sa.Column("audited_on", sa.Date, nullable=True),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("is_sample", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("entered_by", sa.String(200), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("partnership_id", "reporting_year", name="uq_audit_report"),
    )
    op.create_table(
        "audit_score",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audit.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("criterion", sa.String(64), nullable=False),
        sa.Column("score", sa.String(10), nullable=False),
        sa.Column("page", sa.String(30), nullable=False, server_default=""),
        sa.Column("quote", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("audit_id", "criterion", name="uq_audit_score"),
        sa.CheckConstraint("score IN ('fully', 'partly', 'not')", name="ck_audit_score_score"),
    )
    op.create_table(
        "audit_code",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audit.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("list", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.UniqueConstraint("audit_id", "list", "code", name="uq_audit_code"),
    )
    op.create_table(
        "audit_finding",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tracker_item_id", sa.Integer, sa.ForeignKey("tracker_item.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("reporting_year", sa.String(7), nullable=False),
        sa.Column("criterion", sa.String(64), nullable=False, server_default=""),
        sa.Column("raised_by", sa.String(200), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_finding")
    op.drop_table("audit_code")
    op.drop_table("audit_score")
    op.drop_table("audit")
    op.drop_table("audit_yearly_report")
    op.drop_table("audit_partnership")
