"""Differences between two groups, or between two audiences, question by question.

Works on results frames (the output of ``rates_by_group`` or of the data-tables
reader), so the same call compares two roles of one survey or the partners'
and the frontline survey's totals on their shared question ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.intervals import check_level
from feedback.survey.significance import (
    UNTESTABLE,
    _row_tests,
    adjust_pvalues,
    at_boundary,
    check_adjust,
    mark,
    pair_statistics,
    rao_scott_test,
    refuse_raked,
    results_test,
    untestable,
)

COMPARE_COLUMNS = ["question", "question_text", "group_a", "group_b", "p_a", "p_b", "n_eff_a", "n_eff_b",
                   "diff", "diff_low", "diff_high", "se", "t", "df", "p_value", "p_adj", "sig", "test", "level",
                   "adjust"]


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
                   adjust: str = "holm", test: str | None = None) -> pd.DataFrame:
    """p_a - p_b per shared question, with interval, test and adjusted p.

    ``test``: ``design`` (default unless the results say otherwise: the
    difference over sqrt(se_a² + se_b²) on t with n_a + n_b - 2 degrees of
    freedom, interval diff ± t·se; two groups of one survey share no
    respondent, and two surveys are independent samples) or
    ``effective-base`` (pooled z on Kish bases, Newcombe interval; data tables
    always). ``t`` holds z for the latter.

    ``b`` defaults to ``a`` (two groups of one survey; they must not overlap,
    so both come from the same grouping). The adjustment treats all the
    questions compared as one family. ``sig`` is "higher" when group a is
    significantly higher than group b.
    """
    adjust = check_adjust(adjust)
    same = b is None or b is a
    if same:  # two groups of one raked survey covary; two surveys are independent samples, raked or not
        refuse_raked(a, allow_calibrated=False)
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
    test = results_test(a, test)
    keep = ["question", "question_text", "group", "p", "se", "n", "n_eff", "_test", "base_weighted", "sw2_pos",
            "sw2_neg", "n_design"]
    rows_a = rows_a.assign(_test=_row_tests(rows_a, test), se=rows_a.get("se", np.nan),
                           **{c: rows_a.get(c, np.nan) for c in keep[-4:]})
    rows_b = rows_b.assign(_test=_row_tests(rows_b, test), se=rows_b.get("se", np.nan),
                           **{c: rows_b.get(c, np.nan) for c in keep[-4:]})
    pairs = rows_a[keep].merge(rows_b[keep], on="question", suffixes=("_a", "_b"))
    if pairs.empty:
        raise InputError("the two sets of results share no question ids: nothing to compare")
    col = lambda c: pairs[c].to_numpy(dtype=float)  # noqa: E731
    args = [col(c) for c in ("p_a", "se_a", "n_a", "n_eff_a", "p_b", "se_b", "n_b", "n_eff_b")]
    design = ((pairs["_test_a"] == "design") & (pairs["_test_b"] == "design")).to_numpy()
    by_design = pair_statistics(*args, test="design", level=level)
    by_base = pair_statistics(*args, test="effective-base", level=level)
    stat = {k: np.where(design, by_design[k], by_base[k]) for k in by_design}
    # Two groups of one survey: Rao-Scott on their subset where the design test cannot hold (a side at 0% or
    # 100%), or everywhere under "rao-scott"; two surveys are independent samples and keep the t test.
    use_rs = design & same & np.isfinite(col("sw2_pos_a")) & np.isfinite(col("sw2_pos_b"))
    use_rs &= (test == "rao-scott") | ((test == "design") & at_boundary(args[0], args[4]))
    if use_rs.any():
        nu = col("n_design_a") + col("n_design_b") - 1
        root, p_rs = rao_scott_test(args[0], col("base_weighted_a"), col("sw2_pos_a"), col("sw2_neg_a"), args[4],
                                    col("base_weighted_b"), col("sw2_pos_b"), col("sw2_neg_b"), nu)
        stat["t"], stat["df"], stat["p_value"] = (np.where(use_rs, x, stat[k]) for x, k in
                                                  ((root, "t"), (nu, "df"), (p_rs, "p_value")))
    none = untestable(args[0], args[4])
    stat["t"], stat["df"], stat["p_value"] = (np.where(none, np.nan, stat[k]) for k in ("t", "df", "p_value"))
    p_adj = adjust_pvalues(stat["p_value"], np.zeros(len(pairs), dtype=int), adjust)
    return pd.DataFrame({
        "question": pairs["question"], "question_text": pairs["question_text_a"],
        "group_a": label_a or pairs["group_a"], "group_b": label_b or pairs["group_b"],
        "p_a": args[0], "p_b": args[4], "n_eff_a": args[3], "n_eff_b": args[7], "diff": stat["diff"],
        "diff_low": stat["ci_low"], "diff_high": stat["ci_high"], "se": stat["se"], "t": stat["t"],
        "df": stat["df"], "p_value": stat["p_value"], "p_adj": p_adj,
        "sig": np.where(none, UNTESTABLE, mark(stat["diff"], p_adj, level)),
        "test": np.where(use_rs, "rao-scott", np.where(design, "design", "effective-base")), "level": level,
        "adjust": adjust,
    })[COMPARE_COLUMNS].reset_index(drop=True)
