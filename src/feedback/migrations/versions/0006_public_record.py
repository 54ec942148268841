"""The public progress record ("You said, we did"): a publish flag on each Panel response,
the public reason for an action's revised target date, and the date an action was completed.

Revision ID: 0006
Revises: 0005

Existing complete actions get ``completed_on`` from the history (the last time their status
became "complete"), else the day they were created.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _day(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date()
    return value


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite 3.35+ has both): a batch table copy would drop and
    # recreate tracker_action, and with foreign keys on that deletes its survey targets.
    op.add_column("tracker_response", sa.Column("published", sa.Boolean, nullable=False,
                                                server_default=sa.false()))
    op.add_column("tracker_action", sa.Column("revision_reason", sa.Text, nullable=False, server_default=""))
    op.add_column("tracker_action", sa.Column("completed_on", sa.Date, nullable=True))

    bind = op.get_bind()
    action = sa.table("tracker_action", sa.column("id", sa.Integer), sa.column("status", sa.String),
                      sa.column("created_at", sa.DateTime(timezone=True)), sa.column("completed_on", sa.Date))
    history = sa.table("history", sa.column("entity", sa.String), sa.column("entity_id", sa.String),
                       sa.column("field", sa.String), sa.column("new_value", sa.Text),
                       sa.column("changed_at", sa.DateTime(timezone=True)))
    for action_id, created_at in bind.execute(sa.select(action.c.id, action.c.created_at)
                                              .where(action.c.status == "complete")).all():
        last = bind.execute(sa.select(sa.func.max(history.c.changed_at)).where(
            history.c.entity == "tracker_action", history.c.entity_id == str(action_id),
            history.c.field == "status", history.c.new_value == "complete")).scalar()
        bind.execute(sa.update(action).where(action.c.id == action_id)
                     .values(completed_on=_day(last) or _day(created_at)))


def downgrade() -> None:
    op.drop_column("tracker_action", "completed_on")
    op.drop_column("tracker_action", "revision_reason")
    op.drop_column("tracker_response", "published")
