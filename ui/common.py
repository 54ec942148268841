"""UI helpers shared by every page: the region selector, who is signed in (or,
in local mode, who is editing), download buttons, error display, page parts
that fail on their own (:func:`error_boundary`), and the database engine.

Text from files or people goes through :func:`feedback.validation.markdown_literal`
before any element that reads Markdown (labels, captions, messages, expanders, tabs, help).

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

from feedback import access, isolation
from feedback.errors import InputError, Refused
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
SIGNED_IN_KEY = "access_signed_in_logged"
LOCAL_MODE = "Local mode: anyone who can open this address can edit"
log = logging.getLogger("feedback.pages")


@contextmanager
def error_boundary(what: str) -> Iterator[None]:
    """Run one part of a page so that an unexpected error there shows one line in its place
    and the rest of the page (and every other page) keeps working.

    ``with error_boundary("The themes chart"): ...``. Bad input (``InputError``) shows its own
    message; anything else is logged with its traceback for the server's operator.
    Streamlit's own stop and rerun pass through (they are not ``Exception``).
    """
    try:
        yield
    except InputError as err:
        st.error(markdown_literal(err), icon=":material/error:")
    except Exception as err:  # noqa: BLE001 - the point: one failing part never takes the page down
        log.exception("Page section failed: %s", what)
        st.error(f"{markdown_literal(what)} could not be shown because of an unexpected problem "
                 f"({type(err).__name__}). The rest of the page still works.", icon=":material/error:")


def sidebar() -> None:
    """Draw the controls every page shares. Called once per run by app.py.

    With ``[auth]`` in the secrets, nobody sees any page before signing in;
    without it (local mode) the sidebar says that anyone can edit.
    """
    if auth_configured() and not _logged_in():
        sign_in_page()
        st.stop()
    with st.sidebar:
        st.selectbox(
            "Region",
            [ALL_REGIONS, *REGIONS],
            key=REGION_KEY,
            bind="query-params",
            help="Every page shows this region only. The choice is kept in the page address, "
            "so you can bookmark your region's view.",
        )
        user = current_user()
        if not auth_configured():
            st.text_input(
                "Your name",
                key=USER_KEY,
                max_chars=NAME_LENGTH,
                help="Recorded against every change you make (sign-in is not configured).",
            )
            st.warning(LOCAL_MODE, icon=":material/lock_open:")
        elif user is not None:
            _log_sign_in(user)
            st.text(f"Signed in as {user.label}: {user.role_words}.")  # plain text: no Markdown from the ID token
            if st.button("Sign out", key="access_sign_out", icon=":material/logout:"):
                from feedback import access_log

                access_log.record(db_engine(), user, access_log.SIGN_OUT, "signed out", user.region)
                st.logout()
def auth_configured() -> bool:
    """True when ``[auth]`` is in the secrets: people sign in, and roles apply."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file: local mode
        return False


def _logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # noqa: BLE001 - st.user raises when auth is not configured
        return False


def sign_in_page() -> None:
    st.title("Panel feedback analysis")
    st.markdown("Sign in with your organisation account to see the surveys, roundtables, the response "
                "tracker and the audits. What you may change depends on the role an admin gave you.")
    if st.button("Sign in", type="primary", icon=":material/login:", key="access_sign_in"):
        st.login()


def role_rules() -> access.RoleRules:
    """The ``[roles]`` section of the secrets, checked (a mistake there stops the app with one line)."""
    try:
        section = st.secrets.get("roles")
    except Exception:  # noqa: BLE001 - no secrets file
        section = None
    try:
        return access.role_rules(section.to_dict() if hasattr(section, "to_dict") else section)
    except InputError as err:
        st.error(str(err), icon=":material/error:")
        st.stop()
        raise


def _log_sign_in(user: access.User) -> None:
    """One access-log entry per sign-in: keyed by the ID token's issue time, so reloads are not counted."""
    if st.session_state.get(SIGNED_IN_KEY):
        return
    from feedback import access_log

    what = f"signed in (ID token issued at {st.user.get('iat', 'unknown')})"
    engine = db_engine()
    if not access_log.signed_in_before(engine, user, what):
        access_log.record(engine, user, access_log.SIGN_IN, what, user.region)
    st.session_state[SIGNED_IN_KEY] = True


def current_region() -> str | None:
    """The region chosen in the sidebar, or None for all of England."""
    region = st.session_state.get(REGION_KEY, ALL_REGIONS)
    return None if region in (None, ALL_REGIONS) else region


def page_title(text: str, where: str | None = None) -> None:
    """The page heading, naming the region shown ("Panel response tracker: London"; the region's
    words escaped). ``where``: the region's words when they are not just the sidebar's region."""
    where = where or current_region()
    st.title(f"{text}: {markdown_literal(where)}" if where else text)


# ``**KEPT_IN_ADDRESS`` on a widget keeps its choice in the page address, so a bookmark or an
# e-mailed link reopens that view.
KEPT_IN_ADDRESS = {"bind": "query-params"}


def region_label() -> str:
    """Plain words for the current region, for titles and captions."""
    return current_region() or "England (all regions)"


def current_user() -> access.User | None:
    """Who is acting. Signed in: name, e-mail and role from the ID token and ``[roles]``.
    Local mode: the name typed in the sidebar (None until one is typed), who may do anything."""
    if auth_configured():
        if not _logged_in():
            return None
        return access.signed_in_user(st.user.to_dict(), role_rules())
    try:  # NFC, no invisible or direction-changing characters, at most 200 characters
        name = clean_name(st.session_state.get(USER_KEY, ""))
    except InputError:
        return None  # too long: counts as no name, so the page asks again
    return access.User(name=name) if name else None


