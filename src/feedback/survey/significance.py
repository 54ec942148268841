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
* ``rao-scott``: Pearson's X² on the 2 x 2 table of answer by side, divided by
  its Rao-Scott design effect, referred to F(1, nu): R's
  ``svychisq(~y + in_group, design, statistic = "F")`` for a group against the
  rest and the same on ``subset(design, group %in% c(a, b))`` for a pair. It
  stays valid where a side is at 0% or 100% (no design variance on that
  side), where the Wald t test claims certainty; under the default ``design``
  test such a comparison is made by Rao-Scott instead (the ``test`` column
  says so). nu is the design's degrees of freedom: respondents in the design
  less one (the whole sample or the filter's domain against the rest; the
  two groups' respondents for a pair). The ``t`` reported is sign(diff)·√F on
  nu degrees of freedom, whose two-sided p is F's.
* ``effective-base`` (the tab-book convention of Q, Displayr and SPSS
  CTABLES): weighted groups compared as two independent samples whose sizes
  are their Kish effective bases: the pooled two-proportion z test
  (statsmodels' ``proportions_ztest`` exactly, on unweighted data) and
  Newcombe's hybrid score interval for the difference
  (``confint_proportions_2indep(method="newcomb")``). It needs only p and the
  effective base of each side, so it also works on published data tables.

A comparison where both sides are at 0%, or both at 100%, cannot be tested
(R's svyttest gives NaN): its p-value is missing, it is left out of its
family for Holm / Benjamini-Hochberg (as R's ``p.adjust`` leaves NA out), and
it is marked ``[z]``.

A family for Holm / Benjamini-Hochberg is one question within one grouping
(e.g. the four roles on "heard of the Panel"): that is the set a reader scans
when looking for the group that stands out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: see intervals.py

from feedback.errors import InputError
from feedback.intervals import check_level, proportion_interval
from feedback.survey.weighting import calibrated_covariance, calibrated_variance

ADJUSTMENTS = ("holm", "bh", "none")
TESTS = ("design", "effective-base", "rao-scott")
TEST_NAMES = {
    "design": "design-based t test (linearised standard error under the full design, as R survey's svyttest)",
    "effective-base": "pooled two-proportion z test on Kish effective bases (the tab-book convention)",
    "rao-scott": "Rao-Scott adjusted chi-squared test, F form (as R survey's svychisq(~y + group, design, "
                 "statistic = \"F\"))",
}
UNTESTABLE = "[z]"  # both sides at 0%, or both at 100%: nothing to test


def untestable(p_a, p_b) -> np.ndarray:
    """Comparisons that cannot be tested: both sides at 0%, or both at 100%."""
    p_a, p_b = np.asarray(p_a, dtype=float), np.asarray(p_b, dtype=float)
    return ((p_a == 0) & (p_b == 0)) | ((p_a == 1) & (p_b == 1))


def at_boundary(p_a, p_b) -> np.ndarray:
    """Comparisons where either side is exactly 0% or 100% (no design variance on that side)."""
    p_a, p_b = np.asarray(p_a, dtype=float), np.asarray(p_b, dtype=float)
    return (p_a == 0) | (p_a == 1) | (p_b == 0) | (p_b == 1)


def rao_scott_coefficients(p_a, w_a, p_b, w_b):
    """Per cell (a yes, a no, b yes, b no): (c_k - s) / W, the Rao-Scott contrast's influence per unit weight.

    A respondent of weight w in cell k contributes w·(c_k - s)/W to the influence function of
    Σ c_k p̂_k, whose variance is Rao-Scott's numerator.
    """
    p_a, w_a, p_b, w_b = (np.asarray(a, dtype=float) for a in (p_a, w_a, p_b, w_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        total = w_a + w_b
        cells = (p_a * w_a / total, (1 - p_a) * w_a / total, p_b * w_b / total, (1 - p_b) * w_b / total)
        contrast = (1.0, -1.0, -1.0, 1.0)
        c = [np.where(cell > 0, k / cell, 0.0) for k, cell in zip(contrast, cells)]
        s = sum(np.where(cell > 0, k, 0.0) for k, cell in zip(contrast, cells))
        return [(ck - s) / total for ck in c]


def rao_scott_test(p_a, w_a, v1_a, v0_a, p_b, w_b, v1_b, v0_b, nu, var=None):
    """Rao-Scott F test of a 2 x 2 table (answer by side), vectorised: (signed root of F, p-value).

    Each side: its proportion p, weighted base w, and v1, v0 = N/(N-1) Σw² over its positive and
    negative answers (the pieces of its linearisation variance). This is R survey's
    ``svychisq(statistic = "F")`` for a weights-only design: X² = N·Q with Q = Σ (p_k - e_k)² / e_k
    on the cell proportions, Δ = Var(Σ c_k p̂_k)·N / Σ C_k²/p_k with C the interaction contrast
    (+1, -1, -1, +1), c_k = C_k / p_k (0 for an empty cell, as R's ``iDmat``), F = X²/Δ on (1, nu).
    Both sides at 0% (or 100%) give NaN, as in R. ``var``: that numerator when the caller has it
    (a calibrated design's, from ``weighting.calibrated_variance``); v1, v0 are then unused.
    """
    p_a, w_a, v1_a, v0_a, p_b, w_b, v1_b, v0_b, nu = (
        np.asarray(a, dtype=float) for a in (p_a, w_a, v1_a, v0_a, p_b, w_b, v1_b, v0_b, nu))
    with np.errstate(divide="ignore", invalid="ignore"):
        total = w_a + w_b
        cells = (p_a * w_a / total, (1 - p_a) * w_a / total, p_b * w_b / total, (1 - p_b) * w_b / total)
        pieces = (v1_a, v0_a, v1_b, v0_b)
        if var is None:
            var = sum(coef**2 * v for coef, v in zip(rao_scott_coefficients(p_a, w_a, p_b, w_b), pieces))
        information = sum(np.where(cell > 0, 1.0 / cell, 0.0) for cell in cells)  # Σ C_k²/p_k, C_k² = 1
        yes, no = cells[0] + cells[2], cells[1] + cells[3]
        side_a, side_b = w_a / total, w_b / total
        q = (cells[0] * cells[3] - cells[1] * cells[2]) ** 2 / (yes * no * side_a * side_b)
        f = q * information / var
        ok = ~np.isnan(f) & np.isfinite(nu) & (nu >= 1)  # no variance but a difference: F infinite, p 0
        f = np.where(ok, f, np.nan)
        root = np.sign(p_a - p_b) * np.sqrt(f)
    return root, special.fdtrc(1.0, np.where(ok, nu, 1.0), f)


def check_test(test: str | None) -> str:
    """Canonical name of a significance test: ``design`` or ``effective-base``."""
    key = "design" if test is None else str(test).strip().lower().replace("_", "-").replace(" ", "-")
    key = {"design-based": "design", "t": "design", "effective": "effective-base", "z": "effective-base",
           "tab-book": "effective-base", "n-eff": "effective-base", "rs": "rao-scott", "raoscott": "rao-scott",
           "rao–scott": "rao-scott", "chisq": "rao-scott"}.get(key, key)
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
    return t, 2 * special.stdtr(np.where(ok, df, 1.0), -np.abs(t))  # stats.t.sf without its argument checks


def pair_statistics(p_a, se_a, n_a, n_eff_a, p_b, se_b, n_b, n_eff_b, test: str, level: float,
                    interval: bool = True):
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
        half = np.full(diff.shape, np.nan)
        if interval and diff.size:  # the t quantile depends only on df: one per distinct df
            values, where = np.unique(np.where(df >= 1, df, np.nan), return_inverse=True)
            with np.errstate(invalid="ignore"):
                half = special.stdtrit(values, 1 - (1 - level) / 2)[where.ravel()].reshape(diff.shape) * se
        return {"diff": diff, "se": se, "ci_low": diff - half, "ci_high": diff + half, "t": t, "df": df,
                "p_value": p_value}
    t, p_value = two_proportion_test(p_a, n_eff_a, p_b, n_eff_b)
    if interval:
        _, low, high = difference_interval(p_a, n_eff_a, p_b, n_eff_b, level)
    else:
        low = high = np.full(diff.shape, np.nan)
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
    return z, 2 * special.ndtr(-np.abs(z))  # norm.sf


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
    keep = np.flatnonzero(~np.isnan(p))
    # By family, then p: an integer key of family and rank of p (one fast sort; np.lexsort on floats
    # is several times slower). Ties in p may come in any order: tied p-values get the same adjusted value.
    rank_of_p = np.empty(len(keep), dtype=np.int64)
    rank_of_p[np.argsort(p[keep])] = np.arange(len(keep))
    order = np.argsort(fam[keep].astype(np.int64) * max(len(keep), 1) + rank_of_p)
    idx, f, v = keep[order], fam[keep][order], p[keep][order]
    start = np.r_[0, np.flatnonzero(np.diff(f)) + 1] if len(f) else np.zeros(0, dtype=int)
    sizes = np.diff(np.r_[start, len(f)])
    m = np.repeat(sizes, sizes).astype(float)
    rank = (np.arange(len(f)) - np.repeat(start, sizes) + 1).astype(float)  # 1 = smallest
    if method == "holm":
        adjusted = pd.Series((m - rank + 1) * v).groupby(f, sort=False).cummax().to_numpy()
    else:
        reverse = pd.Series((m / rank * v)[::-1])
        adjusted = reverse.groupby(f[::-1], sort=False).cummin().to_numpy()[::-1]
    out = np.full(p.size, np.nan)
    out[idx] = np.minimum(adjusted, 1.0)
    return out


MARKS = ("", "higher", "lower")


def _mark_codes(diff, p_adj, level: float) -> np.ndarray:
    """Position in ``MARKS`` of each difference's mark."""
    diff = np.asarray(diff, dtype=float)
    sig = np.asarray(p_adj, dtype=float) < 1 - check_level(level)
    return np.where(sig & (diff > 0), 1, np.where(sig & (diff < 0), 2, 0))


def mark(diff, p_adj, level: float) -> np.ndarray:
    """'higher' / 'lower' where the adjusted p-value is below 1 - level, else ''."""
    return np.array(MARKS)[_mark_codes(diff, p_adj, level)]


def _words(words, codes) -> pd.api.extensions.ExtensionArray:
    """A text column of ``words[code]`` per row, built without converting one string per row."""
    return pd.array(list(words), dtype="str").take(np.asarray(codes, dtype=np.intp))


PAIRWISE_COLUMNS = ["question", "by", "group_a", "group_b", "p_a", "p_b", "n_a", "n_b", "n_eff_a", "n_eff_b",
                    "diff", "se", "ci_low", "ci_high", "t", "df", "p_value", "p_adj", "sig", "test", "level",
                    "adjust"]


def results_test(results: pd.DataFrame, test: str | None = None) -> str:
    """The test to use on a results frame: ``test`` if given, else the one its tests used, else design."""
    if test is not None:
        return check_test(test)
    if "test" in results and len(results):
        used = set(pd.unique(results["test"].astype(str)))
        # design rows beside Rao-Scott ones: the default test, which uses Rao-Scott at 0% and 100%
        for name in TESTS:
            if name in used:
                return name
    return "design"


def _row_tests(rows: pd.DataFrame, test: str) -> np.ndarray:
    """Per row, the test it can take: the design test needs respondent-level rows (with a design se)."""
    if test == "effective-base" or "se" not in rows:
        return np.full(len(rows), "effective-base", dtype=object)
    design = np.ones(len(rows), dtype=bool)
    if "source" in rows:
        design &= (rows["source"].astype(str) != "data tables").to_numpy()
    return np.where(design, "design", "effective-base").astype(object)


def _pairs(results: pd.DataFrame, by: str | None, level: float, adjust: str, test: str, interval: bool = True):
    """Every pair within each (question, grouping) family, as row positions into ``results``.

    Returns (a, b, stats, p_adj, design): a < b in results order; all numpy,
    so that the pairwise table and the column letters share one computation.
    """
    kept = (results["by"] != "total").to_numpy() & results["p"].notna().to_numpy()
    if "flag" in results:
        kept &= (results["flag"] != "[c]").to_numpy()
    if by is not None:
        kept &= (results["by"] == by).to_numpy()
    rows = np.flatnonzero(kept)
    q_code = pd.factorize(results["question"].to_numpy()[rows])[0]
    by_code = pd.factorize(results["by"].to_numpy()[rows])[0]
    family = pd.factorize(q_code * (int(by_code.max(initial=0)) + 1) + by_code)[0]
    rows = rows[np.argsort(family, kind="stable")]
    family = np.sort(family, kind="stable")
    # All i < j within each family: row k pairs with every later row of its family.
    end = np.searchsorted(family, family, side="right")
    later = end - 1 - np.arange(len(rows))
    first = np.repeat(np.arange(len(rows)), later)
    offset = np.arange(len(first)) - np.repeat(np.cumsum(later) - later, later)
    second = first + 1 + offset
    a, b = rows[first], rows[second]
    tests = _row_tests(results, test)
    design = (tests[a] == "design") & (tests[b] == "design")
    num = lambda c: (results[c].to_numpy(dtype=float) if c in results  # noqa: E731
                     else np.full(len(results), np.nan))
    cols = {c: num(c) for c in ("p", "se", "n", "n_eff", "base_weighted", "sw2_pos", "sw2_neg", "n_design")}
    args = [cols["p"][a], cols["se"][a], cols["n"][a], cols["n_eff"][a],
            cols["p"][b], cols["se"][b], cols["n"][b], cols["n_eff"][b]]
    design_test_name = "effective-base" if test == "effective-base" else "design"
    if design.all():
        stat = pair_statistics(*args, test=design_test_name, level=level, interval=interval)
    elif not design.any():
        stat = pair_statistics(*args, test="effective-base", level=level, interval=interval)
    else:
        by_design = pair_statistics(*args, test="design", level=level, interval=interval)
        by_base = pair_statistics(*args, test="effective-base", level=level, interval=interval)
        stat = {k: np.where(design, by_design[k], by_base[k]) for k in by_design}
    # Rao-Scott: every design pair under "rao-scott"; under "design" the pairs with a side at 0% or 100%.
    pieces = np.isfinite(cols["sw2_pos"][a]) & np.isfinite(cols["sw2_pos"][b])
    use_rs = design & pieces & (test == "rao-scott" or test == "design")
    if test == "design":
        use_rs &= at_boundary(cols["p"][a], cols["p"][b])
    if use_rs.any():
        nu = cols["n_design"][a] + cols["n_design"][b] - 1  # the two groups' respondents, less one
        root, p_rs = rao_scott_test(cols["p"][a], cols["base_weighted"][a], cols["sw2_pos"][a], cols["sw2_neg"][a],
                                    cols["p"][b], cols["base_weighted"][b], cols["sw2_pos"][b], cols["sw2_neg"][b],
                                    nu)
        stat["t"], stat["df"], stat["p_value"] = (np.where(use_rs, x, stat[k]) for x, k in
                                                  ((root, "t"), (nu, "df"), (p_rs, "p_value")))
    calibration = getattr(results, "attrs", {}).get("calibration")
    if calibration is not None and design.any():
        rs = design & ((test == "rao-scott") | ((test == "design") & at_boundary(cols["p"][a], cols["p"][b])))
        _calibrated_pairs(results, calibration, a, b, design, rs, cols, stat, level, interval)
        use_rs = rs
    none = untestable(cols["p"][a], cols["p"][b])
    stat["t"], stat["df"], stat["p_value"] = (np.where(none, np.nan, stat[k]) for k in ("t", "df", "p_value"))
    p_adj = adjust_pvalues(stat["p_value"], family[first], adjust)
    used = np.where(use_rs, 2, np.where(design, 0, 1))
    return a, b, stat, p_adj, used, none


def _calibrated_pairs(results, cal, a, b, design, rs, cols, stat, level, interval) -> None:
    """Pairs of groups of a raked design (``rates_by_group(raking=...)``): the two groups covary through
    the calibration, so Var(p_a - p_b) = Var a + Var b - 2 Cov, each from the residuals of the regression
    on the margins (``weighting``); R's svyttest / svychisq on ``subset(calibrated, group %in% c(a, b))``.
    Updates ``stat`` in place on the design rows.
    """
    keys = (results["question"].astype(str) + "\x1f" + results["by"].astype(str) + "\x1f"
            + results["group"].astype(str)).to_numpy()
    where = pd.Series(keys).map(cal["row"]).to_numpy()
    if np.isnan(where[a[design]]).any() or np.isnan(where[b[design]]).any():
        raise InputError("these results no longer match the raking they were made with: make them again")
    ia, ib = np.nan_to_num(where[a]).astype(int), np.nan_to_num(where[b]).astype(int)
    p_a, p_b = np.nan_to_num(cols["p"][a]), np.nan_to_num(cols["p"][b])
    w_a, w_b = cols["base_weighted"][a], cols["base_weighted"][b]
    h, t1, t2, n = cal["h"], cal["t1"], cal["t2"], cal["n_sample"]
    A1a, A0a, S1a, S0a = (cal[k][ia] for k in ("A1", "A0", "S1", "S0"))
    A1b, A0b, S1b, S0b = (cal[k][ib] for k in ("A1", "A0", "S1", "S0"))
    with np.errstate(divide="ignore", invalid="ignore"):
        e = lambda A1, A0, p, w: (A1 * (1 - p)[:, None] - A0 * p[:, None]) / w[:, None]  # noqa: E731
        cov = calibrated_covariance(e(A1a, A0a, p_a, w_a), e(S1a, S0a, p_a, w_a), e(A1b, A0b, p_b, w_b),
                                    e(S1b, S0b, p_b, w_b), 0.0, h, t1, t2, n)
        se = np.sqrt(np.maximum(cols["se"][a] ** 2 + cols["se"][b] ** 2 - 2 * cov, 0.0))
        df = cols["n"][a] + cols["n"][b] - 2
        t, p_value = design_test(stat["diff"], se, df)
        half = special.stdtrit(np.where(df >= 1, df, np.nan), 1 - (1 - level) / 2) * se if interval else np.nan
        coef = rao_scott_coefficients(p_a, w_a, p_b, w_b)
        sums = lambda X1, X0, Y1, Y0: (coef[0][:, None] * X1 + coef[1][:, None] * X0  # noqa: E731
                                      + coef[2][:, None] * Y1 + coef[3][:, None] * Y0)
        sxx = (coef[0] ** 2 * S1a.sum(1) + coef[1] ** 2 * S0a.sum(1) + coef[2] ** 2 * S1b.sum(1)
               + coef[3] ** 2 * S0b.sum(1))
        var = calibrated_variance(sums(A1a, A0a, A1b, A0b), sums(S1a, S0a, S1b, S0b), sxx, h, t1, t2, n)
        nu = np.full(len(a), n - 1.0)  # a calibrated design's subset keeps every respondent
        root, p_rs = rao_scott_test(p_a, w_a, np.nan, np.nan, p_b, w_b, np.nan, np.nan, nu, var=var)
    stat["se"] = np.where(design, se, stat["se"])
    if interval:
        stat["ci_low"] = np.where(design, stat["diff"] - half, stat["ci_low"])
        stat["ci_high"] = np.where(design, stat["diff"] + half, stat["ci_high"])
    stat["t"] = np.where(rs, root, np.where(design, t, stat["t"]))
    stat["df"] = np.where(rs, nu, np.where(design, df, stat["df"]))
    stat["p_value"] = np.where(rs, p_rs, np.where(design, p_value, stat["p_value"]))


def pairwise(results: pd.DataFrame, by: str | None = None, level: float | None = None,
             adjust: str = "holm", test: str | None = None) -> pd.DataFrame:
    """Every pair of groups within each grouping of a results frame.

    ``sig`` says whether group_a is significantly "higher" or "lower" than
    group_b, or ``[z]`` where both are at 0% (or both at 100%): untestable, left out of the
    adjustment's family. Suppressed groups ([c], p missing) and the total are left out:
    a cell below the suppression threshold is never tested. ``level``
    defaults to the results' own level, ``test`` to the test the results
    used (``design`` unless they say otherwise); rows from published data
    tables have no design standard error and take the effective-base test
    (the ``test`` column says which test each row had).
    """
    adjust = check_adjust(adjust)
    refuse_raked(results)  # unless it carries the calibration's pieces
    test = results_test(results, test)
    if level is None:
        level = float(results["level"].iloc[0]) if len(results) else 0.95
    level = check_level(level)
    a, b, stat, p_adj, used, none = _pairs(results, by, level, adjust, test)
    text = lambda c, rows: results[c].array.take(rows)  # noqa: E731 - no per-string conversion
    num = lambda c, rows: results[c].to_numpy(dtype=float)[rows]  # noqa: E731
    out = pd.DataFrame({
        "question": text("question", a), "by": text("by", a), "group_a": text("group", a),
        "group_b": text("group", b), "p_a": num("p", a), "p_b": num("p", b),
        "n_a": num("n", a).astype(np.int64), "n_b": num("n", b).astype(np.int64),
        "n_eff_a": num("n_eff", a), "n_eff_b": num("n_eff", b),
        **stat, "p_adj": p_adj,
        "sig": _words(MARKS + (UNTESTABLE,), np.where(none, 3, _mark_codes(stat["diff"], p_adj, level))),
        "test": _words(("design", "effective-base", "rao-scott"), used), "level": level,
        "adjust": _words((adjust,), np.zeros(len(a))),
    })  # built in the order of PAIRWISE_COLUMNS
    return out


def refuse_raked(results: pd.DataFrame, allow_calibrated: bool = True) -> None:
    """Pairs of groups cannot be tested from a raked design's results (their covariance is not there)."""
    attrs = getattr(results, "attrs", {})
    if attrs.get("raked") and (not allow_calibrated or attrs.get("calibration") is None):
        raise InputError("two groups of one raked survey are not compared here: they covary through the raking; "
                         "see the tests against the rest, or python -m feedback pairwise --targets")


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


def column_letters(results: pd.DataFrame, *, level: float | None = None, adjust: str = "holm",
                   test: str | None = None) -> pd.DataFrame:
    """The results frame with the tab-book columns ``letter`` and ``higher_than``.

    Each group of a grouping gets a letter (A, B, C... in display order, the
    same on every question; the total none). A cell's ``higher_than`` holds
    the letters of the groups of its grouping that it is significantly
    higher than (pairwise test, adjusted p below 1 - level; the family is
    the question within the grouping), e.g. "BD"; with more than 26 groups
    the letters (AA, AB, ...) are separated by spaces. A suppressed cell is
    never tested, so it neither carries nor gives a letter.
    """
    adjust, test = check_adjust(adjust), results_test(results, test)
    if level is None:
        level = float(results["level"].iloc[0]) if len(results) else 0.95
    level = check_level(level)
    out = results.copy()
    by_values, groups = out["by"].to_numpy(dtype=object), out["group"].to_numpy(dtype=object)
    grouped = by_values != "total"
    # Letter = rank of the group within its grouping, in order of first appearance.
    key = pd.factorize(pd.Series(by_values).str.cat(pd.Series(groups), sep="\x1f").to_numpy())[0]
    by_code = pd.factorize(by_values)[0]
    _, first_row = np.unique(key, return_index=True)  # factorize codes follow first appearance
    by_of_key = by_code[first_row]
    rank_of_key = pd.Series(by_of_key).groupby(by_of_key).cumcount().to_numpy()
    rank = np.where(grouped, rank_of_key[key], -1)
    names = group_letters(range(int(rank.max(initial=-1)) + 1))
    letter = np.array([names[r] if r >= 0 else "" for r in rank], dtype=object)
    out["letter"] = letter
    a, b, stat, p_adj, _, _ = _pairs(results, None, level, adjust, test, interval=False)
    sig = mark(stat["diff"], p_adj, level)
    hit = sig != ""
    winner = np.where(sig == "higher", a, b)[hit]
    loser = np.where(sig == "higher", b, a)[hit]
    order = np.lexsort((rank[loser], winner))
    winner, loser = winner[order], loser[order]
    wide = set(by_code[rank >= 26])  # groupings past Z: letters separated by spaces
    higher = np.full(len(out), "", dtype=object)
    bounds = np.flatnonzero(np.diff(winner)) + 1
    for chunk_w, chunk_l in zip(np.split(winner, bounds), np.split(loser, bounds)):
        if len(chunk_w):
            row = int(chunk_w[0])
            higher[row] = (" " if by_code[row] in wide else "").join(letter[chunk_l])
    out["higher_than"] = higher
    return out


def letters_legend(results: pd.DataFrame) -> list[str]:
    """Plain-English lines explaining the column letters of a results frame, one per grouping."""
    if "letter" not in results:
        return []
    lines = []
    rows = results[(results["by"] != "total") & (results["letter"] != "")].drop_duplicates(["by", "group"])
    for by, part in rows.groupby("by", sort=False):
        pairs = ", ".join(f"{letter} = {g}" for letter, g in zip(part["letter"], part["group"]))
        lines.append(f"Column letters ({by}): {pairs}.")
    if lines:
        level = float(results["level"].iloc[0]) if "level" in results and len(results) else 0.95
        test = results_test(results)
        lines.insert(0, f"Letters in 'higher_than' name the groups of the same grouping that a group is "
                        f"significantly higher than at the {level:.0%} level, after adjustment for multiple "
                        f"comparisons ({TEST_NAMES[test]}); suppressed cells [c] are never tested.")
    return lines
