"""Tests of differences between groups, on effective bases, with multiplicity control.

Weighted groups are compared as two independent samples whose sizes are their
Kish effective bases: the pooled two-proportion z test (statsmodels'
``proportions_ztest`` exactly, on unweighted data) and Newcombe's hybrid score
interval for the difference (``confint_proportions_2indep(method="newcomb")``).
Both need only p and the effective base of each side, so they work on any
results frame, including one read from published data tables.

A family for Holm / Benjamini-Hochberg is one question within one grouping
(e.g. the four roles on "heard of the Panel"): that is the set a reader scans
when looking for the group that stands out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr  # not scipy.stats: see intervals.py

from feedback.errors import InputError
from feedback.survey.intervals import check_level, proportion_interval

ADJUSTMENTS = ("holm", "bh", "none")


def check_adjust(adjust: str | None) -> str:
    """Canonical name of a multiple-comparison adjustment."""
    key = "none" if adjust is None else str(adjust).strip().lower()
    key = {"fdr_bh": "bh", "benjamini-hochberg": "bh", "": "none", "no": "none"}.get(key, key)
    if key not in ADJUSTMENTS:
        raise InputError(f"unknown adjustment {adjust!r}: use one of {', '.join(ADJUSTMENTS)}")
    return key


def two_proportion_test(p1, n1, p2, n2):
    """Pooled two-proportion z test on effective bases: (z, two-sided p-value).

    Identical proportions with no variation (both 0% or both 100%) give
    z = 0 and p = 1 rather than 0/0.
    """
    p1, n1, p2, n2 = (np.asarray(a, dtype=float) for a in (p1, n1, p2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        diff = p1 - p2
        z = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.nan))
    ok = np.isfinite(p1) & np.isfinite(p2) & (n1 > 0) & (n2 > 0)
    z = np.where(ok, z, np.nan)
    return z, 2 * ndtr(-np.abs(z))  # norm.sf


def difference_interval(p1, n1, p2, n2, level: float = 0.95):
    """Newcombe's hybrid score interval for p1 - p2: (diff, low, high)."""
    l1, u1 = proportion_interval(p1, n1, "wilson", level)
    l2, u2 = proportion_interval(p2, n2, "wilson", level)
    diff = np.asarray(p1, dtype=float) - np.asarray(p2, dtype=float)
    low = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, low, high


def adjust_pvalues(p_values, families, method: str = "holm") -> np.ndarray:
    """Holm or Benjamini-Hochberg adjusted p-values within each family, all at once.

    ``families`` labels each p-value (any hashable per element, or an array of
    codes); NaN p-values are left out of their family's count and stay NaN.
    Equal to statsmodels' ``multipletests`` applied family by family.
    """
    method = check_adjust(method)
    p = np.asarray(p_values, dtype=float).ravel()
    if method == "none" or p.size == 0:
        return p.copy()
    fam = pd.factorize(pd.Series(np.asarray(families).ravel()))[0]
    frame = pd.DataFrame({"fam": fam, "p": p})
    frame = frame[frame["p"].notna()].sort_values(["fam", "p"], kind="mergesort")
    group = frame.groupby("fam", sort=False)["p"]
    m = group.transform("size").to_numpy(dtype=float)
    rank = group.cumcount().to_numpy(dtype=float) + 1  # 1 = smallest
    if method == "holm":
        scaled = pd.Series((m - rank + 1) * frame["p"].to_numpy(), index=frame.index)
        adjusted = scaled.groupby(frame["fam"].to_numpy(), sort=False).cummax()
    else:
        scaled = pd.Series(m / rank * frame["p"].to_numpy(), index=frame.index)
        reverse = scaled.iloc[::-1]
        adjusted = reverse.groupby(frame["fam"].to_numpy()[::-1], sort=False).cummin().iloc[::-1]
    out = np.full(p.size, np.nan)
    out[adjusted.index.to_numpy()] = np.minimum(adjusted.to_numpy(), 1.0)
    return out


def mark(diff, p_adj, level: float) -> np.ndarray:
    """'higher' / 'lower' where the adjusted p-value is below 1 - level, else ''."""
    diff = np.asarray(diff, dtype=float)
    sig = np.asarray(p_adj, dtype=float) < 1 - check_level(level)
    return np.where(sig & (diff > 0), "higher", np.where(sig & (diff < 0), "lower", ""))


PAIRWISE_COLUMNS = ["question", "by", "group_a", "group_b", "p_a", "p_b", "n_eff_a", "n_eff_b",
                    "diff", "diff_low", "diff_high", "z", "p_value", "p_adj", "sig", "level", "adjust"]


def pairwise(results: pd.DataFrame, by: str | None = None, level: float | None = None,
             adjust: str = "holm") -> pd.DataFrame:
    """Every pair of groups within each grouping of a results frame.

    ``sig`` says whether group_a is significantly "higher" or "lower" than
    group_b. Suppressed groups ([c], p missing) and the total are left out.
    ``level`` defaults to the results' own level.
    """
    adjust = check_adjust(adjust)
    rows = results[(results["by"] != "total") & results["p"].notna()]
    if by is not None:
        rows = rows[rows["by"] == by]
    if level is None:
        level = float(results["level"].iloc[0]) if len(results) else 0.95
    level = check_level(level)
    rows = rows.assign(_order=np.arange(len(rows)))[["question", "by", "group", "p", "n_eff", "_order"]]
    pairs = rows.merge(rows, on=["question", "by"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["_order_a"] < pairs["_order_b"]].sort_values(["_order_a", "_order_b"])
    p_a, n_a, p_b, n_b = (pairs[c].to_numpy(dtype=float) for c in ("p_a", "n_eff_a", "p_b", "n_eff_b"))
    diff, low, high = difference_interval(p_a, n_a, p_b, n_b, level)
    z, p_value = two_proportion_test(p_a, n_a, p_b, n_b)
    families = pairs["question"].astype(str) + "\x1f" + pairs["by"].astype(str)
    p_adj = adjust_pvalues(p_value, families.to_numpy(), adjust)
    out = pd.DataFrame({
        "question": pairs["question"].to_numpy(), "by": pairs["by"].to_numpy(),
        "group_a": pairs["group_a"].to_numpy(), "group_b": pairs["group_b"].to_numpy(),
        "p_a": p_a, "p_b": p_b, "n_eff_a": n_a, "n_eff_b": n_b,
        "diff": diff, "diff_low": low, "diff_high": high, "z": z, "p_value": p_value, "p_adj": p_adj,
        "sig": mark(diff, p_adj, level), "level": level, "adjust": adjust,
    })
    return out[PAIRWISE_COLUMNS].reset_index(drop=True)
