"""The database module: the only place that opens connections.

Tracker, roundtables and audits all store their data through this module, so
that there is one engine, one schema (built by Alembic migrations), one
append-only history of changes and one way to edit a row without silently
overwriting somebody else's edit (:func:`apply_edit`).

SQLite is the embedded default (a file under ``var/``); PostgreSQL is used when
``FEEDBACK_DATABASE_URL`` (or the Streamlit secret ``database_url``) names one.

History, the access log and the migration version cannot be rewritten through
the app's connections. SQLite connections carry an authorizer that refuses
every schema change (tables, views, indexes, triggers, temporary ones too),
writes to ``alembic_version``, ATTACH and the pragmas that would switch the
protection off, with ``recursive_triggers`` on so REPLACE fires the append-only
tables' no-delete triggers; migrations run on a separate, unguarded
connection. On PostgreSQL the app runs as its own role with only the rights it
needs (history and access log: SELECT and INSERT; alembic_version: SELECT; no
temporary tables), while migrations run as the tables' owner
(``FEEDBACK_OWNER_DATABASE_URL``), see :func:`upgrade`.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    Engine,
    Integer,
    String,
    Text,
    create_engine,
    event,
    inspect,
    make_url,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column

from feedback.errors import InputError
from feedback.validation import length_problems

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = ROOT / "var" / "feedback.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ENV_VAR = "FEEDBACK_DATABASE_URL"
OWNER_ENV_VAR = "FEEDBACK_OWNER_DATABASE_URL"  # PostgreSQL: the tables' owner, for migrations only
APPEND_ONLY = ("history", "access_log")  # tables the app may only INSERT into and SELECT from


class Base(DeclarativeBase):
    """Declarative base shared by every area's models (one metadata, one schema)."""


class Versioned:
    """Mixin for rows people edit: an integer ``version`` that every edit bumps.

    ``version_id_col`` also makes any plain ORM flush of a changed row
    conditional on the version, so even code that bypasses :func:`apply_edit`
    cannot silently overwrite a newer row (it gets ``StaleDataError``).
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy API
        return {"version_id_col": cls.__table__.c.version}


def utcnow() -> dt.datetime:
    """Timezone-aware now, so history times mean the same thing on every server."""
    return dt.datetime.now(dt.UTC)


class History(Base):
    """One changed field of one row: who, when, old, new and why.

    Append-only: migration 0001 installs triggers that make the database itself
    refuse UPDATE and DELETE on this table (SQLite and PostgreSQL).
    """

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    field: Mapped[str] = mapped_column(String(64), nullable=False)
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")


class StaleEdit(Exception):
    """Someone else changed the row since the editor saw it; nothing was written.

    ``current`` holds the newer values (column -> value), ``version`` the
    row's current version and ``changed_by`` who made the latest change (if
    history knows), so a page can show them and let the person try again.
    """

    def __init__(self, entity: str, entity_id: Any, seen_version: int, version: int | None,
                 current: dict[str, Any], changed_by: str | None = None, label: str | None = None):
        self.entity = entity
        self.entity_id = entity_id
        self.seen_version = seen_version
        self.version = version
        self.current = current
        self.changed_by = changed_by
        what = label or f"This {entity} record ({entity_id})"
        if version is None:
            msg = f"{what} no longer exists; your edit was not saved."
        else:
            who = f" by {changed_by}" if changed_by else ""
            msg = (f"{what} was changed{who} after you opened it "
                   f"(you saw version {seen_version}, it is now version {version}). "
                   "Your edit was not saved. Look at the newer values and make your change again.")
        super().__init__(msg)


# --------------------------------------------------------------------------- engine


def database_url(secrets_url: str | None = None) -> str:
    """Where the data lives: FEEDBACK_DATABASE_URL, else the given secret, else SQLite under var/."""
    url = os.environ.get(ENV_VAR) or secrets_url
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        # REPLACE deletes the row it replaces; with recursive triggers on, that delete
        # fires history's no-delete trigger instead of silently rewriting the row.
        cursor.execute("PRAGMA recursive_triggers=ON")
    finally:
        cursor.close()


# Pragmas that would switch the protection off or edit the schema behind SQLite's back.
_GUARDED_PRAGMAS = frozenset({"recursive_triggers", "writable_schema", "foreign_keys", "ignore_check_constraints",
                              "trusted_schema", "legacy_alter_table", "schema_version"})


def _schema_actions() -> frozenset[int]:
    """Every authorizer action that creates, drops or alters a table, view, index or trigger
    (temporary ones too: a temporary ``access_log`` would hide the real one from its connection)."""
    import sqlite3

    names = ("CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE", "CREATE_TEMP_TRIGGER",
             "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW", "CREATE_VTABLE", "DROP_INDEX", "DROP_TABLE",
             "DROP_TEMP_INDEX", "DROP_TEMP_TABLE", "DROP_TEMP_TRIGGER", "DROP_TEMP_VIEW", "DROP_TRIGGER",
             "DROP_VIEW", "DROP_VTABLE", "ALTER_TABLE")
    return frozenset(getattr(sqlite3, f"SQLITE_{name}") for name in names if hasattr(sqlite3, f"SQLITE_{name}"))


_SCHEMA_ACTIONS = _schema_actions()
READ_ONLY = ("alembic_version",)  # tables the app may only read (the migration version)


def _sqlite_guard(action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None) -> int:
    """The authorizer on every app connection, SQLite's counterpart of the PostgreSQL app role
    owning nothing: no schema changes at all (tables, views, indexes, triggers, temporary ones
    included), no writes to the migration version, no ATTACH, no switching protective pragmas.
    UPDATE and DELETE on the append-only tables (history, access log) are refused by their
    triggers, which this guard keeps in place."""
    import sqlite3

    if action in _SCHEMA_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action in (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE) and \
            (arg1 or "").lower() in READ_ONLY:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _GUARDED_PRAGMAS and arg2 is not None:
        return sqlite3.SQLITE_DENY  # reading a pragma is fine; setting one of these is not
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _sqlite_guard_on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.set_authorizer(_sqlite_guard)


def _sqlite_engine(url, *, guarded: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
    event.listen(engine, "connect", _sqlite_on_connect)
    if guarded:
        event.listen(engine, "connect", _sqlite_guard_on_connect)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The app's engine for ``url`` (default :func:`database_url`).

    SQLite gets WAL, foreign keys and the history guard (:func:`_sqlite_guard`);
    PostgreSQL is used as given: point it at the app's own role (see :func:`grant_app_rights`).
    """
    url = url or database_url()
    if url.startswith("sqlite"):
        return _sqlite_engine(url, guarded=True)
    return create_engine(url, pool_pre_ping=True)


