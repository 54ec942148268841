"""feedback.db: migrations, append-only history, version-checked edits, backup.

Tests taking ``engine`` or ``blank_engine`` run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from feedback import backup, db
from feedback.tracker import service
from feedback.tracker.models import Action, Item

TRACKER_TABLES = {"history", "tracker_item", "tracker_response", "tracker_action"}


def _revisions() -> list[str]:
    """Revision ids oldest first (the chain is linear)."""
    script = ScriptDirectory(str(db.MIGRATIONS))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _add_item_with_action(session: Session, ref: str = "T-1") -> tuple[Item, Action]:
    item = service.create_item(session, "Ann", reference=ref, text="A point raised", source="other")
    action = service.create_action(session, item, "Ann", reference=f"{ref}/1", description="Do a thing",
                                   owner="Team A")
    return item, action


def test_revision_chain_is_linear_and_starts_with_0001():
    revs = _revisions()
    assert revs[0] == "0001"
    script = ScriptDirectory(str(db.MIGRATIONS))
    assert len(script.get_heads()) == 1, "migrations must form one linear chain"


def test_upgrade_from_empty_and_back(blank_engine):
    assert db.current_revision(blank_engine) is None
    db.upgrade(blank_engine)
    assert db.current_revision(blank_engine) == _revisions()[-1]
    assert TRACKER_TABLES <= set(inspect(blank_engine).get_table_names())
    db.downgrade(blank_engine, "base")
    assert not TRACKER_TABLES & set(inspect(blank_engine).get_table_names())
    db.upgrade(blank_engine)  # and again, so downgrade left nothing behind (e.g. trigger function)
    assert db.current_revision(blank_engine) == _revisions()[-1]


@pytest.mark.parametrize("start", ["0001", "previous"])
def test_upgrade_from_previous_version_keeps_data(blank_engine, start):
    revs = _revisions()
    start = revs[-2] if start == "previous" and len(revs) > 1 else "0001"
    db.upgrade(blank_engine, start)
    # Plain SQL in the columns every revision has (today's models may have more columns).
    with blank_engine.begin() as conn:
        conn.execute(text("INSERT INTO tracker_item (id, reference, text, source, created_at) "
                          "VALUES (1, 'T-1', 'A point raised', 'other', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO tracker_action (id, item_id, reference, description, owner, status, evidence, "
                          "created_at) VALUES (1, 1, 'T-1/1', 'Do a thing', 'Team A', 'complete', 'Done', "
                          "CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO history (entity, entity_id, field, new_value, changed_by, changed_at, reason) "
                          "VALUES ('tracker_item', '1', 'created', 'T-1', 'Ann', CURRENT_TIMESTAMP, 'created')"))
    db.upgrade(blank_engine)
    assert db.current_revision(blank_engine) == revs[-1]
    with db.session_scope(blank_engine) as session:
        item = session.scalar(select(Item))
        assert item.reference == "T-1" and [a.reference for a in item.actions] == ["T-1/1"]
        assert len(db.history_for(session, "tracker_item", item.id)) == 1


def test_sqlite_uses_wal_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(DBAPIError):
            conn.execute(text("INSERT INTO tracker_action (item_id, reference, description) VALUES (999, 'x', 'y')"))


def test_database_url_prefers_environment(monkeypatch):
    monkeypatch.setenv(db.ENV_VAR, "sqlite:////tmp/from-env.sqlite3")
    assert db.database_url("postgresql+psycopg://secret/x") == "sqlite:////tmp/from-env.sqlite3"
    monkeypatch.delenv(db.ENV_VAR)
    assert db.database_url("postgresql+psycopg://secret/x") == "postgresql+psycopg://secret/x"
    assert db.database_url().endswith("var/feedback.sqlite3")


# --------------------------------------------------------------------------- history is append-only


@pytest.mark.parametrize("statement", ["UPDATE history SET new_value = 'forged', changed_by = 'Mallory'",
                                       "DELETE FROM history"])
def test_database_refuses_to_change_history(engine, statement):
    with db.session_scope(engine) as session:
        db.record_change(session, "tracker_item", 1, "text", "old", "new", "Ann", "typo")
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT new_value, changed_by FROM history")).all()
    assert rows == [("new", "Ann")]


@pytest.mark.postgres
def test_postgres_refuses_truncate_of_history(postgres_engine):
    with db.session_scope(postgres_engine) as session:
        db.record_change(session, "tracker_item", 1, "text", "a", "b", "Ann")
    with pytest.raises(DBAPIError, match="append-only"):
        with postgres_engine.begin() as conn:
            conn.execute(text("TRUNCATE history"))


def test_record_change_needs_a_name(engine):
    with db.session_scope(engine) as session, pytest.raises(ValueError, match="name"):
        db.record_change(session, "tracker_item", 1, "text", "a", "b", "  ")


# --------------------------------------------------------------------------- no lost updates


def test_second_of_two_interleaved_sessions_is_refused_with_newer_values(engine):
    with db.session_scope(engine) as session:
        _item, action = _add_item_with_action(session)
        action_id = action.id
    first, second = Session(engine), Session(engine)
    try:
        a1, a2 = first.get(Action, action_id), second.get(Action, action_id)
        seen1, seen2 = a1.version, a2.version  # both people open version 1
        assert seen1 == seen2 == 1
        service.edit(first, a1, seen1, {"owner": "Team B"}, "Ann", "handover")
        first.commit()
        with pytest.raises(db.StaleEdit) as caught:
            service.edit(second, a2, seen2, {"owner": "Team C"}, "Bob", "my view")
        second.rollback()
    finally:
        first.close()
        second.close()
    err = caught.value
    assert err.current["owner"] == "Team B" and err.version == 2 and err.seen_version == 1
    assert err.changed_by == "Ann" and "not saved" in str(err)
    assert str(err).startswith("Action T-1/1 was changed by Ann after you opened it")
    with db.session_scope(engine) as session:
        assert session.get(Action, action_id).owner == "Team B"
        owners = [(h.changed_by, h.new_value) for h in db.history_for(session, "tracker_action", action_id)
                  if h.field == "owner"]
    assert owners == [("Ann", "Team B")]


def test_concurrent_threads_one_edit_wins_the_other_waits_then_is_refused(engine):
    """Thread A holds its uncommitted edit; B's edit blocks on the row, then is refused."""
    with db.session_scope(engine) as session:
        _item, action = _add_item_with_action(session)
        action_id = action.id
    a_has_written = threading.Event()
    outcome: dict[str, object] = {}

    def run(name: str, owner: str):
        session = Session(engine)
        try:
            obj = session.get(Action, action_id)
            seen = 1
            if name == "B":
                a_has_written.wait(10)
            service.edit(session, obj, seen, {"owner": owner}, name)
            if name == "A":
                a_has_written.set()
                threading.Event().wait(0.5)  # keep the transaction open while B tries
            session.commit()
            outcome[name] = "saved"
        except db.StaleEdit as err:
            session.rollback()
            outcome[name] = err
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=("A", "Team A2")), threading.Thread(target=run, args=("B", "Team B2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcome["A"] == "saved"
    assert isinstance(outcome["B"], db.StaleEdit) and outcome["B"].current["owner"] == "Team A2"
    with db.session_scope(engine) as session:
        action = session.get(Action, action_id)
        assert (action.owner, action.version) == ("Team A2", 2)


def test_edit_without_real_change_keeps_version_and_writes_no_history(engine):
    with db.session_scope(engine) as session:
        _item, action = _add_item_with_action(session)
        assert db.apply_edit(session, action, 1, {"owner": "Team A"}, "Ann") == {}
        assert action.version == 1
        assert [h.field for h in db.history_for(session, "tracker_action", action.id)] == ["created"]


def test_plain_orm_flush_of_a_stale_row_fails_too(engine):
    with db.session_scope(engine) as session:
        _item, action = _add_item_with_action(session)
        action_id = action.id
    first, second = Session(engine), Session(engine)
    try:
        a1, a2 = first.get(Action, action_id), second.get(Action, action_id)
        a1.owner = "X"
        first.commit()
        a2.owner = "Y"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()


def test_apply_edit_refuses_unknown_fields_and_version(engine):
    with db.session_scope(engine) as session:
        _item, action = _add_item_with_action(session)
        for bad in ({"version": 7}, {"id": 3}, {"no_such_column": 1}):
            with pytest.raises(ValueError, match="no editable field"):
                db.apply_edit(session, action, 1, bad, "Ann")


# --------------------------------------------------------------------------- backup


def test_sqlite_backup_is_a_working_copy(sqlite_engine, tmp_path):
    with db.session_scope(sqlite_engine) as session:
        _add_item_with_action(session)
    out = db.backup_sqlite(sqlite_engine, tmp_path / "copy" / "backup.sqlite3")
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT reference FROM tracker_item").fetchall() == [("T-1",)]
        assert conn.execute("SELECT count(*) FROM history").fetchone()[0] == 2
    restored = db.get_engine(f"sqlite:///{out}")
    db.upgrade(restored)
    with db.session_scope(restored) as session:
        assert session.scalar(select(func.count()).select_from(Action)) == 1
    restored.dispose()
    assert backup.backup_bytes(sqlite_engine, "Ann")[:16] == b"SQLite format 3\x00"


@pytest.mark.postgres
def test_backup_of_postgres_explains_pg_dump(postgres_engine):
    with pytest.raises(ValueError, match="pg_dump"):
        db.backup_sqlite(postgres_engine, "/tmp/never-written.sqlite3")
