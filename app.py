"""Entry point: `streamlit run app.py`. Sets up the page, the navigation, the sidebar
region selector shared by every page, and the app's styles. No statistics here."""

import streamlit as st

from ui import common, navigation, style, warmup

st.set_page_config(page_title="Panel feedback analysis", page_icon=":material/insights:", layout="wide")

page = navigation.navigation()
style.apply()
navigation.sidebar_links()
common.sidebar()
try:
    page.run()
finally:
    warmup.start()  # after the first page is drawn: get the other pages ready in the background