@event.listens_for(Session, "before_flush")
def _check_text_limits(session: Session, _context, _instances) -> None:
    """Every ORM insert or update: text longer than its column is refused here, with the same
    plain message on SQLite (which would store it) and PostgreSQL (which would raise DataError)."""
    problems: list[str] = []
    for obj in [*session.new, *session.dirty]:
        mapper = inspect(obj).mapper
        values = {attr.columns[0].name: getattr(obj, attr.key) for attr in mapper.column_attrs}
        problems.extend(length_problems(mapper.local_table, values))
    if problems:
        raise InputError("Not saved: " + "; ".join(dict.fromkeys(problems)) + ".")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# --------------------------------------------------------------------------- migrations


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def owner_url_for(engine: Engine) -> str | None:
    """The owner's URL for migrating ``engine``'s database: FEEDBACK_OWNER_DATABASE_URL when
    ``engine`` is the configured app database (FEEDBACK_DATABASE_URL), else None."""
    owner = os.environ.get(OWNER_ENV_VAR)
    app = os.environ.get(ENV_VAR)
    if owner and app and engine.url == make_url(app):
        return owner
    return None


@contextmanager
def _migration_engine(engine: Engine, owner_url: str | None) -> Iterator[Engine]:
    """The engine migrations run on: the owner's (PostgreSQL), or SQLite without the app's guard."""
    owner_url = owner_url or owner_url_for(engine)
    if owner_url:
        owner = (get_engine(owner_url) if not owner_url.startswith("sqlite")
                 else _sqlite_engine(owner_url, guarded=False))
    elif engine.dialect.name == "sqlite":
        owner = _sqlite_engine(engine.url, guarded=False)
    else:
        yield engine
        return
    try:
        yield owner
    finally:
        owner.dispose()


