"""Streamlit pages. Thin: widgets and layout only; every number comes from src/feedback."""
