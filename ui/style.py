"""The app's own styles (ui/style.css): caption contrast, visible keyboard focus and
the sidebar page links. Colours that the theme can set are in .streamlit/config.toml."""

from pathlib import Path

import streamlit as st

CSS = Path(__file__).with_name("style.css")


def apply() -> None:
    """Add the styles to this run (style-only HTML takes no space on the page)."""
    st.html(CSS)
