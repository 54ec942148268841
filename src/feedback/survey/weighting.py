"""Raking (rim weighting) to population margins, and the variance that allows for it.

A survey run on its own platform has no weights, and its respondents
over-represent some roles and regions against the known population. Raking
(iterative proportional fitting) adjusts each respondent's weight until the
weighted count of every category of every margin (role, region, ...) equals
its population target. The raked weight is the input weight (or 1) times the
raking adjustment. It is R ``survey``'s
``calibrate(design, ~var1 + var2, population = pop, calfun = "raking")``:
the raking solution is unique, so IPF converged to a tight tolerance gives
R's weights.

Without a cap every respondent of a cell (one category of each margin) gets
the same adjustment, so the sweeps run on the table of cells (the input
weights summed once per cell, one ``np.bincount`` per margin and sweep) and
each respondent then takes its cell's adjustment; with a cap the sweeps run
over the respondents. Nothing loops over respondents or cells.

Variance. A raked design's estimates vary less than their weights alone
suggest, because the margins are fixed. R's ``calibrate`` accounts for that
by linearisation: each estimate's influence function x (per respondent) is
replaced by its residual from the regression on the margins' indicators M,
weighted by the input weights w0:

    x_res = x - w · M β,  β = (Σ w0 M Mᵀ)⁻¹ Σ M x / g     (g = w / w0)

and the variance is N/(N-1) Σ (x_res - mean)². Every sum over respondents
in that formula is a sum over the cells of the margins' cross-classification
(``Raking.cell``), so the engine needs only per-cell sums (``calibrated_variance``).

Cap (trimming): with ``cap=C``, no raked weight may exceed C times the mean
raked weight; weights above are cut to it and raking resumes, until the
margins hold and no weight is above the cap. The trimmed design is no longer
R's calibration (its variance is still computed as for the untrimmed one).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.survey.answers import answer_key, column_for, factorize, respondent_weights

TOLERANCE = 1e-12  # largest relative gap between a weighted margin and its target at convergence
MAX_SWEEPS = 2000


@dataclass
class Raking:
    """Raked weights and what produced them (one entry per margin in ``variables``)."""

    weights: np.ndarray  # raked weight per respondent (0 where the input weight is 0)
    base: np.ndarray  # the input weight (or 1) per respondent
    variables: list[str]  # the margins' names as given in the targets
    columns: list[str]  # the data column of each margin
    levels: list[list[str]]  # each margin's categories, in the targets' order
    codes: list[np.ndarray]  # per margin, the category of each respondent (-1: weight 0)
    totals: list[np.ndarray]  # per margin, the population count of each category
    iterations: int
    trimmed: int = 0
    cap: float | None = None
    cell: np.ndarray = field(default=None, repr=False)  # cross-classification cell of each respondent
    indicators: np.ndarray = field(default=None, repr=False)  # cell x (Σ levels) 0/1 margin indicators

    @property
    def counted(self) -> np.ndarray:
        return self.weights > 0

    @property
    def kish_deff(self) -> float:
        """Kish's design effect of the raked weights: n Σw² / (Σw)² = 1 + CV²."""
        w = self.weights[self.counted]
        return float(len(w) * (w**2).sum() / w.sum() ** 2)

    @property
    def efficiency(self) -> float:
        """Weighting efficiency: 1 / Kish's design effect (the effective base as a share of n)."""
        return 1.0 / self.kish_deff

    def diagnostics(self) -> dict[str, float]:
        w = self.weights[self.counted]
        return {"iterations": self.iterations, "respondents": int(len(w)), "weighting efficiency": self.efficiency,
                "Kish design effect": self.kish_deff, "effective base": len(w) * self.efficiency,
                "smallest weight": float(w.min()), "largest weight": float(w.max()), "trimmed": self.trimmed}

    def profile(self) -> pd.DataFrame:
        """Per margin and category: respondents, unweighted, input-weighted and raked shares, and the target."""
        rows = []
        for var, levels, code, total in zip(self.variables, self.levels, self.codes, self.totals):
            keep = code >= 0
            size = len(levels)
            n = np.bincount(code[keep], minlength=size)
            base = np.bincount(code[keep], weights=self.base[keep], minlength=size)
            raked = np.bincount(code[keep], weights=self.weights[keep], minlength=size)
            rows.append(pd.DataFrame({"variable": var, "category": levels, "n": n, "unweighted": n / n.sum(),
                                      "weighted before": base / base.sum(), "raked": raked / raked.sum(),
                                      "target": total / total.sum()}))
        return pd.concat(rows, ignore_index=True)


