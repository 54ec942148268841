"""Respondent-level survey files (CSV, XLSX, SPSS SAV): bytes in, tidy frame out.

Every reader returns answers as text labels (missing = NA), one row per
respondent, one column per source column, so the codebook and the engine see
the same thing whatever the format. Bad input raises ``InputError`` with one
plain sentence naming the file, sheet, row or column and what to do.

Plain grids (cells as text, the header row) are read by ``feedback.grids``;
the layouts survey platforms export by ``survey.platforms``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from feedback import grids, safety
from feedback.errors import InputError
from feedback.grids import CSV_SUFFIXES, XLSX_SUFFIXES
from feedback.survey import platforms
from feedback.survey.data_tables import looks_like_tables
from feedback.survey.platforms import SurveyData

SAV_SUFFIXES = (".sav", ".zsav")
SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES + SAV_SUFFIXES


def read_xlsx(name: str, content: bytes, sheets: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The respondent sheet: the first sheet with a header row and data below it (``sheets``:
    the workbook already read by ``grids.workbook_grids``). A data tables workbook is refused
    with advice, as it has no row per respondent."""

    def refuse_data_tables(text: pd.DataFrame) -> None:
        if looks_like_tables(text):
            raise InputError(f"{name} is a data tables workbook (published percentages by group), not one row "
                             "per respondent: load it as data tables, without a codebook of columns.") from None

    return grids.read_xlsx(name, content, sheets, refuse=refuse_data_tables)


# ------------------------------------------------------------------ SPSS
def _code_text(code) -> str:
    """An unlabelled code as text: 7.0 -> '7'."""
    return str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)


def _labelled(values: pd.Series, labels: dict) -> pd.Categorical:
    """Codes -> value labels, as a categorical in code order (codes without a label
    keep their number as text). Categorises the codes, then renames the
    categories: no per-respondent Python work."""
    present = pd.unique(values.dropna())
    codes = sorted(labels, key=str) if any(isinstance(c, str) for c in labels) else sorted(labels)
    codes += sorted((c for c in present if c not in labels), key=lambda c: (str(type(c)), c))
    names = [str(labels[c]) if c in labels else _code_text(c) for c in codes]
    if len(set(names)) < len(names):  # two codes share a label: merge them
        mapped = values.map(dict(zip(codes, names)))
        return pd.Categorical(mapped, categories=list(dict.fromkeys(names)))
    return pd.Categorical(values, categories=codes).rename_categories(names)


def read_sav_file(path: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Runs in the child process: SAV -> (labelled text frame, variable labels)."""
    import pyreadstat

    name = Path(path).name
    try:
        frame, meta = pyreadstat.read_sav(path, user_missing=True)
    except OverflowError:  # a valid file can hold such a date; saving it again would not help
        raise InputError(f"{name} holds a date or time outside the years 1 to 9999, which cannot be read: correct "
                         "that value in SPSS (or change the column's format to a number) and upload it again."
                         ) from None
    except Exception as err:  # noqa: BLE001 - pyreadstat raises ReadstatError, PyreadstatError, OSError...
        raise InputError(f"{name} could not be read as an SPSS file ({str(err).strip() or type(err).__name__}): "
                         "save it again from SPSS as .sav.") from None
    missing = meta.missing_ranges or {}
    out = {}
    for column in frame.columns:
        for r in missing.get(column, []):  # user-missing codes -> NA
            values = frame[column]
            hit = values.between(r["lo"], r["hi"]) if pd.api.types.is_numeric_dtype(values) else values == r["lo"]
            frame[column] = values.mask(hit)
        labels = meta.variable_value_labels.get(column)
        if labels:  # user-missing codes are not answers: left out of the categories
            ranges = missing.get(column, [])
            kept = {c: v for c, v in labels.items()
                    if not any((r["lo"] <= c <= r["hi"]) if isinstance(c, (int, float)) else c == r["lo"]
                               for r in ranges)}
            out[column] = _labelled(frame[column], kept)
        else:
            out[column] = grids.as_text(frame[[column]])[column]
    labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    return pd.DataFrame(out), labels


def read_sav(name: str, content: bytes) -> SurveyData:
    """SPSS .sav/.zsav (pyreadstat reads a path: the bytes go to a private temporary file)."""
    if not content.startswith((b"$FL2", b"$FL3")):
        raise InputError(f"{name} is not an SPSS data file (it does not start like one): save it again from "
                         "SPSS as .sav, or upload a CSV or XLSX export instead.")
    with tempfile.TemporaryDirectory(prefix="feedback-sav-") as folder:
        path = os.path.join(folder, "upload" + Path(name).suffix.lower())
        Path(path).write_bytes(content)
        try:
            frame, labels = safety.run_limited(read_sav_file, path, name=name)
        except InputError as err:
            raise InputError(str(err).replace("upload" + Path(name).suffix.lower(), name)) from None
    if frame.empty or not len(frame.columns):
        raise InputError(f"{name} holds no respondents: check you chose the right SPSS file.")
    return SurveyData(frame=frame, question_text=labels, filename=name)


# ------------------------------------------------------------------ dispatch
def read_survey(filename: str, content: bytes) -> SurveyData:
    """Read a respondent-level CSV / XLSX / SAV by its extension (checked against the bytes).

    Parsed in a limited child process (``feedback.isolation``); the embedded
    samples are read in-process (``safety.in_process()``).
    """
    name = Path(filename).name or "the file"
    safety.check_size(name, content)
    return safety.parse_untrusted(_read_survey, name, content)


def _read_survey(name: str, content: bytes) -> SurveyData:
    # Survey platforms' layouts (header rows, multi-selects, grids) first; the plain reader otherwise.
    return platforms.read_layout(name, content, _read_plain)


def _read_plain(name: str, content: bytes, sheets: dict[str, pd.DataFrame] | None = None) -> SurveyData:
    """A file with one header row (``sheets``: an XLSX workbook already read)."""
    suffix = Path(name).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return SurveyData(frame=grids.read_csv(name, content), filename=name)
    if suffix in XLSX_SUFFIXES:
        return SurveyData(frame=read_xlsx(name, content, sheets), filename=name)
    if suffix in SAV_SUFFIXES:
        return read_sav(name, content)
    if suffix == ".xls":
        raise InputError(f"{name} is in the old Excel format (.xls): open it in Excel and save it as .xlsx.")
    raise InputError(f"{name}: files of type {suffix or '(no extension)'!r} cannot be read. Upload the survey as "
                     "CSV, Excel (.xlsx) or SPSS (.sav).")
