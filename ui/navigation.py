"""The app's pages and the sidebar links to them.

Streamlit's own sidebar navigation is switched off (``client.showSidebarNavigation
= false`` in ``.streamlit/config.toml``) for two reasons: with sections it puts
headers inside its ``<ul>`` (invalid list markup that screen readers announce
wrongly), and on a freshly started server its legacy ``pages/`` mode would draw
a list of the app's Python file names for the first request. The links are
drawn here instead, with ``st.page_link``, one labelled group per section.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parents[1] / "app.py"

SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    "Survey": [
        ("pages/overview.py", "Overview", ":material/dashboard:"),
        ("pages/results.py", "Results by role", ":material/bar_chart:"),
        ("pages/compare.py", "Compare", ":material/compare_arrows:"),
        ("pages/tables.py", "Tables", ":material/table_view:"),
        ("pages/trends.py", "Trends", ":material/trending_up:"),
        ("pages/open_answers.py", "Open answers", ":material/rate_review:"),
        ("pages/upload.py", "Upload a survey", ":material/upload_file:"),
    ],
    "Roundtables": [
        ("pages/roundtables.py", "Roundtable notes", ":material/forum:"),
    ],
    "Panel responses": [
        ("pages/tracker.py", "Response tracker", ":material/task_alt:"),
        ("pages/tracker_data.py", "Import, export and backup", ":material/sync_alt:"),
    ],
    "Yearly reports": [
        ("pages/audits.py", "Yearly-report audits", ":material/fact_check:"),
    ],
    "Annual report": [
        ("pages/annex.py", "Annex builder", ":material/description:"),
    ],
    "About this app": [
        ("pages/accessibility.py", "Accessibility statement", ":material/accessibility_new:"),
    ],
}
# Only for people whose role may see the access log: the page itself checks the role too.
ADMIN: dict[str, list[tuple[str, str, str]]] = {
    "Admin": [("pages/access_log.py", "Access log", ":material/manage_search:")],
}
DEFAULT_PAGE = "pages/overview.py"


def sections(admin: bool = False) -> dict[str, list[tuple[str, str, str]]]:
    """Every page this person may open, by section."""
    return {**SECTIONS, **(ADMIN if admin else {})}


def app_pages(admin: bool = False) -> dict[str, list]:
    """The pages for ``st.navigation``, by section. Without their icons: the sidebar links draw
    those (from the font Streamlit serves), while a page's own ":material/...:" icon would become
    the browser tab's icon, fetched from fonts.gstatic.com (unreachable on an intranet)."""
    return {section: [st.Page(path, title=title, default=(path == DEFAULT_PAGE))
                      for path, title, _icon in pages]
            for section, pages in sections(admin).items()}


def navigation(admin: bool = False):
    """Register the pages (hidden: the sidebar links below are the visible menu) and
    return the page this request asks for."""
    global _app_routed
    page = st.navigation(app_pages(admin), position="hidden")
    _app_routed = True  # from now on Streamlit ignores the pages/ folder's legacy mode
    return page


def sidebar_links(admin: bool = False) -> None:
    """One group of page links per section, at the top of the sidebar."""
    with st.sidebar:
        with st.container(key="app_pages"):
            for section, pages in sections(admin).items():
                st.markdown(f"**{section}**")
                for path, title, icon in pages:
                    st.page_link(path, label=title, icon=icon, width="stretch")
        st.divider()


_app_routed = False  # app.py has registered the pages in this process
_router_lock = threading.Lock()


def route_through_app() -> None:
    """The first thing a page script does: make a bookmarked page address work on a freshly
    started server.

    Streamlit runs a folder named ``pages/`` in its legacy multipage mode until
    ``st.navigation`` has been called once in the process ("the pages/ directory is ignored
    once st.navigation is called"). So the first request after a start, say
    ``/results?region=London``, runs that page alone: no sidebar, no region. Calling
    ``st.navigation`` with the app's pages ends the legacy mode, and the rerun lets ``app.py``
    route the request. Once app.py has run in this process there is nothing to do; nor in a
    process that is not the app's server (AppTest runs a page script on its own on purpose).
    """
    global _app_routed
    with _router_lock:
        if _app_routed or not serving_app():
            return
        _app_routed = True
    navigation()
    st.rerun()


def serving_app() -> bool:
    """True in the app's server. ``streamlit run app.py`` (which serve.py runs) sets ``sys.argv``
    to the script and its arguments, as ``python app.py`` would; a test process, where AppTest
    runs the app's scripts, has its own."""
    return bool(sys.argv) and Path(sys.argv[0]).resolve() == APP
