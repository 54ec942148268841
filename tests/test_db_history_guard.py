"""History cannot be rewritten through the app's own connections, on SQLite and PostgreSQL.

SQLite: the app's connections carry an authorizer (no schema changes at all,
temporary tables and views included, no switching the protection off) and
recursive triggers, so REPLACE fires the no-delete trigger. PostgreSQL: the app
runs as its own role, which may only SELECT and INSERT on history, does not own
it and may not create temporary tables (one named history would hide the real
one). The access log and the migration version: tests/test_access_log.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from feedback import db
from feedback.tracker import service

ROW = "(id, entity, entity_id, field, old_value, new_value, changed_by, changed_at, reason)"
FORGED = "(1, 'tracker_item', '1', 'text', 'old', 'forged', 'Mallory', CURRENT_TIMESTAMP, '')"

COMMON = {
    "replace": f"REPLACE INTO history {ROW} VALUES {FORGED}",
    "insert or replace": f"INSERT OR REPLACE INTO history {ROW} VALUES {FORGED}",
    "upsert": f"INSERT INTO history {ROW} VALUES {FORGED} ON CONFLICT (id) DO UPDATE SET new_value = 'forged'",
    "update": "UPDATE history SET new_value = 'forged'",
    "delete": "DELETE FROM history",
    "drop table": "DROP TABLE history",
    "rename table": "ALTER TABLE history RENAME TO history_old",
    "temporary replacement": "CREATE TEMP TABLE history (id INTEGER PRIMARY KEY, new_value TEXT, changed_by TEXT)",
    "temporary view": "CREATE TEMP VIEW history AS SELECT 1 AS id, 'forged' AS new_value, 'Mallory' AS changed_by",
}
SQLITE = {
    "drop trigger": "DROP TRIGGER history_no_delete",
    "drop update trigger": "DROP TRIGGER history_no_update",
    "recursive triggers off": "PRAGMA recursive_triggers = OFF",
    "writable schema": "PRAGMA writable_schema = ON",
    "new trigger": "CREATE TRIGGER sneak AFTER INSERT ON history BEGIN DELETE FROM tracker_item; END",
    "attach": "ATTACH DATABASE ':memory:' AS other",
}
POSTGRES = {
    "upsert": f"INSERT INTO history {ROW} VALUES {FORGED} ON CONFLICT (id) DO UPDATE SET new_value = 'forged'",
    "truncate": "TRUNCATE history",
    "disable triggers": "ALTER TABLE history DISABLE TRIGGER ALL",
    "drop trigger": "DROP TRIGGER history_no_update_delete ON history",
    "replication role": "SET session_replication_role = replica",
    "grant itself, then update": "GRANT UPDATE ON history TO CURRENT_USER; UPDATE history SET new_value = 'x'",
}
SQLITE_ATTEMPTS = {**COMMON, **SQLITE}
POSTGRES_ATTEMPTS = {k: v for k, v in {**COMMON, **POSTGRES}.items() if k not in ("replace", "insert or replace")}


def _history(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, new_value, changed_by FROM history ORDER BY id"))]


def _refused(app_engine, statement: str) -> None:
    with db.session_scope(app_engine) as session:
        db.record_change(session, "tracker_item", 1, "text", "old", "new", "Ann", "typo")
    before = _history(app_engine)
    with pytest.raises(DBAPIError, match="append-only|not authorized|permission denied|must be owner"):
        with app_engine.begin() as conn:
            conn.execute(text(statement))
    assert _history(app_engine) == before
    # The guard has not locked the app out of its normal work.
    with db.session_scope(app_engine) as session:
        item = service.create_item(session, "Ann", reference="AC-01", text="A point", source="other")
        service.edit(session, item, item.version, {"text": "A better point"}, "Ann", "wording")
    assert len(_history(app_engine)) == len(before) + 2


@pytest.mark.parametrize("attempt", list(SQLITE_ATTEMPTS))
def test_sqlite_app_connection_cannot_rewrite_history(sqlite_engine, attempt):
    _refused(sqlite_engine, SQLITE_ATTEMPTS[attempt])


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", list(POSTGRES_ATTEMPTS))
def test_postgres_app_role_cannot_rewrite_history(postgres_app_engine, attempt):
    _refused(postgres_app_engine, POSTGRES_ATTEMPTS[attempt])


def test_migrations_still_run_after_the_guard(app_engine):
    """Downgrade and upgrade (which drop and create triggers) run as the owner, not through the guard."""
    owner = None
    if app_engine.dialect.name == "postgresql":
        import os

        from sqlalchemy.engine import make_url

        schema = make_url(str(app_engine.url.render_as_string(hide_password=False))).query["options"]
        owner = make_url(os.environ["FEEDBACK_TEST_POSTGRES_URL"]).update_query_dict(
            {"options": schema}).render_as_string(hide_password=False)
    db.downgrade(app_engine, "base", owner_url=owner)
    db.upgrade(app_engine, owner_url=owner)
    assert db.current_revision(app_engine) is not None
    with db.session_scope(app_engine) as session:
        db.record_change(session, "tracker_item", 1, "text", "old", "new", "Ann")
