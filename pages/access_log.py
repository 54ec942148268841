"""Access log (admins only): who signed in and out, which actions were refused,
and every import and export, newest first, with a download of what is shown.

The log itself is append-only (the database refuses to change or delete its
rows), like the history of changes.
"""

from __future__ import annotations

import streamlit as st

from feedback import access, access_log
from feedback.errors import Refused
from ui import common, navigation

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

engine = common.db_engine()
st.title("Access log")
try:
    access.require(common.current_user() or "", access.SEE_ACCESS_LOG, log=access_log.refusals(engine))
except Refused as err:
    common.show_input_error(err)
    st.stop()

st.caption("Sign-ins and sign-outs, refused actions, imports and exports: who, when (UTC), what and which "
           "region. Entries cannot be changed or deleted.")
events = st.multiselect("Show", access_log.EVENTS, default=list(access_log.EVENTS), key="access_log_events")
log = access_log.entries(engine, events=tuple(events))
shown = log.assign(when=log["when"].map(lambda t: f"{t:%Y-%m-%d %H:%M:%S}")).rename(columns={
    "when": "When (UTC)", "who": "Who", "email": "E-mail", "role": "Role", "event": "Event", "what": "What",
    "region": "Region"})
st.text(f"{len(shown):,} entries.")
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"What": st.column_config.TextColumn(width="large")})
common.download_table(shown, "Access log", key="access_log_table")