def upgrade(engine: Engine, revision: str = "head", *, owner_url: str | None = None) -> None:
    """Bring the schema to ``revision`` (default: the latest migration).

    Migrations run as the tables' owner: ``owner_url`` (or FEEDBACK_OWNER_DATABASE_URL
    when ``engine`` is the configured app database); without one, on ``engine`` itself
    (SQLite: a connection without the app's guard). On PostgreSQL, when the owner and
    the app are different roles, the app's role is then given exactly the rights it
    needs (:func:`grant_app_rights`).
    """
    from alembic import command

    with _migration_engine(engine, owner_url) as owner:
        with owner.begin() as connection:
            command.upgrade(_alembic_config(connection), revision)
            app_role = engine.url.username
            if (owner is not engine and connection.dialect.name == "postgresql" and app_role
                    and app_role != owner.url.username):
                grant_app_rights(connection, app_role)


def grant_app_rights(connection, role: str) -> None:
    """Give the app's PostgreSQL role what it needs and no more, in the current schema.

    Every table: SELECT, INSERT, UPDATE, DELETE, except the append-only ones
    (history and access log: SELECT and INSERT only) and the migration table
    (SELECT). No TRUNCATE, no TRIGGER, no ownership: a role that does not own a
    table cannot disable or drop its triggers. No CREATE in the schema and no
    temporary tables (TEMPORARY on the database is revoked from PUBLIC): a
    temporary ``access_log`` would otherwise hide the real one from every later
    query on that pooled connection. PostgreSQL only warns when the owner may not
    revoke one of these; :func:`app_role_problems` then says what is left.
    """
    from sqlalchemy import text

    quoted = connection.dialect.identifier_preparer.quote
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    q_role, q_schema = quoted(role), quoted(schema)
    connection.execute(text(f"GRANT USAGE ON SCHEMA {q_schema} TO {q_role}"))
    connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {q_schema} FROM {q_role}"))
    connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {q_schema} TO {q_role}"))
    for table in APPEND_ONLY:
        connection.execute(text(f"REVOKE UPDATE, DELETE ON {q_schema}.{quoted(table)} FROM {q_role}"))
    connection.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON {q_schema}.alembic_version FROM {q_role}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q_schema} TO {q_role}"))
    connection.execute(text(f"REVOKE CREATE ON SCHEMA {q_schema} FROM PUBLIC, {q_role}"))
    database = quoted(connection.execute(text("SELECT current_database()")).scalar_one())
    connection.execute(text(f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC, {q_role}"))
    if problems := app_role_problems(connection, role):
        import logging

        logging.getLogger("feedback.db").warning("The app's PostgreSQL role %s %s.", role, "; ".join(problems))


def app_role_problems(connection, role: str) -> list[str]:
    """What the app's PostgreSQL role may still do that it should not (empty: nothing)."""
    from sqlalchemy import text

    checks = {
        "may create temporary tables (as the database owner: REVOKE TEMPORARY ON DATABASE ... FROM PUBLIC)":
            "SELECT has_database_privilege(:role, current_database(), 'TEMPORARY')",
        "may create tables in the schema (as its owner: REVOKE CREATE ON SCHEMA ... FROM PUBLIC)":
            "SELECT has_schema_privilege(:role, current_schema(), 'CREATE')",
        "may create schemas (one named after the role comes first in the default search_path; "
        "REVOKE CREATE ON DATABASE ... FROM it)":
            "SELECT has_database_privilege(:role, current_database(), 'CREATE')",
    }
    return [words for words, sql in checks.items() if connection.execute(text(sql), {"role": role}).scalar_one()]


def downgrade(engine: Engine, revision: str, *, owner_url: str | None = None) -> None:
    """Take the schema back to ``revision`` ("base" = empty). For tests and recovery."""
    from alembic import command

    with _migration_engine(engine, owner_url) as owner, owner.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# --------------------------------------------------------------------------- history and edits


def as_text(value: Any) -> str | None:
    """How a value is written into history: ISO dates, enum values, plain strings."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def record_change(session: Session, entity: str, entity_id: Any, field: str, old: Any, new: Any,
                  who: str, reason: str = "", at: dt.datetime | None = None) -> History:
    """Add one history row to the session (same transaction as the change it describes).

    ``at`` lets one edit stamp all its fields with the same moment (default: now).
    """
    if not who or not str(who).strip():
        raise ValueError("Every change needs the name of the person making it.")
    row = History(entity=entity, entity_id=str(entity_id), field=field, old_value=as_text(old),
                  new_value=as_text(new), changed_by=str(who).strip(), changed_at=at or utcnow(),
                  reason=reason or "")
    session.add(row)
    return row


def history_for(session: Session, entity: str, entity_id: Any) -> list[History]:
    """Every change to one row, oldest first."""
    stmt = (select(History).where(History.entity == entity, History.entity_id == str(entity_id))
            .order_by(History.changed_at, History.id))
    return list(session.scalars(stmt))


def _row_values(session: Session, table, pk_col, pk) -> dict[str, Any] | None:
    row = session.execute(select(table).where(pk_col == pk)).mappings().first()
    return dict(row) if row is not None else None


def _last_changed_by(session: Session, entity: str, entity_id: Any) -> str | None:
    stmt = (select(History.changed_by).where(History.entity == entity, History.entity_id == str(entity_id))
            .order_by(History.changed_at.desc(), History.id.desc()).limit(1))
    return session.scalar(stmt)


def apply_edit(session: Session, obj: Base, seen_version: int, changes: Mapping[str, Any], who: str,
               reason: str = "", *, label: str | None = None) -> dict[str, tuple[Any, Any]]:
    """Edit a versioned row only if it is still at ``seen_version``; write history alongside.

    First a conditional ``UPDATE ... WHERE id = :id AND version = :seen`` that
    changes nothing but takes the row's write lock (PostgreSQL row lock, SQLite
    write lock); if no row matches, somebody else got there first and
    :class:`StaleEdit` is raised with the newer values. Otherwise the values
    are read under that lock, the fields that really differ are updated with
    ``version = seen + 1``, and one history row per changed field is added to
    the same transaction. Returns ``{field: (old, new)}`` (empty if nothing
    differed; the version is then left alone). The caller commits. ``label``
    names the record in the refusal message (e.g. "Action AC-01/1").
    """
    mapper = inspect(obj).mapper
    table = mapper.local_table
    entity = table.name
    if len(mapper.primary_key) != 1:
        raise TypeError(f"apply_edit needs a single-column primary key ({entity}).")
    if "version" not in table.c:
        raise TypeError(f"{entity} has no version column; it cannot be edited with apply_edit.")
    if session.is_modified(obj):
        raise ValueError("apply_edit: the object has unsaved attribute changes; pass them in `changes`.")
    if not who or not str(who).strip():
        raise ValueError("Every change needs the name of the person making it.")
    pk_col = mapper.primary_key[0]
    pk = mapper.primary_key_from_instance(obj)[0]
    forbidden = {pk_col.name, "version"}
    unknown = [name for name in changes if name not in table.c or name in forbidden]
    if unknown:
        raise ValueError(f"apply_edit: {entity} has no editable field(s) {', '.join(map(str, unknown))}.")
    seen_version = int(seen_version)
    if too_long := length_problems(table, changes):
        raise InputError("Not saved: " + "; ".join(too_long) + ".")

    # Step 1: claim the row at the version the editor saw (changes nothing yet).
    claimed = session.execute(
        update(table).where(pk_col == pk, table.c.version == seen_version).values(version=seen_version)
    ).rowcount
    if claimed != 1:
        current = _row_values(session, table, pk_col, pk)
        raise StaleEdit(entity, pk, seen_version, None if current is None else current["version"],
                        current or {}, _last_changed_by(session, entity, pk), label)

    # Step 2: under the lock, compare and write the real differences.
    before = _row_values(session, table, pk_col, pk)
    diff = {name: (before[name], new) for name, new in changes.items() if before[name] != new}
    if diff:
        session.execute(update(table).where(pk_col == pk, table.c.version == seen_version)
                        .values(**{name: new for name, (_old, new) in diff.items()}, version=seen_version + 1))
        now = utcnow()
        for name, (old, new) in diff.items():
            record_change(session, entity, pk, name, old, new, who, reason, at=now)
        session.flush()
    session.expire(obj)
    return diff


# --------------------------------------------------------------------------- backup


def backup_sqlite(engine: Engine, destination: str | Path) -> Path:
    """Copy a SQLite database with the online backup API (consistent while the app runs).

    PostgreSQL databases are backed up with ``pg_dump`` instead; this raises
    ``ValueError`` for them with that advice.
    """
    import sqlite3

    if engine.dialect.name != "sqlite":
        raise ValueError("This database is PostgreSQL: back it up with pg_dump (and restore with pg_restore).")
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".part")
    tmp.unlink(missing_ok=True)
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(tmp)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        raw.close()
    tmp.replace(destination)
    return destination
