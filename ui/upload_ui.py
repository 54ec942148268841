"""Streamlit glue for the Upload page's codebook: one small form per question (text,
kind, positive answers ticked on the answer distribution, answers left out of the
base, base question) and the preview table. What the values mean, and every check,
is in ``feedback.survey.codebook_form``; this module only draws and gathers.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from feedback.survey import codebook_form as form
from feedback.survey.answers import answer_key
from ui import common


def _answer_key(answer: str) -> str:
    """A widget key part for an answer: stable whatever the answer's characters."""
    return hashlib.sha1(answer_key(answer).encode("utf-8")).hexdigest()[:10]


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _settle(values: dict) -> None:
    """After a tick: the question is settled once its positive answers are ticked."""
    values["check"] = form.to_question(values).check


def _tick(values: dict, answer: str, widget: str) -> None:
    """A positive answer ticked or unticked (run before the page, so it is drawn settled)."""
    keep = [a for a in values.get("positive", []) if answer_key(a) != answer_key(answer)]
    values["positive"] = keep + [answer] if st.session_state.get(widget) else keep
    _settle(values)


def _confirm(values: dict, widget: str) -> None:
    values["confirmed"] = bool(st.session_state.get(widget))
    _settle(values)


def question_form(i: int, values: dict, dist: pd.DataFrame | None, key: str, ids: list[str], short: str = ""):
    """Draw question ``i``'s form inside its own expander; returns (its values as edited,
    a placeholder for its preview line). ``dist``: its column's answers with counts and
    weighted shares (None when the column is not in the data). ``ids``: every question's id;
    ``short``: its text without a lead-in shared with other questions (a grid's row, an option)."""
    k = f"{i}_{key[:12]}"
    v = values  # edited in place: the page keeps it for the session
    waiting = v.get("check") == "why"
    label = f"{v['id']}: {_short(short or v.get('text') or v['column'])}"
    with st.expander(common.markdown_literal(label + (" (tick its positive answers)" if waiting else "")),
                     expanded=bool(v.get("asked", waiting)), key=f"cb_q{k}_open",
                     icon=":material/warning:" if waiting else None):
        v.setdefault("asked", waiting)  # opened while it waited: stays open once settled
        c1, c2, c3 = st.columns([1, 2, 2])
        v["use"] = c1.checkbox("Use this question", value=bool(v.get("use", True)), key=f"cb_q{k}_use")
        v["id"] = c2.text_input("Id", value=v["id"], key=f"cb_q{k}_id", max_chars=64,
                                help="Short; the same id in two surveys lets them be compared.")
        kinds = list(form.KINDS)
        v["kind"] = c3.selectbox("Kind", kinds, index=kinds.index(v["kind"]) if v["kind"] in kinds else 0,
                                 format_func=form.kind_label, key=f"cb_q{k}_kind")
        v["text"] = st.text_input("Question text", value=v.get("text") or "", key=f"cb_q{k}_text")
        st.caption(common.markdown_literal(f"Column in the file: {v['column']}"))
        if dist is None:
            st.error(common.markdown_literal(f"The column {v['column']} is not in the data."), icon=":material/error:")
            return v, st.empty()
        if waiting:
            st.warning("The suggestion could not tell which of these answers are favourable. Tick the positive "
                       "answers: the question's figure is the share giving one of them.", icon=":material/warning:")
        dist = form.with_named(dist, [*v.get("positive", []), *v.get("exclude", [])])
        ticked = {answer_key(a) for a in v.get("positive", [])}
        weighted = "weighted share" if dist.attrs.get("weighted") else "share"
        st.markdown(f"**Positive answers** (each answer with its count and {weighted} of those answering)")
        for row in dist.itertuples(index=False):
            share = "" if row.share != row.share else f", {100 * row.share:.1f}%"
            widget = f"cb_q{k}_pos_{_answer_key(row.answer)}"
            # Only the answer is escaped: the numbers need none, and the label is also what a screen reader says.
            st.checkbox(f"{common.markdown_literal(row.answer)} "
                        f"({row.count:,} answer{'s' if row.count != 1 else ''}{share})",
                        value=answer_key(row.answer) in ticked,
                        key=widget, on_change=_tick, args=(v, row.answer, widget))
        if dist.attrs.get("missing"):
            st.caption(f"No answer: {dist.attrs['missing']:,}.")
        if waiting and v.get("positive"):
            widget = f"cb_q{k}_confirm"
            st.checkbox("These are the positive answers", value=bool(v.get("confirmed")), key=widget,
                        on_change=_confirm, args=(v, widget),
                        help="The suggestion ticked these, but could not be sure: confirm them or change them.")
        answers = dist["answer"].tolist()
        by_key = {answer_key(a): a for a in answers}
        c4, c5 = st.columns(2)
        v["exclude"] = c4.multiselect(
            "Left out of the base", answers, default=[by_key[answer_key(a)] for a in v.get("exclude", [])
                                                      if answer_key(a) in by_key],
            key=f"cb_q{k}_exclude", placeholder="None: every answer counts",
            help="Answers not counted at all, e.g. \"Prefer not to say\". \"Don't know\" stays in the base "
                 "unless you choose it here.")
        others = [q for q in ids if q and q != v["id"]]
        base = v.get("base_question") or ""
        options = ["", *others] if base in ("", *others) else ["", base, *others]
        v["base_question"] = c5.selectbox("Asked only of those positive on", options, index=options.index(base),
                                          format_func=lambda q: q or "Nobody: asked of everyone",
                                          key=f"cb_q{k}_base")
        v["base_label"] = st.text_input("Base label", value=v.get("base_label") or "", key=f"cb_q{k}_label",
                                        help="How the base is described under the figure, e.g. All respondents.")
        return v, st.empty()


def preview_table(rows: pd.DataFrame) -> None:
    """The preview as a table (every question's positive share, base and what is missing)."""
    shown = pd.DataFrame({  # the figures first: a wrong one shows without scrolling sideways
        "Question id": rows["question"], "Positive (%)": 100 * rows["p"],
        "Unweighted base": rows["n"].where(rows["note"] == "", None), "Weighted base": rows["base_weighted"],
        "Positive answers": rows["positive"], "Still to do": rows["note"], "Question": rows["question_text"]})
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "Positive (%)": st.column_config.NumberColumn(format="%.1f"),
        "Weighted base": st.column_config.NumberColumn(format="%.1f")})
