"""UI helpers shared by every page: the region selector, who is editing,
download buttons, error display, page sections that fail on their own, and the
database engine.

Text from files or people goes through :func:`plain` before any element that
reads Markdown (labels, captions, messages, expanders, tabs, help).

Kept small on purpose: anything that computes belongs in ``src/feedback``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from feedback import isolation
from feedback.errors import InputError
from feedback.regions import ALL_REGIONS, REGIONS
from feedback.validation import NAME_LENGTH, clean_name, markdown_literal

# What the app is for and where to start: the first thing the first page says.
APP_PURPOSE = (
    "This app turns the Panel's feedback into figures you can publish: survey results by role and region "
    "with their intervals, regional roundtable notes coded into themes, the Panel's responses and actions, "
    "and audits of partnerships' yearly reports. Start with the headline figures below, choose your region "
    "in the sidebar, or open **Results by role** for charts and tables to download."
)
REGION_KEY = "region"
USER_KEY = "editor_name"
log = logging.getLogger("feedback.pages")

def plain(text) -> str:
    """Text from a file or a person, escaped so Markdown shows it literally: no bold, links,
    images, colour directives or formulas (``feedback.validation.markdown_literal``)."""
    return markdown_literal(text)


@contextmanager
def section(what: str) -> Iterator[None]:
    """Run one part of a page so that an unexpected error there shows one line in its place
    and the rest of the page (and every other page) keeps working.

    ``with section("The themes chart"): ...``. Bad input (``InputError``) shows its own
    message; anything else is logged with its traceback for the server's operator.
    Streamlit's own stop and rerun pass through (they are not ``Exception``).
    """
    try:
        yield
    except InputError as err:
        st.error(plain(err), icon=":material/error:")
    except Exception as err:  # noqa: BLE001 - the point: one failing part never takes the page down
        log.exception("Page section failed: %s", what)
        st.error(f"{plain(what)} could not be shown because of an unexpected problem "
                 f"({type(err).__name__}). The rest of the page still works.", icon=":material/error:")


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
                max_chars=NAME_LENGTH,
                help="Recorded against every change you make (login is not configured).",
            )
        else:
            st.caption(f"Signed in as {plain(_signed_in_name())}")


def current_region() -> str | None:
    """The region chosen in the sidebar, or None for all of England."""
    region = st.session_state.get(REGION_KEY, ALL_REGIONS)
    return None if region in (None, ALL_REGIONS) else region


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
    """Who is making a change: the signed-in user, else the name typed in the sidebar,
    normalised (NFC, no invisible or direction-changing characters, at most 200 characters;
    a longer name counts as no name, so the page asks again)."""
    try:
        return clean_name(_signed_in_name() or st.session_state.get(USER_KEY, ""))
    except InputError:
        return ""


def require_user() -> str | None:
    """The editor's name, or None after telling the person to give one."""
    name = current_user()
    if not name:
        st.warning("Type your name in the sidebar first: every change records who made it.")
        return None
    return name


def show_input_error(err: Exception) -> None:
    """Show a bad-input error as plain text (never HTML, never a traceback)."""
    st.error(plain(err) if isinstance(err, InputError) else
             f"Something went wrong ({type(err).__name__}).", icon=":material/error:")


def content_key(data: bytes) -> str:
    """A short hash of file content, the key for caches shared by all users."""
    return hashlib.sha256(data).hexdigest()


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")[:80] or "export"


def show_chart(chart, alt: str | None = None) -> None:
    """Draw a chart from the package exactly as it exports (its own colours and fonts), with
    its alt text for screen readers. A plain Vega-Lite dict with its data inline: Altair's
    schema validation in ``st.altair_chart`` cost 0.1-0.4 s per chart on every rerun."""
    from feedback.charts import vega_spec

    st.vega_lite_chart(spec=vega_spec(chart), width="content", theme=None, alt=alt)


def by_content(func):
    """``func`` cached by the content of its arguments (data frames are hashed by value), for
    figures computed from database tables: an edit changes the tables and so the key, and a
    page switch or a rerun recomputes nothing. Shared by all users: only for figures every
    user may see."""
    return st.cache_data(func, max_entries=64, ttl=3600, show_spinner=False,
                         hash_funcs={pd.DataFrame: _frame_bytes})


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    """A frame's content as bytes for a cache key: Streamlit's own frame hashing fails (and
    warns) on cells holding lists or dicts, such as merged roundtable points."""
    import pickle

    return pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)


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
    (``database_url``); otherwise the embedded SQLite file. Migrations run as the
    owner (FEEDBACK_OWNER_DATABASE_URL or ``owner_database_url``) when one is given. The schema is
    upgraded to the latest migration on first use.
    """
    from feedback import db

    import os

    try:
        secret = st.secrets.get("database_url")
        owner = st.secrets.get("owner_database_url")  # PostgreSQL: the tables' owner, for migrations
    except Exception:  # noqa: BLE001 - no secrets file is the normal case
        secret = owner = None
    engine = db.get_engine(db.database_url(secret))
    db.upgrade(engine, owner_url=os.environ.get(db.OWNER_ENV_VAR) or owner)
    seed_sample_data(engine)
    return engine


SAMPLE_SEEDERS = ("feedback.tracker.seed", "feedback.tracker.targets", "feedback.roundtables.seed",
                  "feedback.audits.seed")


def seed_sample_data(engine) -> None:
    """Load each area's embedded sample data into an empty database (idempotent)."""
    import importlib

    for name in SAMPLE_SEEDERS:
        importlib.import_module(name).seed_if_empty(engine)


from ui.navigation import ensure_app_router  # noqa: E402 - after the helpers it hands over to

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
