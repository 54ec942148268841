"""Survey and roundtable feedback analysis for the Child Safeguarding Practice Review Panel.

Plain Python: nothing here imports Streamlit, so every figure the app shows can be
reproduced by a function call or by the command line (`python -m feedback ...`).
"""

__version__ = "0.1.0"
