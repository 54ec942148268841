"""Tracker: history (append-only, enforced by triggers), items, Panel responses, actions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Kept here (not imported from feedback.tracker) so this migration never changes meaning.
SOURCES = ("roundtable event", "local review", "national review", "survey finding",
           "yearly-report audit", "commissioned research", "Panel commitment", "other")
DECISIONS = ("accepted", "accepted in principle", "partially accepted", "not accepted", "noted")
STATUSES = ("not started", "in progress", "complete", "closed", "overtaken by events")
RAGS = ("", "red", "amber", "green")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


def _audit_columns() -> list[sa.Column]:
    return [
        sa.Column("is_sample", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    ]


def upgrade() -> None:
    op.create_table(
        "history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_history_entity", "history", ["entity", "entity_id"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE TRIGGER history_no_update BEFORE UPDATE ON history "
                   "BEGIN SELECT RAISE(ABORT, 'history rows are append-only: UPDATE refused'); END")
        op.execute("CREATE TRIGGER history_no_delete BEFORE DELETE ON history "
                   "BEGIN SELECT RAISE(ABORT, 'history rows are append-only: DELETE refused'); END")
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'history rows are append-only: % refused', TG_OP; END $$"
        )
        op.execute("CREATE TRIGGER history_no_update_delete BEFORE UPDATE OR DELETE ON history "
                   "FOR EACH ROW EXECUTE FUNCTION history_refuse_change()")
        op.execute("CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history "
                   "FOR EACH STATEMENT EXECUTE FUNCTION history_refuse_change()")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"No append-only history trigger for the {dialect} database.")

    op.create_table(
        "tracker_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("source_detail", sa.String(300), nullable=False, server_default=""),
        sa.Column("date_raised", sa.Date),
        sa.Column("regions", sa.Text, nullable=False, server_default=""),
        sa.Column("themes", sa.Text, nullable=False, server_default=""),
        *_audit_columns(),
        sa.CheckConstraint(_one_of("source", SOURCES), name="ck_tracker_item_source"),
        sa.CheckConstraint("length(trim(text)) > 0", name="ck_tracker_item_text"),
    )
    op.create_table(
        "tracker_response",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("tracker_item.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("decision", sa.String(40), nullable=False),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_on", sa.Date),
        sa.Column("decided_by", sa.String(200), nullable=False, server_default=""),
        *_audit_columns(),
        sa.CheckConstraint(_one_of("decision", DECISIONS), name="ck_tracker_response_decision"),
    )
    op.create_table(
        "tracker_action",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("tracker_item.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False, server_default=""),
        sa.Column("due_date", sa.Date),
        sa.Column("revised_due_date", sa.Date),
        sa.Column("completion_criteria", sa.Text, nullable=False, server_default=""),
        sa.Column("evidence", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(30), nullable=False, server_default="not started"),
        sa.Column("rag", sa.String(10), nullable=False, server_default=""),
        *_audit_columns(),
        sa.CheckConstraint(_one_of("status", STATUSES), name="ck_tracker_action_status"),
        sa.CheckConstraint(_one_of("rag", RAGS), name="ck_tracker_action_rag"),
        # An action is complete only with evidence recorded: enforced by the database too.
        sa.CheckConstraint("status <> 'complete' OR length(trim(evidence)) > 0",
                           name="ck_tracker_action_complete_needs_evidence"),
    )


def downgrade() -> None:
    op.drop_table("tracker_action")
    op.drop_table("tracker_response")
    op.drop_table("tracker_item")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS history_no_truncate ON history")
        op.execute("DROP TRIGGER IF EXISTS history_no_update_delete ON history")
        op.drop_table("history")
        op.execute("DROP FUNCTION IF EXISTS history_refuse_change()")
    else:
        op.drop_table("history")
