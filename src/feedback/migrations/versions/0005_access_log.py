"""Access log (append-only, enforced by triggers like the history's): sign-ins and
sign-outs, refused actions, imports and exports.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("email", sa.String(200), nullable=False, server_default=""),
        sa.Column("role", sa.String(40), nullable=False, server_default=""),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("what", sa.Text, nullable=False, server_default=""),
        sa.Column("region", sa.String(200), nullable=False, server_default=""),
        sa.CheckConstraint("event IN ('sign-in', 'sign-out', 'refused', 'import', 'export')",
                           name="ck_access_log_event"),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
                   "BEGIN SELECT RAISE(ABORT, 'access log rows are append-only: UPDATE refused'); END")
        op.execute("CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
                   "BEGIN SELECT RAISE(ABORT, 'access log rows are append-only: DELETE refused'); END")
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'access log rows are append-only: % refused', TG_OP; END $$"
        )
        op.execute("CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log "
                   "FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change()")
        op.execute("CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change()")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"No append-only access-log trigger for the {dialect} database.")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log")
        op.execute("DROP TRIGGER IF EXISTS access_log_no_update_delete ON access_log")
    op.drop_table("access_log")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS access_log_refuse_change()")
