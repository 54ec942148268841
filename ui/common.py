"""UI helpers shared by every page: the region selector, who is editing,
download buttons, error display and the database engine.

Kept small on purpose: anything that computes belongs in ``src/feedback``.
"""

from __future__ import annotations

import contextlib
import hashlib

import pandas as pd
import streamlit as st

from feedback import isolation
from feedback.errors import InputError
from feedback.regions import ALL_REGIONS, REGIONS

REGION_KEY = "region"
USER_KEY = "editor_name"


def sidebar() -> None:
    """Draw the controls every page shares. Called once per run by app.py."""
    with st.sidebar:
        st.selectbox(
            "Region",
            [ALL_REGIONS, *REGIONS],
            key=REGION_KEY,
            bind="query-params",
            help="Every page shows this region only. The choice is kept in the page address, "
            "so you can bookmark your region's view.",
        )
        if _signed_in_name() is None:
            st.text_input(
                "Your name",
                key=USER_KEY,
                help="Recorded against every change you make (login is not configured).",
            )
        else:
            st.caption(f"Signed in as {_signed_in_name()}")


def current_region() -> str | None:
    """The region chosen in the sidebar, or None for all of England."""
    region = st.session_state.get(REGION_KEY, ALL_REGIONS)
    return None if region in (None, ALL_REGIONS) else region


def page_title(text: str) -> None:
    """The page heading, naming the region shown ("Panel response tracker: London")."""
    region = current_region()
    st.title(f"{text}: {region}" if region else text)


# Widgets whose choice is kept in the page address, so a bookmark or an e-mailed link reopens that view.
IN_ADDRESS = {"bind": "query-params"}


def region_label() -> str:
    """Plain words for the current region, for titles and captions."""
    return current_region() or "England (all regions)"


def _signed_in_name() -> str | None:
    try:
        if st.user.is_logged_in:
            return str(st.user.get("name") or st.user.get("email"))
    except Exception:  # noqa: BLE001 - st.user raises when auth is not configured
        return None
    return None


def current_user() -> str:
    """Who is making a change: the signed-in user, else the name typed in the sidebar."""
    return _signed_in_name() or str(st.session_state.get(USER_KEY, "")).strip()


def require_user() -> str | None:
    """The editor's name, or None after telling the person to give one."""
    name = current_user()
    if not name:
        st.warning("Type your name in the sidebar first: every change records who made it.")
        return None
    return name


def show_input_error(err: Exception) -> None:
    """Show a bad-input error as plain text (never HTML, never a traceback)."""
    st.error(str(err) if isinstance(err, InputError) else f"Something went wrong: {err}", icon=":material/error:")


def content_key(data: bytes) -> str:
    """A short hash of file content, the key for caches shared by all users."""
    return hashlib.sha256(data).hexdigest()


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")[:80] or "export"


def download_chart(chart, name: str, *, alt: str, key: str | None = None) -> None:
    """PNG (200 ppi) and SVG download buttons for a chart, with its alt text alongside."""
    from feedback.charts import chart_png, chart_svg

    slug = _slug(name)
    key = key or slug
    col1, col2 = st.columns(2)
    # Rendered only when clicked (callables): vl-convert takes ~0.2-0.6 s per image, too slow for every rerun.
    col1.download_button("Download chart (PNG)", lambda: chart_png(chart), file_name=f"{slug}.png",
                         mime="image/png", key=f"png_{key}", on_click="ignore", icon=":material/image:")
    col2.download_button("Download chart (SVG)", lambda: chart_svg(chart), file_name=f"{slug}.svg",
                         mime="image/svg+xml", key=f"svg_{key}", on_click="ignore", icon=":material/draw:")
    with st.expander("Alt text for this chart"):
        st.text(alt)


def download_table(df: pd.DataFrame, name: str, *, notes: list[str] | tuple[str, ...] = (),
                   percent_columns: tuple[str, ...] = (), key: str | None = None) -> None:
    """CSV and XLSX download buttons for a table (text cells neutralised against formulas)."""
    from feedback.export import to_csv_bytes, to_xlsx_bytes

    slug = _slug(name)
    key = key or slug
    col1, col2 = st.columns(2)
    # Built only when clicked (callables), so a rerun does not pay for openpyxl.
    col1.download_button("Download table (CSV)", lambda: to_csv_bytes(df), file_name=f"{slug}.csv",
                         mime="text/csv", key=f"csv_{key}", on_click="ignore", icon=":material/table:")
    col2.download_button(
        "Download table (XLSX)",
        lambda: to_xlsx_bytes({name[:31] or "Table": df}, notes=list(notes), percent_columns=percent_columns),
        file_name=f"{slug}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}", on_click="ignore", icon=":material/grid_on:",
    )


@st.cache_resource(show_spinner="Opening the database (the first time, loading the sample data)…")
def db_engine():
    """One engine per server process (connection pool only: no personal data).

    The database URL comes from FEEDBACK_DATABASE_URL or Streamlit secrets
    (``database_url``); otherwise the embedded SQLite file. The schema is
    upgraded to the latest migration on first use.
    """
    from feedback import db

    try:
        secret = st.secrets.get("database_url")
    except Exception:  # noqa: BLE001 - no secrets file is the normal case
        secret = None
    engine = db.get_engine(db.database_url(secret))
    db.upgrade(engine)
    seed_sample_data(engine)
    return engine


SAMPLE_SEEDERS = ("feedback.tracker.seed", "feedback.tracker.targets", "feedback.roundtables.seed",
                  "feedback.audits.seed")


def seed_sample_data(engine) -> None:
    """Load each area's embedded sample data into an empty database (idempotent)."""
    import importlib

    for name in SAMPLE_SEEDERS:
        importlib.import_module(name).seed_if_empty(engine)


def ensure_app_router() -> None:
    """Make a bookmarked page address work on a freshly started server.

    Streamlit treats a folder named ``pages/`` as its legacy multipage mode until
    ``st.navigation`` has run once in the process, so the very first request for,
    say, ``/results?region=London`` would run that page alone: no sidebar, no region.
    The design card wants the folder named ``pages/``; so switch the legacy mode off
    and rerun, and ``app.py`` routes the request. (AppTest resets the flag before
    every run and a rerun would drop its clicks, so it is left alone there.)
    """
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not config.get_option("global.appTest"):
        PagesManager.uses_pages_directory = False
        st.rerun()


ensure_app_router()  # every page imports this module first


# ---------------------------------------------------------------- uploads parsed in a child process
isolation.warm_up()  # start the parsing forkserver with the server, so the first upload does not wait for it


@contextlib.contextmanager
def upload_queue():
    """Around reading an upload: says so when every parse slot is taken and this one queues."""
    note = st.empty()
    if isolation.parsing_busy():
        note.info("Waiting for another upload to finish…", icon=":material/hourglass_top:")
    try:
        yield
    finally:
        note.empty()