def require_user() -> access.User | None:
    """The person acting, or None after telling them to give their name (local mode)."""
    user = current_user()
    if user is None:
        st.warning("Type your name in the sidebar first: every change records who made it.")
    return user


def may(action: str, regions=None) -> bool:
    """Whether the person may do ``action`` on records of ``regions`` (pages hide forms otherwise).
    Local mode: yes (the service still needs a typed name)."""
    user = current_user()
    return user is None and not auth_configured() or user is not None and user.can(action, regions)


def may_edit_some() -> bool:
    """Whether the person may change at least some records (viewers: no)."""
    user = current_user()
    return not auth_configured() or (user is not None and user.can_edit)


def edit_allowed(regions=None, *, what: str = "records", action: str = access.EDIT) -> bool:
    """``may(action, regions)``; when not, say why in a caption (instead of a form)."""
    if may(action, regions):
        return True
    try:
        access.require(current_user() or access.User(name="", role=access.VIEWER), action, regions, what=what)
    except Refused as err:
        st.caption(str(err))
    return False


def show_input_error(err: Exception) -> None:
    """Show a bad-input error or a refusal as plain text (never HTML, never a traceback)."""
    known = isinstance(err, (InputError, Refused))
    st.error(markdown_literal(err) if known else f"Something went wrong ({type(err).__name__}).",
             icon=":material/block:" if isinstance(err, Refused) else ":material/error:")


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


def logged_export(make, name: str):
    """``make`` (a callable giving the file's bytes) that first writes the export to the access log.

    Who and which region are taken now, while the page runs; the file is made,
    and the entry written, only when the person clicks the download.
    """
    user, region = current_user(), current_region()

    def run():
        from feedback import access_log

        data = make()
        access_log.record(db_engine(), user or "(no name given)", access_log.EXPORT, name, region)
        return data

    return run


def download_chart(chart, name: str, *, alt: str, key: str | None = None) -> None:
    """PNG (200 ppi) and SVG download buttons for a chart, with its alt text alongside."""
    from feedback.charts import chart_png, chart_svg

    slug = _slug(name)
    key = key or slug
    col1, col2 = st.columns(2)
    # Rendered only when clicked (callables): vl-convert takes ~0.2-0.6 s per image, too slow for every rerun.
    col1.download_button("Download chart (PNG)", logged_export(lambda: chart_png(chart), f"{name} (PNG)"),
                         file_name=f"{slug}.png",
                         mime="image/png", key=f"png_{key}", on_click="ignore", icon=":material/image:")
    col2.download_button("Download chart (SVG)", logged_export(lambda: chart_svg(chart, desc=alt), f"{name} (SVG)"),
                         file_name=f"{slug}.svg",
                         mime="image/svg+xml", key=f"svg_{key}", on_click="ignore", icon=":material/draw:")
    with st.expander("Alt text for this chart"):
        st.text(alt)


def download_table(df: pd.DataFrame, name: str, *, notes: list[str] | tuple[str, ...] = (),
                   percent_columns: tuple[str, ...] = (), key: str | None = None) -> None:
    """CSV, XLSX and ODS download buttons for a table (text cells neutralised against formulas)."""
    from feedback.export import percent_csv_bytes, to_xlsx_bytes, xlsx_to_ods

    slug = _slug(name)
    key = key or slug
    col1, col2, col3 = st.columns(3)
    # Built only when clicked (callables), so a rerun does not pay for openpyxl.
    col1.download_button("Download table (CSV)",
                         logged_export(lambda: percent_csv_bytes(df, percent_columns), f"{name} (CSV)"),
                         file_name=f"{slug}.csv",
                         mime="text/csv", key=f"csv_{key}", on_click="ignore", icon=":material/table:")
    col2.download_button(
        "Download table (XLSX)",
        logged_export(lambda: to_xlsx_bytes({name[:31] or "Table": df}, notes=list(notes),
                                            percent_columns=percent_columns), f"{name} (XLSX)"),
        file_name=f"{slug}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}", on_click="ignore", icon=":material/grid_on:",
    )
    col3.download_button(
        "Download table (ODS)",
        logged_export(lambda: xlsx_to_ods(to_xlsx_bytes({name[:31] or "Table": df}, notes=list(notes),
                                                        percent_columns=percent_columns)), f"{name} (ODS)"),
        file_name=f"{slug}.ods", mime="application/vnd.oasis.opendocument.spreadsheet",
        key=f"ods_{key}", on_click="ignore", icon=":material/grid_on:",
    )


@st.cache_resource(show_spinner="Opening the database (the first time, loading the sample data)…")
def db_engine():
    """One engine per server process (connection pool only: no personal data).

    The database URL comes from FEEDBACK_DATABASE_URL or Streamlit secrets
    (``database_url``); otherwise the embedded SQLite file. Migrations run as the
    owner (FEEDBACK_OWNER_DATABASE_URL or ``owner_database_url``) when one is given. The schema is
    upgraded to the latest migration on first use.
    """
    import os

    from feedback import db

    try:
        secret = st.secrets.get("database_url")
        owner = st.secrets.get("owner_database_url")  # PostgreSQL: the tables' owner, for migrations
    except Exception:  # noqa: BLE001 - no secrets file is the normal case
        secret = owner = None
    from feedback import sample_data

    engine = db.get_engine(db.database_url(secret))
    sample_data.prepare(engine, owner_url=os.environ.get(db.OWNER_ENV_VAR) or owner)
    return engine


# ---------------------------------------------------------------- uploads parsed in a child process
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
