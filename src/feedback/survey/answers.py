"""Answers as the results engine reads them: the one rule that matches an answer
to the codebook (:func:`answer_key`), columns coded once (:func:`factorize`),
and the weights and grouping columns the codebook names.

Rates, significance tests, weighting, tables and the codebook all read answers
this way, so it sits below them all and imports none of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from feedback.errors import InputError


def display_label(value) -> str:
    """A label as shown: spaces tidied, 1.0 -> '1' (numeric codes read from files)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return " ".join(str(value).split())


def answer_key(value) -> str:
    """A label as compared with the codebook (also case-folded): the one matching rule."""
    return display_label(value).casefold()


def respondent_weights(frame: pd.DataFrame, codebook) -> np.ndarray:
    """Each respondent's weight from the codebook's weight column (1 each when it names none)."""
    column = getattr(codebook, "weight", None) or ""
    if not column:
        return np.ones(len(frame))
    if column not in frame.columns:
        raise InputError(f"weight column {column!r} (from the codebook) is not in the data: "
                         "correct [columns] weight in the codebook, or set it to \"\" for unweighted data")
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        what = "missing" if pd.isna(raw.iloc[row]) else f"{raw.iloc[row]!r}, not a number of 0 or more"
        raise InputError(f"weight column {column!r}, data row {row + 1}: the weight is {what} "
                         f"({int(bad.sum())} such row(s)); every respondent needs a weight of 0 or more")
    return values


def factorize(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(series)``: codes (-1 = missing, smallest integer type) and uniques in order of appearance.

    Text read by pandas is Arrow-backed; hashing it with pyarrow directly
    skips pandas' own work around the same hash pass (40 columns of 100,000
    answers: about 60 ms instead of 100 to 130 ms of CPU).
    """
    dtype = series.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        codes, uniques = pd.factorize(series)
        return codes, pd.Index(uniques)
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(series.array)  # the column's own Arrow data (the Arrow protocol), not a copy
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()  # one chunk (no copy) unless the column was concatenated
    encoded = pc.dictionary_encode(values, null_encoding="encode")  # no null mask on the indices: no fill pass
    dictionary = encoded.dictionary
    missing = dictionary.is_null().to_numpy(zero_copy_only=False)
    kind = np.min_scalar_type(-len(dictionary) - 1)
    remap = np.where(missing, -1, np.cumsum(~missing) - 1).astype(kind)  # the null's entry -> -1, as pandas
    codes = np.take(remap, encoded.indices.to_numpy())  # np.take: no intp copy of the int32 indices
    return codes, pd.Index(dictionary.filter(pc.invert(dictionary.is_null())).to_pylist(), dtype=dtype)


def column_for(key: str, frame: pd.DataFrame, codebook) -> str:
    """The data column behind a grouping or filter key (codebook role/region, else a column name)."""
    column = getattr(codebook, key, None) if key in ("role", "region") else None
    if column:
        if column not in frame.columns:
            raise InputError(f"{key} column {column!r} (from the codebook) is not in the data: "
                             f"correct [columns] {key} in the codebook")
        return column
    if key in frame.columns:
        return key
    if key in ("role", "region"):
        raise InputError(f"the codebook names no {key} column ([columns] {key} = \"\"), so the results "
                         f"cannot be grouped or filtered by {key}: name the column in the codebook")
    raise InputError(f"cannot group or filter by {key!r}: it is neither a codebook column "
                     "(role, region) nor a column of the data")
