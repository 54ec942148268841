"""Rates by group: every question x group of a respondent-level survey at once.

The answers become one respondent x question matrix of codes (outside the
base, negative, positive: ``answer_status``), and each group's five sums
(count, weighted positives and negatives, and their squared-weight versions)
come from one pass over that matrix for the total and every group of every
grouping (``group_sums``). Everything after that is arithmetic on (group x
question) arrays.

Each group, and any filter, is a domain of the full design (as R ``survey``'s
``subset``): the variance uses N, the size of the whole sample, so a group's
standard error is not the one obtained by cutting the data down first.
Respondents outside a question's base (unanswered, routed out) are outside
its domain and inside the design.

A respondent with weight 0 is not part of the sample: not in n, N, the
small-base rules, the degrees of freedom or the design effect. A respondent
with no label for a grouping (a blank role) is in none of its groups and not
in any group's "rest"; ``n_not_grouped`` counts them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.intervals import (
    DEFAULT_SMALL_BASE,
    SmallBase,
    check_level,
    check_method,
    proportion_interval,
    small_base_flags,
)
from feedback.regions import REGIONS
from feedback.survey.answers import answer_key, column_for, display_label, factorize, respondent_weights
from feedback.survey.significance import (
    UNTESTABLE,
    adjust_pvalues,
    at_boundary,
    check_adjust,
    check_test,
    column_letters,
    design_test,
    mark,
    rao_scott_coefficients,
    rao_scott_test,
    two_proportion_test,
    untestable,
)
from feedback.survey.weighting import calibrated_covariance, calibrated_variance, calibration_projection

COLUMNS = ["question", "question_text", "base_label", "by", "group", "n", "base_weighted", "p",
           "ci_low", "ci_high", "n_eff", "deff", "se", "flag", "sig_vs_rest", "p_value_vs_rest",
           "p_adj_vs_rest", "method", "level", "source", "deff_kish", "t_vs_rest", "df_vs_rest", "test",
           "letter", "higher_than", "n_not_grouped", "n_design", "sw2_pos", "sw2_neg"]
# What the columns added after the first twenty hold where a source cannot give them (data tables).
COLUMN_DEFAULTS = {"deff_kish": np.nan, "t_vs_rest": np.nan, "df_vs_rest": np.nan, "test": "", "letter": "",
                   "higher_than": "", "n_not_grouped": 0, "n_design": np.nan, "sw2_pos": np.nan,
                   "sw2_neg": np.nan}

CROSS = " × "
GROUP_JOIN = " / "
_CODING_THREADS = 2  # code_answers' threads: the machine's two cores
_THREADED_CELLS = 1_000_000  # answers from which coding on threads pays for starting them
_BINS = 8192  # bins per pass of group_sums: 64 kB per power of the weight, in cache


def _factorized(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes per respondent (-1 = missing) and the normalised label of each code."""
    if isinstance(series.dtype, pd.CategoricalDtype):  # coded once already (SAV labels, code_answers)
        return series.cat.codes.to_numpy(), [answer_key(u) for u in series.cat.categories]
    codes, uniques = factorize(series)
    return codes, [answer_key(u) for u in uniques]


def _lookup(codes: np.ndarray, labels: list[str], test) -> np.ndarray:
    """Per respondent: ``test(label)`` of their answer; False where missing."""
    hit = np.fromiter((test(lab) for lab in labels), dtype=bool, count=len(labels))
    return np.append(hit, False)[codes]


