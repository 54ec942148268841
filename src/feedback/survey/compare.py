"""Differences between two groups, or between two audiences, question by question.

Works on results frames (the output of ``rates_by_group`` or of the data-tables
reader), so the same call compares two roles of one survey or the partners'
and the frontline survey's totals on their shared question ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.survey.intervals import check_level
from feedback.survey.significance import (adjust_pvalues, check_adjust, difference_interval, mark,
                                          two_proportion_test)

COMPARE_COLUMNS = ["question", "question_text", "group_a", "group_b", "p_a", "p_b", "n_eff_a", "n_eff_b",
                   "diff", "diff_low", "diff_high", "z", "p_value", "p_adj", "sig", "level", "adjust"]


def _pick(results: pd.DataFrame, group) -> tuple[pd.DataFrame, str | None]:
    """Rows of one group: ``group`` is a label or a (by, label) pair."""
    by, label = group if isinstance(group, tuple) else (None, group)
    rows = results[results["group"] == label]
    if by is not None:
        rows = rows[rows["by"] == by]
    if rows.empty:
        raise InputError(f"group {label!r} is not in the results: choose one of "
                         f"{', '.join(map(str, results['group'].unique()))}")
    if rows["question"].duplicated().any():
        raise InputError(f"group {label!r} appears in several groupings "
                         f"({', '.join(rows['by'].unique())}): give it as (by, group)")
    return rows, rows["by"].iloc[0]


def compare_groups(a: pd.DataFrame, b: pd.DataFrame | None = None, *, group_a="Total", group_b="Total",
                   label_a: str | None = None, label_b: str | None = None, level: float | None = None,
                   adjust: str = "holm") -> pd.DataFrame:
    """p_a - p_b per shared question, with Newcombe interval, z test and adjusted p.

    ``b`` defaults to ``a`` (two groups of one survey; they must not overlap,
    so both come from the same grouping). The adjustment treats all the
    questions compared as one family. ``sig`` is "higher" when group a is
    significantly higher than group b.
    """
    adjust = check_adjust(adjust)
    same = b is None or b is a
    b = a if b is None else b
    rows_a, by_a = _pick(a, group_a)
    rows_b, by_b = _pick(b, group_b)
    if same and (by_a != by_b or by_a == "total"):
        raise InputError("the two groups overlap (they come from different groupings of the same survey, "
                         "or one is the total): compare groups of one grouping, or use the test against "
                         "the rest of the sample")
    if level is None:
        level = float(rows_a["level"].iloc[0]) if "level" in rows_a else 0.95
    level = check_level(level)
    keep = ["question", "question_text", "group", "p", "n_eff"]
    pairs = rows_a[keep].merge(rows_b[keep], on="question", suffixes=("_a", "_b"))
    if pairs.empty:
        raise InputError("the two sets of results share no question ids: nothing to compare")
    p_a, n_a, p_b, n_b = (pairs[c].to_numpy(dtype=float) for c in ("p_a", "n_eff_a", "p_b", "n_eff_b"))
    diff, low, high = difference_interval(p_a, n_a, p_b, n_b, level)
    z, p_value = two_proportion_test(p_a, n_a, p_b, n_b)
    p_adj = adjust_pvalues(p_value, np.zeros(len(pairs), dtype=int), adjust)
    return pd.DataFrame({
        "question": pairs["question"], "question_text": pairs["question_text_a"],
        "group_a": label_a or pairs["group_a"], "group_b": label_b or pairs["group_b"],
        "p_a": p_a, "p_b": p_b, "n_eff_a": n_a, "n_eff_b": n_b, "diff": diff, "diff_low": low,
        "diff_high": high, "z": z, "p_value": p_value, "p_adj": p_adj, "sig": mark(diff, p_adj, level),
        "level": level, "adjust": adjust,
    })[COMPARE_COLUMNS].reset_index(drop=True)
