"""Database fixtures shared by every area's tests.

- ``sqlite_engine``: a fresh SQLite file in a temporary folder, upgraded to head.
- ``postgres_engine``: a fresh schema on the server named by
  ``FEEDBACK_TEST_POSTGRES_URL`` (``.ci/run`` starts one), upgraded to head,
  dropped afterwards. Skipped, with the reason printed at the end of the run,
  when no server can be had.
- ``engine``: parametrized over both, so one test runs on SQLite and PostgreSQL.
- ``blank_engine``: the same two, *not* upgraded (for migration tests).
- ``app_engine``: the app's own connections as deployed: SQLite with its guard, and
  PostgreSQL as the app role of ``FEEDBACK_TEST_POSTGRES_APP_URL`` (``.ci/run``
  creates it) on a schema migrated by the owner (``FEEDBACK_TEST_POSTGRES_URL``).
"""

from __future__ import annotations

import os
import uuid

import pytest

POSTGRES_ENV = "FEEDBACK_TEST_POSTGRES_URL"
POSTGRES_APP_ENV = "FEEDBACK_TEST_POSTGRES_APP_URL"
_postgres_skips: list[str] = []


def _sqlite(tmp_path, upgraded: bool, name: str):
    from feedback import db

    engine = db.get_engine(f"sqlite:///{tmp_path / (name + '.sqlite3')}")
    if upgraded:
        db.upgrade(engine)
    return engine


def _postgres_unavailable(reason: str):
    _postgres_skips.append(reason)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _postgres(upgraded: bool, app_role: bool = False):
    """Yield an engine whose search_path is a brand-new schema; drop the schema afterwards.

    ``app_role``: the engine connects as the app's role (``FEEDBACK_TEST_POSTGRES_APP_URL``)
    and the owner migrates the schema and grants that role its rights."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from feedback import db

    url = os.environ.get(POSTGRES_ENV)
    if not url:
        _postgres_unavailable(f"{POSTGRES_ENV} is not set (run .ci/run, which starts a server)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as err:
        admin.dispose()
        _postgres_unavailable(f"cannot connect to {make_url(url).render_as_string(hide_password=True)}: "
                              f"{str(err.orig).strip().splitlines()[0]}")
    def in_schema(u: str) -> str:
        return make_url(u).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)

    owner_url = in_schema(url)
    if app_role:
        app_url = os.environ.get(POSTGRES_APP_ENV)
        if not app_url:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
            _postgres_unavailable(f"{POSTGRES_APP_ENV} is not set (run .ci/run, which creates the app role)")
        engine = db.get_engine(in_schema(app_url))
    else:
        engine = db.get_engine(owner_url)
    try:
        if upgraded:
            db.upgrade(engine, owner_url=owner_url if app_role else None)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = _sqlite(tmp_path, upgraded=True, name="sqlite_engine")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine():
    yield from _postgres(upgraded=True)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = _sqlite(tmp_path, upgraded=True, name="engine")
        yield engine
        engine.dispose()
    else:
        yield from _postgres(upgraded=True)


@pytest.fixture
def postgres_app_engine():
    yield from _postgres(upgraded=True, app_role=True)


@pytest.fixture(params=BACKENDS)
def app_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = _sqlite(tmp_path, upgraded=True, name="app_engine")
        yield engine
        engine.dispose()
    else:
        yield from _postgres(upgraded=True, app_role=True)


@pytest.fixture(params=BACKENDS)
def blank_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = _sqlite(tmp_path, upgraded=False, name="blank_engine")
        yield engine
        engine.dispose()
    else:
        yield from _postgres(upgraded=False)


@pytest.fixture
def page_app(tmp_path, monkeypatch):
    """Run one page file (e.g. "audits.py") in Streamlit's AppTest on its own SQLite
    database, with an editor's name set in the sidebar state; returns the run AppTest."""
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'page.sqlite3'}")
    st.cache_resource.clear()  # ui.common.db_engine is cached per process

    def run(page: str, editor: str = "Page tester") -> AppTest:
        at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "pages" / page), default_timeout=120)
        at.session_state["editor_name"] = editor
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield run
    st.cache_resource.clear()


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The whole app (app.py and its navigation, on the sample surveys) run once in Streamlit's
    AppTest on its own SQLite database; pages are reached with tests.pages.helpers.goto."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.chdir(root)
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def pytest_terminal_summary(terminalreporter):
    if _postgres_skips:
        terminalreporter.write_sep("-", "PostgreSQL")
        terminalreporter.write_line(f"{len(_postgres_skips)} PostgreSQL test(s) SKIPPED: {_postgres_skips[0]}")


def pytest_collection_modifyitems(items):
    """Browser files first: they take longest, so with whole files per worker (``make test``) the
    short files fill the workers' last minutes instead of one browser file running on alone."""
    items.sort(key=lambda item: "tests/browser" not in str(item.fspath))
