"""Safe table exports (CSV, XLSX with a notes sheet) and the annex ZIP.

- Text cells that a spreadsheet would run as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return) are neutralised by a leading
  apostrophe, in CSV and XLSX alike (``safe_cell``). Numbers stay numbers.
- Control characters a spreadsheet cannot hold are removed from exported text
  (``feedback.validation.export_text``); the screen keeps the original.
- Timezone-aware times (PostgreSQL gives them) are written as UTC clock times.
- XLSX (openpyxl): bold headers on the Analysis Function dark blue, frozen
  header row, sensible column widths, percentages stored as numbers (0-1) with
  a percent format, counts with thousands separators, and a ``Notes`` sheet
  (last) explaining method, level, thresholds and symbols.
No Streamlit here.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone

import pandas as pd

from feedback.validation import export_text

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "12436D"  # Analysis Function dark blue
PERCENT_FORMAT = "0%"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
# Results-model columns that are proportions (0-1) and shown as percentages.
SURVEY_PERCENT_COLUMNS = ("p", "ci_low", "ci_high", "level")


def safe_cell(value):
    """Neutralise a text value a spreadsheet could run as a formula; other values unchanged.

    ``"=1+1"`` -> ``"'=1+1"``; ``"-5"`` (text) -> ``"'-5"``; ``-5`` (a number) -> ``-5``.
    Control characters that XLSX cannot hold are removed from text first.
    """
    if isinstance(value, str):
        value = export_text(value)
        if value.startswith(DANGEROUS_PREFIXES):
            return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell and column name passed through ``safe_cell``."""
    out = df.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])
                or pd.api.types.is_datetime64_any_dtype(out[col])):
            out[col] = out[col].map(safe_cell).astype(object)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel reads accents), formula cells neutralised."""
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet name (max 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub(" ", export_text(str(name))).strip().strip("'")[:31] or "Table"
    title, i, taken = base, 2, {t.lower() for t in taken}
    while title.lower() in taken:
        suffix = f" ({i})"
        title = base[: 31 - len(suffix)] + suffix
        i += 1
    return title


def _cell_value(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return v.item()
        except (AttributeError, ValueError):
            pass
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, datetime) and v.tzinfo is not None:  # XLSX has no time zones: write UTC clock time
        return v.astimezone(timezone.utc).replace(tzinfo=None)
    return safe_cell(v) if isinstance(v, str) else v


def to_xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame],
    notes: Sequence[str] = (),
    percent_columns: Sequence[str] = SURVEY_PERCENT_COLUMNS,
    title: str | None = None,
) -> bytes:
    """An XLSX workbook: one sheet per frame (in order), then a ``Notes`` sheet.

    Columns named in ``percent_columns`` hold proportions (0-1) and get a
    percent format; integer columns a thousands format; other numbers two
    decimals. Missing values are empty cells. Text is neutralised.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    percent_columns = set(percent_columns or ())
    taken: list[str] = []
    for name, df in sheets.items():
        ws = wb.create_sheet(sheet_title(name, taken))
        taken.append(ws.title)
        columns = [str(c) for c in df.columns]
        ws.append([safe_cell(c) for c in columns])
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in df.itertuples(index=False, name=None):
            ws.append([_cell_value(v) for v in row])
        for j, col in enumerate(columns, start=1):
            series = df.iloc[:, j - 1]
            if col in percent_columns:
                fmt = PERCENT_FORMAT
            elif pd.api.types.is_integer_dtype(series):
                fmt = INTEGER_FORMAT
            elif pd.api.types.is_float_dtype(series):
                fmt = DECIMAL_FORMAT
            else:
                fmt = None
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    if isinstance(cell.value, (int, float)):
                        cell.number_format = fmt
            longest = max([len(col)] + [len(str(v)) for v in series.head(200) if v is not None])
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, longest + 2))
        ws.freeze_panes = "A2"
    ws = wb.create_sheet(sheet_title("Notes", taken))
    ws.column_dimensions["A"].width = 110
    ws.append([safe_cell(title or "Notes")])
    ws["A1"].font = Font(bold=True, size=14)
    for note in notes:
        ws.append([safe_cell(str(note))])
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str) -> str:
    """A plain file name for inside a ZIP: no folders, no '..', only safe characters."""
    parts = [p for p in re.split(r"[\\/]+", str(name)) if p not in ("", ".", "..")]
    cleaned = "/".join(_SAFE_NAME.sub("_", p).strip(" .") or "file" for p in parts)
    return cleaned or "file"


def annex_zip(files: Mapping[str, bytes | str]) -> bytes:
    """One ZIP of the given files (name -> content; str is written as UTF-8).

    Names are cleaned (sub-folders kept, no '..' or absolute paths); entries
    carry a fixed timestamp so the same content gives the same bytes.
    """
    buf = io.BytesIO()
    stamp = (2021, 1, 1, 0, 0, 0)
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            arc = safe_filename(name)
            stem, dot, ext = arc.rpartition(".")
            i = 2
            while arc in used:
                arc = f"{stem} ({i}).{ext}" if dot else f"{ext} ({i})"
                i += 1
            used.add(arc)
            info = zipfile.ZipInfo(arc, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, content.encode("utf-8") if isinstance(content, str) else content)
    return buf.getvalue()


def export_timestamp() -> str:
    return datetime.now().strftime("%d %B %Y")
