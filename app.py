"""Entry point: `streamlit run app.py`. Sets up the page, the navigation, the sidebar
region selector shared by every page, and the app's styles. No statistics here."""

from pathlib import Path

import streamlit as st

from feedback import access
from ui import common, navigation, style, warmup

# The browser tab's icon is the app's own file, served by the app: a ":material/...:" page icon
# makes the browser fetch it from fonts.gstatic.com, which an intranet without internet cannot reach.
ICON = Path(__file__).resolve().parent / "ui" / "icon.png"
st.set_page_config(page_title="Panel feedback analysis", page_icon=str(ICON), layout="wide")

show_admin = common.may(access.SEE_ACCESS_LOG)
page = navigation.navigation(admin=show_admin)
if page.url_path != "upload":
    from ui import survey_ui

    survey_ui.left_upload_page()
style.apply()
navigation.sidebar_links(admin=show_admin)
common.sidebar()
try:
    page.run()
finally:
    if navigation.serving_app():  # not in a test process: AppTest needs no forkserver
        warmup.start()  # after the first page is drawn, unless serve.py warmed the server up before it listened