def read_targets(content: bytes | str) -> pd.DataFrame:
    """``variable,category,target`` rows from CSV text (a population count or a share per category)."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputError(f"targets: not a CSV table ({str(err).splitlines()[0]}); give columns "
                         "variable,category,target") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("variable", "category", "target") if c not in frame.columns]
    if missing:
        raise InputError(f"targets: no column {missing[0]!r}; give columns variable,category,target "
                         "(one row per category of each variable)")
    frame = frame[["variable", "category", "target"]].apply(lambda c: c.str.strip())
    frame = frame[(frame != "").any(axis=1)]
    if frame.empty:
        raise InputError("targets: no rows; give one row per category of each variable")
    values = pd.to_numeric(frame["target"], errors="coerce")
    bad = values.isna() | ~np.isfinite(values) | (values <= 0)
    if bad.any():
        row = frame[bad].iloc[0]
        raise InputError(f"targets: variable {row['variable']!r}, category {row['category']!r}: target "
                         f"{row['target']!r} is not a number above 0")
    return frame.assign(target=values.astype(float)).reset_index(drop=True)


def _margins(frame: pd.DataFrame, codebook, targets: pd.DataFrame, counted: np.ndarray, total_weight: float):
    """Per margin: (variable, column, levels, code per respondent, population totals); refuses misfits."""
    out = []
    names = targets["variable"].to_numpy()
    for variable in dict.fromkeys(names):
        part = targets[names == variable]
        column = column_for(variable, frame, codebook)
        keys = [answer_key(c) for c in part["category"]]
        if len(set(keys)) < len(keys):
            twice = next(c for c, k in zip(part["category"], keys) if keys.count(k) > 1)
            raise InputError(f"targets: variable {variable!r} lists category {twice!r} twice")
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):  # coded already (SAV labels, code_answers)
            codes, uniques = series.cat.codes.to_numpy(), list(series.cat.categories)
        else:
            codes, uniques = factorize(series)
        position = {k: i for i, k in enumerate(keys)}
        remap = np.array([position.get(answer_key(u), -2) if answer_key(u) else -3 for u in uniques] + [-3])
        code = remap[codes]  # -2: a category with no target; -3: no category recorded
        flagged = code.min(initial=0) < 0 and (counted & (code < 0)).any()
        if flagged and (counted & (code == -3)).any():
            raise InputError(f"variable {variable!r}: {int((counted & (code == -3)).sum())} respondent(s) have "
                             f"no {variable} recorded; raking needs a category (and a target) for everyone")
        if flagged and (counted & (code == -2)).any():
            first = frame[column].to_numpy()[np.flatnonzero(counted & (code == -2))[0]]
            how_many = int((counted & (codes == codes[np.flatnonzero(counted & (code == -2))[0]])).sum())
            raise InputError(f"variable {variable!r}: data category {str(first)!r} ({how_many} respondent(s)) "
                             "has no target; add it to the targets")
        present = np.bincount(code[counted], minlength=len(keys)) > 0
        if not present.all():
            absent = part["category"].iloc[int(np.flatnonzero(~present)[0])]
            raise InputError(f"variable {variable!r}: target category {absent!r} is not in the data (no respondent "
                             "of positive weight); raking cannot reach a target with nobody in it")
        target = part["target"].to_numpy(dtype=float)
        out.append([variable, column, list(part["category"]), np.where(counted, code, -1), target])
    shares = [m for m in out if m[4].max() <= 1]
    counts = [m for m in out if m[4].max() > 1]
    for m in shares:
        if abs(m[4].sum() - 1) > 1e-6:
            raise InputError(f"targets: the shares of variable {m[0]!r} sum to {m[4].sum():.6g}, not 1; give "
                             "shares summing to 1 or population counts")
    sums = [m[4].sum() for m in counts]
    if counts and max(sums) - min(sums) > 1e-9 * max(sums):
        detail = ", ".join(f"{m[0]} {s:,.10g}" for m, s in zip(counts, sums))
        raise InputError(f"targets: the population counts of the variables add up to different totals ({detail}); "
                         "every margin must describe the same population")
    population = sums[0] if counts else total_weight
    for m in shares:
        m[4] = m[4] * population
    return [tuple(m) for m in out]


def rake(frame: pd.DataFrame, codebook, targets: pd.DataFrame, *, cap: float | None = None,
         tolerance: float = TOLERANCE, max_sweeps: int = MAX_SWEEPS) -> Raking:
    """Rake the respondents' weights (the codebook's weight, or 1) to the targets' margins."""
    if len(frame) == 0:
        raise InputError("the data has no respondent rows: nothing to weight")
    if cap is not None and not cap > 1:
        raise InputError(f"--cap {cap!r}: the cap is a multiple of the mean weight, above 1 (e.g. 5)")
    base = respondent_weights(frame, codebook)
    counted = base > 0
    if not counted.any():
        raise InputError("every input weight is 0: no respondent to weight")
    margins = _margins(frame, codebook, targets, counted, float(base.sum()))
    codes = [m[3] for m in margins]
    totals = [m[4] for m in margins]
    sizes = [len(t) for t in totals]
    cell, indicators = _cells(codes, sizes, counted)
    everyone = bool(counted.all())
    if cap is None:
        # Without a cap every respondent of a cell (one category of each margin) gets the same adjustment:
        # rake the table of cells (input weight summed once per cell), then give each respondent its cell's.
        n_cells = indicators.shape[0]
        offsets = np.cumsum([0] + sizes[:-1])
        codes_in = [np.argmax(indicators[:, o:o + k], axis=1) for o, k in zip(offsets, sizes)]
        w = np.bincount(cell[counted] if not everyone else cell, weights=base[counted] if not everyone else base,
                        minlength=n_cells)
    elif not everyone:  # rake the counted respondents only (weight 0 stays 0)
        keep = np.flatnonzero(counted)
        codes_in = [c[keep] for c in codes]
        w = base[keep].astype(float)
    else:
        codes_in, w = codes, base.astype(float).copy()
    cut = np.inf
    trimmed = 0
    for sweep in range(1, max_sweeps + 1):  # noqa: B007 - the last sweep is reported after the loop (iterations)
        gap = 0.0  # each margin's gap before its adjustment: converged when a whole sweep changed nothing
        for code, total in zip(codes_in, totals):
            sums = np.bincount(code, weights=w, minlength=len(total))
            gap = max(gap, float(np.max(np.abs(sums - total) / total)))
            w *= (total / sums)[code]
        if cap is not None:
            cut = cap * w.mean()
            over = w > cut
            w[over] = cut
            gap = gap if not over.any() else max(gap, 1.0)
        if gap <= tolerance:
            break
    else:
        why = (f"with no weight above {cap:g} times the mean" if cap is not None else
               "(a category may be nested in another margin's category with a conflicting target)")
        raise InputError(f"raking did not converge in {max_sweeps} sweeps {why}: largest gap to a target "
                         f"{gap:.2g} of it; check the targets" + (" or raise --cap" if cap is not None else ""))
    if cap is None:
        base_of_cell = np.bincount(cell[counted], weights=base[counted], minlength=len(w))
        w = np.where(counted, base * (w / base_of_cell)[np.maximum(cell, 0)], 0.0)
    elif not everyone:
        raked = np.zeros(len(base))
        raked[keep] = w
        w = raked
    if cap is not None:
        trimmed = int((w[counted] >= cut * (1 - 1e-9)).sum())
    return Raking(weights=w, base=base, variables=[m[0] for m in margins], columns=[m[1] for m in margins],
                  levels=[m[2] for m in margins], codes=codes, totals=totals, iterations=sweep, trimmed=trimmed,
                  cap=cap, cell=cell, indicators=indicators)