def _coded(series: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    """Per respondent: is the answer one of ``wanted`` (loosely matched)."""
    keys = {answer_key(v) for v in wanted}
    return _lookup(*_factorized(series), keys.__contains__)


def answer_status(frame: pd.DataFrame, codebook) -> np.ndarray:
    """Respondent x question codes, routing applied: 0 outside the base, 1 negative, 2 positive.

    A respondent is in a question's base when they answered it, their answer
    is not excluded, and (routed questions) they are positive on the base
    question, itself resolved first. Column-major uint8: each question's
    column is written, routed and summed contiguously.
    """
    questions = list(codebook.questions)
    index = {q.id: j for j, q in enumerate(questions)}
    status = np.zeros((len(frame), len(questions)), dtype=np.uint8, order="F")
    for j, q in enumerate(questions):
        if q.column not in frame.columns:
            raise InputError(f"question {q.id!r}: column {q.column!r} is not in the data; "
                             "correct its column in the codebook")
        codes, labels = _factorized(frame[q.column])
        out, pos = {answer_key(v) for v in q.exclude or ()}, {answer_key(v) for v in q.positive or ()}
        of_label = [0 if lab == "" or lab in out else 2 if lab in pos else 1 for lab in labels]
        shifted = (codes + 1).view(f"u{codes.dtype.itemsize}")  # missing (-1) -> 0; unsigned: no bounds wrap
        np.take(np.array([0] + of_label, dtype=np.uint8), shifted, out=status[:, j])
    done: set[int] = set()

    def route(j: int, chain: tuple[int, ...]) -> None:
        base = questions[j].base_question
        if j in done or not base:
            done.add(j)
            return
        if base not in index:
            raise InputError(f"question {questions[j].id!r}: base_question {base!r} is not a question id "
                             "in the codebook")
        b = index[base]
        if b in chain:
            raise InputError(f"question {questions[j].id!r}: its base_question chain loops back to itself")
        route(b, chain + (j,))
        status[:, j] *= status[:, b] == 2
        done.add(j)

    for j in range(len(questions)):
        route(j, ())
    return status


def _labels(series: pd.Series, key: str) -> tuple[np.ndarray, list[str]]:
    """Integer group code per respondent (-1: no group) and the labels in display order.

    Order: a categorical column's own order, the Panel's for regions, else alphabetical.
    """
    codes, uniques = factorize(series)
    shown = [display_label(u) for u in uniques]
    if isinstance(series.dtype, pd.CategoricalDtype):
        order = [display_label(c) for c in series.cat.categories]
    elif key == "region":
        order = list(REGIONS)
    else:
        order = []
    rank = {lab: i for i, lab in enumerate(order)}
    labels = sorted({lab for lab in shown if lab}, key=lambda lab: (rank.get(lab, len(rank)), lab))
    position = {lab: i for i, lab in enumerate(labels)}
    remap = np.array([position.get(lab, -1) for lab in shown] + [-1])
    return remap[codes], labels


def _normalise_by(by) -> list[tuple[str, ...]]:
    if by is None:
        return []
    if isinstance(by, str):
        by = (by,)
    return [(g,) if isinstance(g, str) else tuple(g) for g in by]


def _domain(frame: pd.DataFrame, codebook, filter: Mapping | None) -> np.ndarray:
    """Respondents inside the filter (all when no filter)."""
    inside = np.ones(len(frame), dtype=bool)
    for key, wanted in (filter or {}).items():
        values = [wanted] if isinstance(wanted, str) or not isinstance(wanted, Iterable) else list(wanted)
        inside &= _coded(frame[column_for(key, frame, codebook)], values)
    if filter and not inside.any():
        shown = ", ".join(f"{k} = {v!r}" for k, v in filter.items())
        raise InputError(f"no respondents match the filter {shown}: check the spelling against the data")
    return inside


def _groupings(frame, codebook, by, inside) -> list[tuple[str, list[str], np.ndarray]]:
    """(by label, group labels, code per respondent) for the total and each grouping.

    Groups with nobody inside the domain are left out (a London filter shows
    London, not eight empty regions).
    """
    out = [("total", ["Total"], np.where(inside, 0, -1))]
    coded: dict[str, tuple[np.ndarray, list[str]]] = {}  # each key coded once (role x region reuses both)
    all_inside = bool(inside.all())
    for keys in _normalise_by(by):
        code, labels = None, [""]
        for key in keys:
            if key not in coded:
                coded[key] = _labels(frame[column_for(key, frame, codebook)], key)
            c, labs = coded[key]
            code = c if code is None else np.where((code < 0) | (c < 0), -1, code * len(labs) + c)
            labels = [a + GROUP_JOIN + b if a else b for a in labels for b in labs]
        if code is None:  # no key: one group of everyone
            code = np.zeros(len(frame), dtype=np.int64)
        if not all_inside:
            code = np.where(inside, code, -1)
        present = np.bincount(code + 1, minlength=len(labels) + 1)[1:] > 0
        remap = np.append(np.cumsum(present) - 1, -1)  # code -1 (no group) stays -1
        code = remap[code]
        out.append((CROSS.join(keys), [lab for lab, keep in zip(labels, present) if keep], code))
    return out


def _cells(codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The finest cells of all groupings: cell per respondent, and one member row per cell.

    Every group of every grouping is a union of these cells (e.g. role x region
    cells make up both the roles and the regions).
    """
    radix = [int(code.max()) + 2 for code in codes]
    if np.prod(np.array(radix, dtype=float)) <= 2**24:  # mixed-radix cell ids, compacted with one bincount
        cell = np.zeros(len(codes[0]), dtype=np.int32)  # in place, 32 bits: the ids are below 2**24
        for code, r in zip(codes, radix):
            cell *= r
            np.add(cell, code, out=cell, casting="unsafe")
            cell += 1
        present = np.bincount(cell) > 0
        cell = (np.cumsum(present) - 1)[cell]
        first = np.empty(int(present.sum()), dtype=np.int64)
        first[cell] = np.arange(len(cell))  # any member row will do: all share every code
        return cell, first
    cell = np.zeros(len(codes[0]), dtype=np.int64)
    for code in codes:
        cell = cell * (int(code.max()) + 2) + (code + 1)
        _, first, cell = np.unique(cell, return_index=True, return_inverse=True)
    return cell.ravel(), first


def group_sums(codes: list[np.ndarray], sizes: list[int], weights: np.ndarray,
               status: np.ndarray) -> dict[str, np.ndarray]:
    """Per (group x question): n, and Σw, Σw² over positives and over negatives (``answer_status``).

    The sums are taken per finest cell, a few question columns at a time:
    one ``np.bincount`` per power of the weight (0, 1, 2) over the bins of
    (cell, status on each of those questions), then each question's sums are
    the margins of that small table. The weights stay in cache and no
    respondent x question index is built. Cell sums are added up into every
    group of every grouping with small 0/1 matrix products.
    """
    cell, first = _cells(codes)
    n_cells, q = len(first), status.shape[1]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    into = np.zeros((int(offsets[-1]), n_cells))
    for code, offset in zip(codes, offsets[:-1]):
        of_cell = code[first]
        into[offset + of_cell[of_cell >= 0], np.flatnonzero(of_cell >= 0)] = 1.0
    per_pass = 1  # questions per pass: as many as keep the table of bins small (cache-sized)
    while per_pass < q and n_cells * 3 ** (per_pass + 1) <= _BINS:
        per_pass += 1
    squared = weights * weights
    sums = np.empty((3, n_cells, 3, q))  # power of the weight, cell, status, question
    for start in range(0, q, per_pass):
        columns = range(start, min(start + per_pass, q))
        index = cell.astype(np.int64)
        for j in columns:
            index *= 3
            index += status[:, j]
        shape = (n_cells,) + (3,) * len(columns)
        size = int(np.prod(shape))
        table = [np.bincount(index, minlength=size).reshape(shape),
                 np.bincount(index, weights=weights, minlength=size).reshape(shape),
                 np.bincount(index, weights=squared, minlength=size).reshape(shape)]
        for i, j in enumerate(columns):
            others = tuple(1 + a for a in range(len(columns)) if a != i)
            for power in range(3):
                sums[power, :, :, j] = table[power].sum(axis=others)
    return {"n": into @ (sums[0, :, 1] + sums[0, :, 2]), "w1": into @ sums[1, :, 2], "w0": into @ sums[1, :, 1],
            "w21": into @ sums[2, :, 2], "w20": into @ sums[2, :, 1]}


def domain_estimates(s: Mapping[str, np.ndarray], n_sample: int) -> dict[str, np.ndarray]:
    """p, linearisation se, R's deff ("replace") and Kish n_eff from group sums.

    With z_i = w_i (y_i - p) / Σw over the domain, var = N/(N-1) Σz²; the
    squares are split by y so every term is a sum of non-negative parts.
    """
    n, w1, w0, w21, w20 = (np.asarray(s[k], dtype=float) for k in ("n", "w1", "w0", "w21", "w20"))
    with np.errstate(divide="ignore", invalid="ignore"):
        sw, sw2 = w1 + w0, w21 + w20
        p = w1 / sw
        ss_z = (w21 * (1 - p) ** 2 + w20 * p**2) / sw**2
        var = (n_sample / (n_sample - 1) if n_sample > 1 else np.nan) * ss_z  # one respondent: no variance
        s2 = n / (n - 1) * (w1 * (1 - p) ** 2 + w0 * p**2) / sw
        deff = var / (s2 / n)
        n_eff = sw**2 / sw2
    return {"n": n, "base_weighted": sw, "p": p, "se": np.sqrt(var), "deff": deff, "n_eff": n_eff}


def code_answers(frame: pd.DataFrame, codebook) -> pd.DataFrame:
    """The frame with each question's answers coded once, as categoricals (text labels kept).

    Readers of CSV and XLSX give text columns, which every call of
    ``rates_by_group`` would otherwise factorise again; SAV answers with value
    labels are categoricals already. Run when a survey is read and keep the
    result with the survey: the answers shown are unchanged. Grouping columns
    are left as they are (their display order depends on their type).
    """
    keep = {getattr(codebook, "role", "") or "", getattr(codebook, "region", "") or "",
            getattr(codebook, "weight", "") or ""}
    columns = {q.column for q in codebook.questions} - keep
    todo = [c for c in frame.columns if c in columns and not isinstance(frame[c].dtype, pd.CategoricalDtype)]

    def coded(c: str) -> pd.Categorical:
        codes, labels = factorize(frame[c])  # a hash pass: far cheaper than astype("category")
        return pd.Categorical.from_codes(codes, labels, validate=False)  # codes in range by construction

    workers = min(_CODING_THREADS, os.cpu_count() or 1, len(todo))
    if workers > 1 and len(frame) * len(todo) >= _THREADED_CELLS:  # pyarrow hashes without the GIL
        with ThreadPoolExecutor(workers) as pool:
            done = dict(zip(todo, pool.map(coded, todo)))
    else:
        done = {c: coded(c) for c in todo}
    return frame.assign(**done) if done else frame


def rates_by_group(frame: pd.DataFrame, codebook, by=(("role",), ("region",)), filter: Mapping | None = None,
                   method: str = "wilson", level: float = 0.95, small_base: SmallBase = DEFAULT_SMALL_BASE,
                   adjust: str = "holm", test: str = "design", raking=None) -> pd.DataFrame:
    """One row per question x group (total first), in the results model of docs/architecture.md.

    ``by``: groupings, each a tuple of codebook keys ("role", "region") or
    data columns; a tuple of several is their crossing. ``filter``:
    ``{key: value or values}``, a domain of the full design; the test of a
    group against "the rest" then compares it with the rest of that domain
    (respondents with a label for the grouping). ``test``: ``design``
    (R's svyttest; a comparison with a side at 0% or 100% by Rao-Scott), ``rao-scott`` (R's
    svychisq, F form) or ``effective-base`` (pooled z on Kish bases). Comparisons with both
    sides at 0% (or 100%) are not tested: ``sig_vs_rest`` is ``[z]``, left out of the family.
    ``raking``: a ``weighting.Raking`` of these rows; estimates then use the raked weights and
    variances allow for the calibration, as R's ``svymean`` on a ``calibrate``d design.
    """
    method, level, adjust, test = check_method(method), check_level(level), check_adjust(adjust), check_test(test)
    if len(frame) == 0:
        raise InputError("the data has no respondent rows: check that the right file and sheet were read")
    weights = respondent_weights(frame, codebook)
    if raking is not None:
        if len(raking.weights) != len(frame):
            raise InputError(f"the raking is of {len(raking.weights)} rows, the data has {len(frame)}: rake this data")
        weights = raking.weights
    counted = weights > 0  # weight 0: not part of the sample
    if not counted.any():
        raise InputError(f"every weight in column {codebook.weight!r} is 0: no respondent is part of the "
                         "sample; check the weight column named in the codebook")
    status = answer_status(frame, codebook)
    inside = _domain(frame, codebook, filter)
    if not (inside & counted).all():
        status *= (inside & counted)[:, None]
    groupings = _groupings(frame, codebook, by, inside)
    # Each grouping also gets the group of everyone with a label for it: a group's rest is that minus the group.
    codes = [g[2] for g in groupings] + [np.where(g[2] >= 0, 0, -1) for g in groupings[1:]]
    sizes = [len(g[1]) for g in groupings] + [1] * (len(groupings) - 1)
    q = status.shape[1]
    if raking is None:
        sums = group_sums(codes, sizes, weights, status)
    else:  # the same sums per cell of the margins' cross-classification, for the calibration's regression
        n_cells = raking.indicators.shape[0]
        by_cell = [np.where((c >= 0) & (raking.cell >= 0), c * n_cells + raking.cell, -1) for c in codes]
        cell_sizes = [size * n_cells for size in sizes]
        cells = {k: v.reshape(-1, n_cells, q) for k, v in group_sums(by_cell, cell_sizes, weights, status).items()}
        base_cells = {k: v.reshape(-1, n_cells, q) for k, v in
                      group_sums(by_cell, cell_sizes, raking.base, status).items() if k in ("w1", "w0")}
        sums = {k: v.sum(axis=1) for k, v in cells.items()}
    n_groups = sum(sizes[:len(groupings)])
    n_sample = int(counted.sum())
    in_design = counted & inside  # the design a test is made in: the whole sample, or the filter's domain
    sums["n_design"] = np.concatenate([np.bincount(c[in_design & (c >= 0)], minlength=size)
                                       for c, size in zip(codes, sizes)]).astype(float)[:, None]
    groups = {k: v[:n_groups] for k, v in sums.items()}
    labelled = {k: np.concatenate([v[:1]] + [np.repeat(v[n_groups + i:n_groups + i + 1], len(g[1]), axis=0)
                                             for i, g in enumerate(groupings[1:])]) for k, v in sums.items()}
    est = domain_estimates(groups, n_sample)
    rest_sums = {k: labelled[k] - groups[k] for k in groups}
    rest = domain_estimates(rest_sums, n_sample)
    scale = n_sample / (n_sample - 1) if n_sample > 1 else np.nan  # N/(N-1), as in the variance
    if raking is not None:
        calibrated = _Calibrated(raking, cells, base_cells, groupings, n_groups, n_sample)
        calibrated.apply(est, rest)

    k = est["p"].shape[0]
    by_of_group = np.concatenate([[g[0]] * len(g[1]) for g in groupings])
    label_of_group = np.concatenate([g[1] for g in groupings])
    family = np.repeat(np.arange(len(groupings)), [len(g[1]) for g in groupings])

    n = est["n"]
    suppressed, flag = small_base_flags(n, est["n_eff"], small_base)
    rest_suppressed, _ = small_base_flags(rest["n"], rest["n_eff"], small_base)
    p = np.where(suppressed, np.nan, est["p"])
    low, high = proportion_interval(p, est["n_eff"], method, level, se=est["se"], n=n)
    # Never tested: the total, a suppressed cell, or a cell whose rest is itself below the rules.
    testable = ~suppressed & ~rest_suppressed & (family[:, None] > 0)
    use_rs = np.zeros(p.shape, dtype=bool)
    if test == "effective-base":
        df = np.full(p.shape, np.nan)
        stat, p_value = two_proportion_test(p, est["n_eff"], rest["p"], rest["n_eff"])
    else:
        use_rs = np.ones(p.shape, dtype=bool) if test == "rao-scott" else at_boundary(p, rest["p"])
        df = n + rest["n"] - 2
        var_diff = est["se"] ** 2 + rest["se"] ** 2 - (0 if raking is None else 2 * calibrated.covariance)
        stat, p_value = design_test(p - rest["p"], np.sqrt(np.maximum(var_diff, 0)), df)
        if use_rs.any():
            # the design's degrees of freedom: its respondents less one (a calibrated design keeps them all)
            nu = np.full(p.shape, (n_sample if raking is not None else in_design.sum()) - 1.0)
            root, p_rs = rao_scott_test(p, est["base_weighted"], scale * groups["w21"], scale * groups["w20"],
                                        rest["p"], rest["base_weighted"], scale * rest_sums["w21"],
                                        scale * rest_sums["w20"], nu,
                                        var=None if raking is None else calibrated.rao_scott_variance(p, est, rest))
            stat, df, p_value = (np.where(use_rs, a, b) for a, b in ((root, stat), (nu, df), (p_rs, p_value)))
    blank = ~testable | untestable(p, rest["p"])
    stat, df = np.where(blank, np.nan, stat), np.where(blank, np.nan, df)
    p_value = np.where(blank, np.nan, p_value)
    p_adj = adjust_pvalues(p_value, family[:, None] * q + np.arange(q)[None, :], adjust).reshape(k, q)
    sig = np.where(testable & untestable(p, rest["p"]), UNTESTABLE, mark(p - rest["p"], p_adj, level))
    test_used = np.where(use_rs & testable, "rao-scott", test)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff_kish = n / est["n_eff"]

    questions = list(codebook.questions)
    long = lambda a: np.asarray(a).T.ravel()  # (group x question) -> question-major rows
    out = pd.DataFrame({
        "question": np.repeat([qq.id for qq in questions], k),
        "question_text": np.repeat([qq.text or "" for qq in questions], k),
        "base_label": np.repeat([qq.base_label or "" for qq in questions], k),
        "by": np.tile(by_of_group, q),
        "group": np.tile(label_of_group, q),
        "n": long(n).astype(np.int64),
        "base_weighted": long(est["base_weighted"]),
        "p": long(p),
        "ci_low": long(low),
        "ci_high": long(high),
        "n_eff": long(est["n_eff"]),
        "deff": long(np.where(suppressed, np.nan, est["deff"])),
        "se": long(np.where(suppressed, np.nan, est["se"])),
        "flag": long(flag),
        "sig_vs_rest": long(sig),
        "p_value_vs_rest": long(p_value),
        "p_adj_vs_rest": long(p_adj),
        "deff_kish": long(np.where(suppressed, np.nan, deff_kish)),
        "t_vs_rest": long(stat),
        "df_vs_rest": long(df),
        "n_not_grouped": long(np.rint(est["n"][:1] - labelled["n"]) * (family[:, None] > 0)).astype(np.int64),
        "n_design": np.tile(groups["n_design"][:, 0], q),
        "sw2_pos": long(scale * groups["w21"]),
        "sw2_neg": long(scale * groups["w20"]),
        "test": long(test_used),
    })
    out["method"] = method
    out["level"] = level
    out["source"] = "respondents"
    if raking is None:
        out = column_letters(out, level=level, adjust=adjust, test=test)[COLUMNS]
    out.attrs["n_sample"] = n_sample  # N: respondents of positive weight in the whole sample
    if raking is not None:
        # Two groups of a calibrated design covary: pairs take that covariance from attrs["calibration"]
        # (pairwise, and the letters made below).
        out.attrs["raked"] = True
        # What pairs need (significance._pairs): per row of the frame, the group's sums per cell of the
        # margins: input weights of its positive and negative answers (A1, A0), squared raked weights (S1, S0).
        rows = lambda v: v.transpose(2, 0, 1).reshape(-1, v.shape[1])  # noqa: E731 - (group, cell, q) -> rows
        keys = out["question"].astype(str) + "\x1f" + out["by"].astype(str) + "\x1f" + out["group"].astype(str)
        out.attrs["calibration"] = _Shared({
            "row": dict(zip(keys, range(len(out)))), "A1": rows(calibrated.base_group["w1"]),
            "A0": rows(calibrated.base_group["w0"]), "S1": rows(calibrated.group["w21"]),
            "S0": rows(calibrated.group["w20"]), "h": calibrated.h, "t1": calibrated.t1, "t2": calibrated.t2,
            "n_sample": n_sample})
        out = column_letters(out, level=level, adjust=adjust, test=test)[COLUMNS]  # with the covariances
    return out


class _Shared(dict):
    """Read-only arrays kept in a frame's attrs: pandas deep-copies attrs on every operation, these
    are shared instead (nothing changes them)."""

    def __deepcopy__(self, memo):
        return self


class _Calibrated:
    """Variances of a raked design's domain means (``weighting``'s linearisation), from per-cell sums."""

    def __init__(self, raking, cells, base_cells, groupings, n_groups, n_sample):
        self.h, self.t1, self.t2 = calibration_projection(raking)
        self.n_sample = n_sample
        expand = np.concatenate([[0]] + [np.full(len(g[1]), n_groups + i) for i, g in enumerate(groupings[1:])])
        self.group = {k: v[:n_groups] for k, v in cells.items()}
        self.base_group = {k: v[:n_groups] for k, v in base_cells.items()}
        self.rest = {k: v[expand] - self.group[k] for k, v in cells.items()}
        self.base_rest = {k: v[expand] - self.base_group[k] for k, v in base_cells.items()}

    @staticmethod
    def _pieces(cell, base, p, total):
        """(a, b) over (group, question, cell) for x_i = w_i (y_i - p)/W: Σ w0 e and Σ w² e per cell."""
        pp, tt = p[:, None, :], total[:, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            a = (base["w1"] * (1 - pp) - base["w0"] * pp) / tt
            b = (cell["w21"] * (1 - pp) - cell["w20"] * pp) / tt
        return np.nan_to_num(a).transpose(0, 2, 1), np.nan_to_num(b).transpose(0, 2, 1)

    def apply(self, est, rest):
        out = []
        for part, cell, base in ((est, self.group, self.base_group), (rest, self.rest, self.base_rest)):
            p, total = part["p"], part["base_weighted"]
            a, b = self._pieces(cell, base, np.nan_to_num(p), total)
            with np.errstate(divide="ignore", invalid="ignore"):
                sxx = (cell["w21"].sum(axis=1) * (1 - p) ** 2 + cell["w20"].sum(axis=1) * p**2) / total**2
                var = calibrated_variance(a, b, sxx, self.h, self.t1, self.t2, self.n_sample)
                var = np.where(np.isfinite(sxx), np.maximum(var, 0.0), np.nan)
                part["deff"] = part["deff"] * var / part["se"] ** 2
            part["se"] = np.sqrt(var)
            out.append((a, b))
        (a1, b1), (a2, b2) = out
        self.covariance = calibrated_covariance(a1, b1, a2, b2, 0.0, self.h, self.t1, self.t2, self.n_sample)

    def rao_scott_variance(self, p, est, rest):
        """Var of the Rao-Scott contrast of each group against its rest, after calibration."""
        p_g, p_r = np.nan_to_num(est["p"]), np.nan_to_num(rest["p"])
        coef = rao_scott_coefficients(p_g, est["base_weighted"], p_r, rest["base_weighted"])
        sides = ((self.group, self.base_group, "w21", "w1"), (self.group, self.base_group, "w20", "w0"),
                 (self.rest, self.base_rest, "w21", "w1"), (self.rest, self.base_rest, "w20", "w0"))
        a = sum(c[:, :, None] * base[w].transpose(0, 2, 1) for c, (_, base, _, w) in zip(coef, sides))
        b = sum(c[:, :, None] * cell[w2].transpose(0, 2, 1) for c, (cell, _, w2, _) in zip(coef, sides))
        sxx = sum(c**2 * cell[w2].sum(axis=1) for c, (cell, _, w2, _) in zip(coef, sides))
        return calibrated_variance(a, b, sxx, self.h, self.t1, self.t2, self.n_sample)
