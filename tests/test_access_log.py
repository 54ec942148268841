"""The access log and the migration version cannot be replaced or rewritten through the app's
own connections, on SQLite and PostgreSQL (as history cannot: tests/test_db_history_guard.py).

Each statement is one step of a forgery: rename the access log away, create a replacement
without triggers (a table, or a temporary table or view that would hide the real one from
that pooled connection), write a forged entry, or move the migration version so the app no
longer starts. After each, the app, through the same engine, still reads the real log and
the real version, and still works.
"""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from feedback import access_log, db
from feedback.access import User

REFUSED = "append-only|not authorized|permission denied|must be owner"
COLUMNS = "(id, at, who, email, role, event, what, region)"
FORGED = "(1, CURRENT_TIMESTAMP, 'Mallory', '', 'admin', 'sign-in', 'forged', '')"
LOG_TABLE = ("(id INTEGER PRIMARY KEY, at TIMESTAMP, who VARCHAR(200), email VARCHAR(200), role VARCHAR(40), "
             "event VARCHAR(20), what TEXT, region VARCHAR(200))")

ACCESS_LOG = {
    "rename": "ALTER TABLE access_log RENAME TO access_log_old",
    "drop": "DROP TABLE access_log",
    "create a replacement": f"CREATE TABLE access_log_new {LOG_TABLE}",
    "temporary replacement": f"CREATE TEMP TABLE access_log {LOG_TABLE}",
    "temporary view": "CREATE TEMP VIEW access_log AS SELECT 1 AS id, 'Mallory' AS who",
    "add a column": "ALTER TABLE access_log ADD COLUMN note TEXT",
    "delete": "DELETE FROM access_log",
    "update": "UPDATE access_log SET who = 'Mallory', what = 'forged'",
    "upsert": f"INSERT INTO access_log {COLUMNS} VALUES {FORGED} ON CONFLICT (id) DO UPDATE SET what = 'forged'",
}
ACCESS_LOG_SQLITE = {
    "replace": f"REPLACE INTO access_log {COLUMNS} VALUES {FORGED}",
    "insert or replace": f"INSERT OR REPLACE INTO access_log {COLUMNS} VALUES {FORGED}",
    "drop the no-delete trigger": "DROP TRIGGER access_log_no_delete",
    "drop the no-update trigger": "DROP TRIGGER access_log_no_update",
    "a trigger of its own": "CREATE TRIGGER sneak AFTER INSERT ON access_log BEGIN DELETE FROM tracker_item; END",
    "temporary trigger": "CREATE TEMP TRIGGER sneak AFTER INSERT ON access_log BEGIN SELECT 1; END",
    "drop the index": "DROP INDEX ix_access_log_at",
    "recursive triggers off": "PRAGMA recursive_triggers = OFF",
    "writable schema": "PRAGMA writable_schema = ON",
    "schema version": "PRAGMA schema_version = 1",
    "attach": "ATTACH DATABASE ':memory:' AS other",
}
ACCESS_LOG_POSTGRES = {
    "truncate": "TRUNCATE access_log",
    "disable triggers": "ALTER TABLE access_log DISABLE TRIGGER ALL",
    "drop the trigger": "DROP TRIGGER access_log_no_update_delete ON access_log",
    "drop the truncate trigger": "DROP TRIGGER access_log_no_truncate ON access_log",
    "replication role": "SET session_replication_role = replica",
    "grant itself, then update": "GRANT UPDATE ON access_log TO CURRENT_USER; UPDATE access_log SET who = 'x'",
    "rename, replace and forge": ("ALTER TABLE access_log RENAME TO access_log_old; "
                                  f"CREATE TABLE access_log {LOG_TABLE}; "
                                  f"INSERT INTO access_log {COLUMNS} VALUES {FORGED}"),
    "temporary replacement and forge": (f"CREATE TEMP TABLE access_log {LOG_TABLE}; "
                                        f"INSERT INTO access_log {COLUMNS} VALUES {FORGED}"),
}
VERSION = {
    "update the version": "UPDATE alembic_version SET version_num = '9999'",
    "delete the version": "DELETE FROM alembic_version",
    "insert a version": "INSERT INTO alembic_version (version_num) VALUES ('9999')",
    "drop the version table": "DROP TABLE alembic_version",
    "rename the version table": "ALTER TABLE alembic_version RENAME TO alembic_old",
    "temporary version table": "CREATE TEMP TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
    "upsert the version": ("INSERT INTO alembic_version (version_num) SELECT version_num FROM alembic_version "
                           "WHERE true ON CONFLICT (version_num) DO UPDATE SET version_num = '9999'"),
}
VERSION_SQLITE = {
    "replace the version": "REPLACE INTO alembic_version (version_num) VALUES ('9999')",
    "insert or replace the version": ("INSERT OR REPLACE INTO alembic_version (version_num) "
                                      "SELECT version_num FROM alembic_version"),
}
VERSION_POSTGRES = {
    "truncate the version": "TRUNCATE alembic_version",
    "grant itself, then update the version": ("GRANT UPDATE ON alembic_version TO CURRENT_USER; "
                                              "UPDATE alembic_version SET version_num = '9999'"),
}
SQLITE_ATTEMPTS = {**ACCESS_LOG, **ACCESS_LOG_SQLITE, **VERSION, **VERSION_SQLITE}
POSTGRES_ATTEMPTS = {**ACCESS_LOG, **ACCESS_LOG_POSTGRES, **VERSION, **VERSION_POSTGRES}
HEAD = ScriptDirectory.from_config(db._alembic_config(None)).get_current_head()  # the newest migration
ANN = User("Ann Admin", "ann@example.org", "admin", signed_in=True)


def _state(engine) -> tuple[list, str | None]:
    """What the app sees, through the same pooled connection(s) the attempt used."""
    log = access_log.entries(engine)[["who", "event", "what"]].values.tolist()
    return log, db.current_revision(engine)


def _refused(engine, statement: str) -> None:
    access_log.record(engine, ANN, access_log.SIGN_IN, "signed in")
    before = _state(engine)
    assert before[1] == HEAD and before[0] == [["Ann Admin", "sign-in", "signed in"]]
    with pytest.raises(DBAPIError, match=REFUSED):
        with engine.begin() as conn:
            conn.execute(text(statement))
    for _ in range(3):  # whichever pooled connection the app gets next
        assert _state(engine) == before
    # The guard has not locked the app out of its normal work.
    access_log.record(engine, ANN, access_log.EXPORT, "a table")
    log, revision = _state(engine)
    assert (log[0], revision) == (["Ann Admin", "export", "a table"], HEAD)


@pytest.mark.parametrize("attempt", list(SQLITE_ATTEMPTS))
def test_sqlite_app_connection_cannot_replace_the_access_log_or_the_version(sqlite_engine, attempt):
    _refused(sqlite_engine, SQLITE_ATTEMPTS[attempt])


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", list(POSTGRES_ATTEMPTS))
def test_postgres_app_role_cannot_replace_the_access_log_or_the_version(postgres_app_engine, attempt):
    _refused(postgres_app_engine, POSTGRES_ATTEMPTS[attempt])


def test_the_app_role_is_left_no_schema_or_temporary_rights(app_engine):
    """PostgreSQL: nothing left that ``grant_app_rights`` should have taken; SQLite: the guard
    refuses a harmless new table too (no schema change at all through the app's connection)."""
    if app_engine.dialect.name == "postgresql":
        with app_engine.connect() as conn:
            assert db.app_role_problems(conn, app_engine.url.username) == []
    with pytest.raises(DBAPIError, match=REFUSED):
        with app_engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