def _cells(codes: list[np.ndarray], sizes: list[int], counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cross-classification cell per respondent (-1 where not counted) and each cell's margin indicators."""
    key = np.zeros(len(counted), dtype=np.int64)
    for code, size in zip(codes, sizes):
        key *= size
        key += np.maximum(code, 0)
    if np.prod(np.array(sizes, dtype=float)) <= 2**24:  # mixed-radix ids compacted by one bincount: O(n)
        present = np.bincount(key[counted], minlength=int(np.prod(sizes))) > 0
        uniques = np.flatnonzero(present)
        out = np.where(counted, (np.cumsum(present) - 1)[key], -1)
    else:
        uniques, cell = np.unique(key[counted], return_inverse=True)
        out = np.full(len(counted), -1, dtype=np.int64)
        out[counted] = cell
    indicators = np.zeros((len(uniques), sum(sizes)))
    rest = uniques.copy()
    offset = sum(sizes)
    for size in reversed(sizes):
        offset -= size
        indicators[np.arange(len(uniques)), offset + rest % size] = 1.0
        rest //= size
    return out, indicators


def calibration_projection(raking: Raking) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(H, T1, T2) over the cells: H = M (Σ w0 M Mᵀ)⁺ Mᵀ, and Σw, Σw² of the raked weights per cell.

    With a_c = Σ_{i in c} w0_i e_i (e the influence function over w), the fitted value of the
    calibration regression in cell c is h = a @ H.
    """
    counted = raking.counted
    cell, m = raking.cell[counted], raking.indicators
    n_cells = m.shape[0]
    t0 = np.bincount(cell, weights=raking.base[counted], minlength=n_cells)
    t1 = np.bincount(cell, weights=raking.weights[counted], minlength=n_cells)
    t2 = np.bincount(cell, weights=raking.weights[counted] ** 2, minlength=n_cells)
    gram = m.T @ (m * t0[:, None])
    h = m @ np.linalg.pinv(gram, rcond=1e-12, hermitian=True) @ m.T
    return h, t1, t2


def calibrated_variance(a, b, sxx, h, t1, t2, n_sample: int):
    """Variance of estimates whose influence functions are x_i = w_i e_i, after calibration.

    Arrays over (..., cell): ``a`` = Σ_c w0 e, ``b`` = Σ_c w² e per cell; ``sxx`` = Σ x² (...).
    Returns N/(N-1) (Σ x_res² - N mean(x_res)²), x_res = x - w·(M β), as R's svyrecvar does for a
    ``calibrate``d design (Σ x = 0 over the sample, as for every domain mean).
    """
    fit = a @ h
    ss = sxx - 2 * (fit * b).sum(axis=-1) + (fit**2 * t2).sum(axis=-1)
    mean = -(fit * t1).sum(axis=-1) / n_sample
    scale = n_sample / (n_sample - 1) if n_sample > 1 else np.nan
    return scale * (ss - n_sample * mean**2)


def calibrated_covariance(a1, b1, a2, b2, sxy, h, t1, t2, n_sample: int):
    """Covariance of two such estimates (``sxy`` = Σ x1 x2, 0 for disjoint domains)."""
    f1, f2 = a1 @ h, a2 @ h
    ss = sxy - (f1 * b2).sum(axis=-1) - (f2 * b1).sum(axis=-1) + (f1 * f2 * t2).sum(axis=-1)
    m1, m2 = -(f1 * t1).sum(axis=-1) / n_sample, -(f2 * t1).sum(axis=-1) / n_sample
    scale = n_sample / (n_sample - 1) if n_sample > 1 else np.nan
    return scale * (ss - n_sample * m1 * m2)
