"""Entry point: `streamlit run app.py`. Sets up the page, the sidebar region
selector shared by every page, and the navigation. No statistics here."""

import streamlit as st

from ui import common

st.set_page_config(page_title="Panel feedback analysis", page_icon=":material/insights:", layout="wide")

SECTIONS = {
    "Survey": [
        ("pages/overview.py", "Overview", ":material/dashboard:"),
        ("pages/results.py", "Results by role", ":material/bar_chart:"),
        ("pages/compare.py", "Compare", ":material/compare_arrows:"),
        ("pages/trends.py", "Trends", ":material/trending_up:"),
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
}

page = st.navigation({
    section: [st.Page(path, title=title, icon=icon, default=(path == "pages/overview.py")) for path, title, icon in pages]
    for section, pages in SECTIONS.items()
})
common.sidebar()
page.run()
