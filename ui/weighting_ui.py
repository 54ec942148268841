"""Upload page step "Weight to population": rake the upload to population margins.

The person enters (or uploads) population counts or shares for the categories
of one or more columns (role, region, ...); the step rakes the weights
(``feedback.survey.weighting.rake``), shows the diagnostics and the profile
before and after, and returns what the upload needs to use the raked design
on every page (``{"targets": CSV text, "cap": C}``, or ``{}``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from feedback.errors import InputError
from feedback.regions import with_regions_normalised
from feedback.survey.answers import display_label
from feedback.survey.notes import raking_notes
from feedback.survey.weighting import rake, read_targets

KEY = "upload_weighting"


def _categories(frame: pd.DataFrame, column: str, limit: int = 40) -> list[str]:
    values = frame[column].dropna().map(display_label)
    return sorted(v for v in values.unique() if v)[:limit]


def _starting_rows(frame: pd.DataFrame, codebook) -> pd.DataFrame:
    """One row per category of the codebook's role and region columns, targets to fill in."""
    rows = []
    for key in ("role", "region"):
        column = getattr(codebook, key, "") or ""
        if column and column in frame.columns:
            rows += [{"variable": key, "category": c, "target": None} for c in _categories(frame, column)]
    return pd.DataFrame(rows or [{"variable": "", "category": "", "target": None}],
                        columns=["variable", "category", "target"])


def weight_step(frame: pd.DataFrame, codebook) -> dict:
    """Render the step; return the upload's raking choices (empty when not weighting)."""
    # the regions as every page reads them (the Panel's spelling), so targets name them the same way
    frame, _ = with_regions_normalised(frame, getattr(codebook, "region", "") or "")
    st.header("Weight to population (optional)")
    st.write("A survey run on its own platform has no weights, and its respondents can over-represent some "
             "roles or regions. Give the population's counts (or shares summing to 1) for each category, and the "
             "weights are raked to them: every page then uses the raked weight, with standard errors that allow "
             "for the raking (as R's calibrate).")
    if not st.toggle("Weight this survey to population figures", key=f"{KEY}_on"):
        return {}
    given = st.file_uploader("Targets (CSV with columns variable, category, target)", type=["csv"],
                             key=f"{KEY}_file")
    pasted = st.text_area("Or paste the targets CSV", key=f"{KEY}_pasted", placeholder="variable,category,target\n"
                          "role,Social worker,0.4\n...")
    if given is not None:
        text = given.getvalue().decode("utf-8-sig", errors="replace")
    elif pasted.strip():
        text = pasted
    else:
        edited = st.data_editor(_starting_rows(frame, codebook), key=f"{KEY}_table", num_rows="dynamic",
                                hide_index=True, width="stretch", column_config={
                                    "variable": st.column_config.TextColumn(
                                        "Variable", help="role, region, or a column of the data"),
                                    "category": st.column_config.TextColumn("Category"),
                                    "target": st.column_config.NumberColumn(
                                        "Population count or share", min_value=0.0, format="%.6g")})
        filled = edited.dropna(subset=["target"])
        if filled.empty:
            st.info("Fill in the population figure of every category (or upload a CSV).", icon=":material/info:")
            return {}
        text = filled.to_csv(index=False)
    cap = st.number_input("Cap: no weight above this many times the mean (0 = no cap)", min_value=0.0,
                          value=0.0, step=0.5, key=f"{KEY}_cap")
    cap = float(cap) if cap > 1 else None
    try:
        raking = rake(frame, codebook, read_targets(text), cap=cap)
    except InputError as err:
        st.error(f"Cannot weight: {err}", icon=":material/error:")
        return {}
    d = raking.diagnostics()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Iterations", f"{d['iterations']}")
    c2.metric("Weighting efficiency", f"{d['weighting efficiency']:.1%}",
              help="1 / Kish's design effect: the effective base as a share of the respondents")
    c3.metric("Kish design effect", f"{d['Kish design effect']:.3f}")
    c4.metric("Weights", f"{d['smallest weight']:.3g} to {d['largest weight']:.3g}",
              help=f"{d['trimmed']} trimmed by the cap" if cap else "no cap")
    st.subheader("Profile: unweighted, weighted before, and raked, against the targets")
    profile = raking.profile()
    shares = ["unweighted", "weighted before", "raked", "target"]
    profile[shares] = profile[shares] * 100
    st.dataframe(profile, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(f"{c} (%)", format="%.1f") for c in shares})
    for note in raking_notes(raking):
        st.caption(note)
    st.download_button("Download these targets (CSV, for python -m feedback weight or rates --targets)", text,
                       file_name="targets.csv", mime="text/csv", on_click="ignore", key=f"{KEY}_download",
                       icon=":material/download:")
    return {"targets": text, "cap": cap}
