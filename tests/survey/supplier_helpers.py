"""The supplier corpus read independently of the app: plain pandas (and pyreadstat for SPSS)
on the raw files, for figures to compare with the engine's.

Nothing here uses ``feedback``'s readers or engine. Each loader gives a frame whose columns
are the expected codebook's column names (an option of a multi-select as "Selected" /
"Not selected", missing when the respondent answered none of its options).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SUPPLIERS = Path(__file__).resolve().parents[1] / "fixtures" / "suppliers"
FILES = sorted(p for p in SUPPLIERS.iterdir() if p.suffix in (".csv", ".xlsx", ".sav"))


def _blank_to_na(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())


def _joined_option(cell: pd.Series, option: str, sep: str) -> pd.Series:
    """An option of a multi-select whose choices are joined in one cell."""
    text = cell.astype("string").str.rstrip(";") if sep == ";" else cell.astype("string")
    hit = (sep + text + sep).str.contains(sep + option + sep, regex=False)
    return pd.Series(np.where(hit.fillna(False), "Selected", "Not selected"), index=cell.index).where(cell.notna())


def _option_columns(frame: pd.DataFrame, group: list[str]) -> dict[str, pd.Series]:
    """One column per option, holding the option when chosen: answered = any option chosen."""
    answered = frame[group].notna().any(axis=1)
    return {c: pd.Series(np.where(frame[c].notna(), "Selected", "Not selected"), index=frame.index).where(answered)
            for c in group}


def _two_rows(grid: pd.DataFrame) -> pd.DataFrame:
    top, sub = grid.iloc[0], grid.iloc[1]
    stems = top.ffill()
    names = [str(s) if (pd.isna(b) or b in ("Response", "Open-Ended Response")) and pd.notna(t)
             else f"{s} [{b}]" for s, b, t in zip(stems, sub, top)]
    body = grid.iloc[2:].reset_index(drop=True)
    body.columns = names
    return body


def _spss(path: Path) -> pd.DataFrame:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)

    def text(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return frame.map(text)


def raw_frame(path: Path, columns: list[str]) -> pd.DataFrame:
    """The answers in ``columns`` (expected codebook's column names), read from the raw file."""
    name = path.name
    if name == "qualtrics_partners.csv":
        raw = _blank_to_na(pd.read_csv(path, skiprows=[1, 2], dtype=str, keep_default_na=False,
                                       encoding="utf-8-sig"))
        out = {}
        for c in columns:
            if c.startswith("Q5 ["):
                out[c] = _joined_option(raw["Q5"], c[4:-1], ",")
            else:
                out[c] = raw[c]
        return pd.DataFrame(out)
    if name == "qualtrics_frontline.sav":
        raw = _spss(path)
        group = [f"Q3_{k}" for k in range(1, 6)]
        return pd.DataFrame({**{c: raw[c] for c in columns if c not in group}, **_option_columns(raw, group)})[columns]
    if name in ("surveymonkey_partners.xlsx", "surveymonkey_frontline.csv"):
        grid = (pd.read_excel(path, header=None, dtype=object, engine="openpyxl") if name.endswith(".xlsx")
                else pd.read_csv(path, header=None, dtype=str, keep_default_na=False))
        raw = _blank_to_na(_two_rows(_blank_to_na(grid)))
        stem = next(c.split(" [")[0] for c in raw.columns if "(Select all that apply) [" in c)
        group = [c for c in raw.columns if c.startswith(stem + " [")]
        return pd.DataFrame({**{c: raw[c] for c in columns if c not in group}, **_option_columns(raw, group)})[columns]
    if name == "smartsurvey_practitioners.csv":
        raw = _blank_to_na(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))
        group = [c for c in raw.columns if c.startswith("4. ")]
        return pd.DataFrame({**{c: raw[c] for c in columns if c not in group}, **_option_columns(raw, group)})[columns]
    if name == "msforms_roundtable.xlsx":
        raw = _blank_to_na(pd.read_excel(path, dtype=object, engine="openpyxl"))
        stem = "Which parts of the session were most useful to you?"
        return pd.DataFrame({c: _joined_option(raw[stem], c[len(stem) + 2:-1], ";") if c.startswith(stem + " [")
                             else raw[c] for c in columns})
    if name == "googleforms_event.csv":
        raw = _blank_to_na(pd.read_csv(path, dtype=str, keep_default_na=False))
        stem = "Which topics should future events cover?"
        return pd.DataFrame({c: _joined_option(raw[stem], c[len(stem) + 2:-1], ", ") if c.startswith(stem + " [")
                             else raw[c] for c in columns})
    if name == "yougov_partners.csv":
        return _blank_to_na(pd.read_csv(path, dtype=str, keep_default_na=False))[columns]
    if name == "yougov_frontline.sav":
        return _spss(path)[columns]
    raise KeyError(name)


def independent_rates(path: Path, cb, labels: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Weighted share positive per question: total, by role, by region.

    Base: answered, not excluded, and (routed) positive on the base question.
    ``labels``: each grouping's label per respondent (row by row) when the app names groups
    differently from the raw file (one spelling of each region); by default the raw values.
    """
    columns = [q.column for q in cb.questions] + [c for c in (cb.role, cb.region, cb.weight) if c]
    raw = raw_frame(path, list(dict.fromkeys(columns)))
    weight = raw[cb.weight].astype(float).to_numpy() if cb.weight else np.ones(len(raw))
    positive, base = {}, {}
    for q in cb.questions:  # the codebook lists a routed question after its base
        answers = raw[q.column]
        b = answers.notna().to_numpy() & ~answers.isin(q.exclude).to_numpy()
        if q.base_question:
            b &= positive[q.base_question]
        base[q.id] = b
        positive[q.id] = b & answers.isin(q.positive).to_numpy()
    rows = []
    groupings = [("total", pd.Series("Total", index=raw.index))]
    groupings += [(by, (labels or {}).get(by, raw[col]).reset_index(drop=True).set_axis(raw.index))
                  for by, col in (("role", cb.role), ("region", cb.region)) if col]
    for by, grouping in groupings:
        for group in grouping.dropna().unique():
            inside = (grouping == group).to_numpy()
            for q in cb.questions:
                den = (weight * (base[q.id] & inside)).sum()
                num = (weight * (positive[q.id] & inside)).sum()
                rows.append({"question": q.id, "by": by, "group": str(group), "n": int((base[q.id] & inside).sum()),
                             "p": num / den if den > 0 else np.nan})
    return pd.DataFrame(rows)
