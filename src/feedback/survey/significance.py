"""Tests of differences between groups, with multiplicity control and tab-book letters.

Two tests, chosen by name (``TESTS``):

* ``design`` (the default for respondent-level data): the difference of two
  domain proportions over its linearised standard error under the full
  design, on Student's t with R ``survey``'s degrees of freedom. It is R's
  ``svyttest(y ~ in_group, design)`` for a group against the rest and
  ``svyttest(y ~ group, subset(design, group %in% c(a, b)))`` for a pair. Each
  domain mean's influence function is z_i = w_i (y_i - p) / Σw on its domain
  and 0 elsewhere; Var(p_a - p_b) = Var(p_a) + Var(p_b) - 2 Cov(p_a, p_b),
  with Cov = N/(N-1) Σ z_a,i z_b,i = 0 for two groups that share no
  respondent in a design without clusters (the codebook's designs are
  weights-only). So the pair's standard error is sqrt(se_a² + se_b²) from
  the two rows' full-design standard errors, and the degrees of freedom are
  n_a + n_b - 2 (R's ``degf`` of the respondents in the test, less one for
  the group coefficient).
* ``effective-base`` (the tab-book convention of Q, Displayr and SPSS
  CTABLES): weighted groups compared as two independent samples whose sizes
  are their Kish effective bases: the pooled two-proportion z test
  (statsmodels' ``proportions_ztest`` exactly, on unweighted data) and
  Newcombe's hybrid score interval for the difference
  (``confint_proportions_2indep(method="newcomb")``). It needs only p and the
  effective base of each side, so it also works on published data tables.

A family for Holm / Benjamini-Hochberg is one question within one grouping
(e.g. the four roles on "heard of the Panel"): that is the set a reader scans
when looking for the group that stands out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from feedback.errors import InputError
from feedback.survey.intervals import check_level, proportion_interval

ADJUSTMENTS = ("holm", "bh", "none")
TESTS = ("design", "effective-base")
TEST_NAMES = {
    "design": "design-based t test (linearised standard error under the full design, as R survey's svyttest)",
    "effective-base": "pooled two-proportion z test on Kish effective bases (the tab-book convention)",
}


def check_test(test: str | None) -> str:
    """Canonical name of a significance test: ``design`` or ``effective-base``."""
    key = "design" if test is None else str(test).strip().lower().replace("_", "-").replace(" ", "-")
    key = {"design-based": "design", "t": "design", "effective": "effective-base", "z": "effective-base",
           "tab-book": "effective-base", "n-eff": "effective-base"}.get(key, key)
    if key not in TESTS:
        raise InputError(f"unknown significance test {test!r}: use one of {', '.join(TESTS)}")
    return key


def design_test(diff, se, df):
    """Design-based t test of a difference: (t, two-sided p-value on ``df`` degrees of freedom).

    No variation on either side (se 0) and no difference gives t = 0, p = 1;
    a difference with se 0 gives an infinite t and p = 0, as R does. NaN
    where df < 1 or an input is missing.
    """
    diff, se, df = (np.asarray(a, dtype=float) for a in (diff, se, df))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    ok = np.isfinite(diff) & np.isfinite(se) & np.isfinite(df) & (df >= 1)
    t = np.where(ok, t, np.nan)
    return t, 2 * stats.t.sf(np.abs(t), np.where(ok, df, 1.0))


def pair_statistics(p_a, se_a, n_a, n_eff_a, p_b, se_b, n_b, n_eff_b, test: str, level: float):
    """Everything a comparison of two disjoint domains reports, for either test, vectorised.

    Returns a dict of arrays: diff, se, ci_low, ci_high, t, df, p_value.
    Design: se = sqrt(se_a² + se_b²) (the covariance of two disjoint domain
    means is 0), df = n_a + n_b - 2, interval diff ± t(df) se. Effective
    base: the pooled z's standard error, df NaN (normal reference), Newcombe's
    interval.
    """
    test, level = check_test(test), check_level(level)
    p_a, se_a, n_a, n_eff_a, p_b, se_b, n_b, n_eff_b = (
        np.asarray(a, dtype=float) for a in (p_a, se_a, n_a, n_eff_a, p_b, se_b, n_b, n_eff_b))
    diff = p_a - p_b
    if test == "design":
        se = np.sqrt(se_a**2 + se_b**2)
        df = n_a + n_b - 2
        t, p_value = design_test(diff, se, df)
        with np.errstate(invalid="ignore"):
            half = stats.t.isf((1 - level) / 2, np.where(df >= 1, df, np.nan)) * se
        return {"diff": diff, "se": se, "ci_low": diff - half, "ci_high": diff + half, "t": t, "df": df,
                "p_value": p_value}
    t, p_value = two_proportion_test(p_a, n_eff_a, p_b, n_eff_b)
    _, low, high = difference_interval(p_a, n_eff_a, p_b, n_eff_b, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (p_a * n_eff_a + p_b * n_eff_b) / (n_eff_a + n_eff_b)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_eff_a + 1 / n_eff_b))
    return {"diff": diff, "se": se, "ci_low": low, "ci_high": high, "t": t, "df": np.full(diff.shape, np.nan),
            "p_value": p_value}


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
    return z, 2 * stats.norm.sf(np.abs(z))


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


PAIRWISE_COLUMNS = ["question", "by", "group_a", "group_b", "p_a", "p_b", "n_a", "n_b", "n_eff_a", "n_eff_b",
                    "diff", "se", "ci_low", "ci_high", "t", "df", "p_value", "p_adj", "sig", "test", "level",
                    "adjust"]


def results_test(results: pd.DataFrame, test: str | None = None) -> str:
    """The test to use on a results frame: ``test`` if given, else the one its tests used, else design."""
    if test is not None:
        return check_test(test)
    if "test" in results and len(results):
        used = [t for t in pd.unique(results["test"].astype(str)) if t in TESTS]
        if used:
            return used[0]
    return "design"


def _row_tests(rows: pd.DataFrame, test: str) -> np.ndarray:
    """Per row, the test it can take: the design test needs respondent-level rows (with a design se)."""
    if test == "effective-base" or "se" not in rows:
        return np.full(len(rows), "effective-base", dtype=object)
    design = np.ones(len(rows), dtype=bool)
    if "source" in rows:
        design &= (rows["source"].astype(str) != "data tables").to_numpy()
    return np.where(design, "design", "effective-base").astype(object)


def pairwise(results: pd.DataFrame, by: str | None = None, level: float | None = None,
             adjust: str = "holm", test: str | None = None) -> pd.DataFrame:
    """Every pair of groups within each grouping of a results frame.

    ``sig`` says whether group_a is significantly "higher" or "lower" than
    group_b. Suppressed groups ([c], p missing) and the total are left out:
    a cell below the suppression threshold is never tested. ``level``
    defaults to the results' own level, ``test`` to the test the results
    used (``design`` unless they say otherwise); rows from published data
    tables have no design standard error and take the effective-base test
    (the ``test`` column says which test each row had).
    """
    adjust = check_adjust(adjust)
    test = results_test(results, test)
    rows = results[(results["by"] != "total") & results["p"].notna()]
    if "flag" in rows:
        rows = rows[rows["flag"] != "[c]"]
    if by is not None:
        rows = rows[rows["by"] == by]
    if level is None:
        level = float(results["level"].iloc[0]) if len(results) else 0.95
    level = check_level(level)
    rows = rows.assign(_order=np.arange(len(rows)), _test=_row_tests(rows, test),
                       se=rows["se"] if "se" in rows else np.nan)
    rows = rows[["question", "by", "group", "p", "se", "n", "n_eff", "_test", "_order"]]
    pairs = rows.merge(rows, on=["question", "by"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["_order_a"] < pairs["_order_b"]].sort_values(["_order_a", "_order_b"])
    col = lambda c: pairs[c].to_numpy(dtype=float)  # noqa: E731
    design = ((pairs["_test_a"] == "design") & (pairs["_test_b"] == "design")).to_numpy()
    args = [col(c) for c in ("p_a", "se_a", "n_a", "n_eff_a", "p_b", "se_b", "n_b", "n_eff_b")]
    by_design = pair_statistics(*args, test="design", level=level)
    by_base = pair_statistics(*args, test="effective-base", level=level)
    stat = {k: np.where(design, by_design[k], by_base[k]) for k in by_design}
    families = pairs["question"].astype(str) + "\x1f" + pairs["by"].astype(str)
    p_adj = adjust_pvalues(stat["p_value"], families.to_numpy(), adjust)
    out = pd.DataFrame({
        "question": pairs["question"].to_numpy(), "by": pairs["by"].to_numpy(),
        "group_a": pairs["group_a"].to_numpy(), "group_b": pairs["group_b"].to_numpy(),
        "p_a": args[0], "p_b": args[4], "n_a": args[2].astype(np.int64), "n_b": args[6].astype(np.int64),
        "n_eff_a": args[3], "n_eff_b": args[7],
        **stat, "p_adj": p_adj, "sig": mark(stat["diff"], p_adj, level),
        "test": np.where(design, "design", "effective-base"), "level": level, "adjust": adjust,
    })
    return out[PAIRWISE_COLUMNS].reset_index(drop=True)


def group_letters(labels) -> list[str]:
    """Tab-book column letters for groups in display order: A, B, ... Z, then AA, AB, ..."""
    out = []
    for i in range(len(labels)):
        letters, k = "", i + 1
        while k:
            k, rem = divmod(k - 1, 26)
            letters = chr(65 + rem) + letters
        out.append(letters)
    return out


def column_letters(results: pd.DataFrame, pairs: pd.DataFrame | None = None, *, level: float | None = None,
                   adjust: str = "holm", test: str | None = None) -> pd.DataFrame:
    """The results frame with the tab-book columns ``letter`` and ``higher_than``.

    Each group of a grouping gets a letter (A, B, C... in display order, the
    same on every question; the total none). A cell's ``higher_than`` holds
    the letters of the groups of its grouping that it is significantly
    higher than (pairwise test, adjusted p below 1 - level; the family is
    the question within the grouping), e.g. "BD"; with more than 26 groups
    the letters (AA, AB, ...) are separated by spaces. A suppressed cell is
    never tested, so it neither carries nor gives a letter.
    """
    out = results.copy()
    groups = out.loc[out["by"] != "total", ["by", "group"]].drop_duplicates()
    code = {}
    for by, labels in groups.groupby("by", sort=False)["group"]:
        code.update({(by, g): c for g, c in zip(labels, group_letters(list(labels)))})
    keys = pd.Series(list(zip(out["by"], out["group"])), index=out.index)
    out["letter"] = np.array([code.get(k, "") for k in keys], dtype=object)
    if pairs is None:
        pairs = pairwise(results, level=level, adjust=adjust, test=test)
    hits = pairs[pairs["sig"] != ""]
    winner = np.where(hits["sig"] == "higher", hits["group_a"], hits["group_b"])
    loser = np.where(hits["sig"] == "higher", hits["group_b"], hits["group_a"])
    won = pd.DataFrame({"question": hits["question"].to_numpy(), "by": hits["by"].to_numpy(), "group": winner,
                        "letter": [code.get((b, g), "") for b, g in zip(hits["by"], loser)]})
    wide = {b: max((len(c) for (bb, _), c in code.items() if bb == b), default=1) > 1 for b in groups["by"]}
    higher = pd.Series("", index=out.index, dtype=object)
    if len(won):
        rank = {c: i for i, c in enumerate(group_letters(range(max(len(code), 1))))}
        won = won.assign(_r=won["letter"].map(rank)).sort_values("_r", kind="stable")
        joined = won.groupby(["question", "by", "group"], sort=False)["letter"].agg(list)
        index = pd.MultiIndex.from_arrays([out["question"], out["by"], out["group"]])
        found = joined.reindex(index)
        higher = pd.Series([(" " if wide.get(b, False) else "").join(v) if isinstance(v, list) else ""
                            for v, b in zip(found.to_numpy(), out["by"])], index=out.index, dtype=object)
    out["higher_than"] = higher.to_numpy()
    return out


def letters_legend(results: pd.DataFrame) -> list[str]:
    """Plain-English lines explaining the column letters of a results frame, one per grouping."""
    if "letter" not in results:
        return []
    lines = []
    rows = results[(results["by"] != "total") & (results["letter"] != "")].drop_duplicates(["by", "group"])
    for by, part in rows.groupby("by", sort=False):
        pairs = ", ".join(f"{l} = {g}" for l, g in zip(part["letter"], part["group"]))
        lines.append(f"Column letters ({by}): {pairs}.")
    if lines:
        level = float(results["level"].iloc[0]) if "level" in results and len(results) else 0.95
        test = results_test(results)
        lines.insert(0, f"Letters in 'higher_than' name the groups of the same grouping that a group is "
                        f"significantly higher than at the {level:.0%} level, after adjustment for multiple "
                        f"comparisons ({TEST_NAMES[test]}); suppressed cells [c] are never tested.")
    return lines
