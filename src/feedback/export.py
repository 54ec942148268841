"""Safe table exports (CSV, XLSX with a notes sheet) and the annex ZIP.

- Text cells that a spreadsheet would run as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return) are neutralised: in CSV by a
  leading apostrophe (``safe_cell``), in XLSX by the cell's quote-prefix
  attribute, so the text reads as written. Numbers stay numbers.
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
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from feedback.validation import NOT_IN_XLSX, export_text

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "12436D"  # Analysis Function dark blue
PERCENT_FORMAT = "0%"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0###"  # up to 4 decimals: 0.0072 shows as 0.0072, not 0.01
P_VALUE_FORMAT = '[<0.001]"<0.001";0.000'  # the cell stays a number; under 0.001 it reads "<0.001"
# Results-model columns that are proportions (0-1) and shown as percentages.
SURVEY_PERCENT_COLUMNS = ("p", "ci_low", "ci_high", "level")


def safe_cell(value):
    """Neutralise a text value a spreadsheet could run as a formula; other values unchanged, except
    an infinite or NaN number, which becomes an empty cell (``None``).

    ``"=1+1"`` -> ``"'=1+1"``; ``"-5"`` (text) -> ``"'-5"``; ``-5`` (a number) -> ``-5``.
    Control characters that XLSX cannot hold are removed from text first.
    """
    if isinstance(value, str):
        value = export_text(value)
        if value.startswith(DANGEROUS_PREFIXES):
            return "'" + value
    elif isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return None
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell and column name passed through ``safe_cell``, and no
    infinite number: an infinite value (a test statistic whose standard error is 0) is an empty
    cell, as a missing one is, never "inf" (which Excel shows as #NAME?)."""
    out = df.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if pd.api.types.is_float_dtype(col):
            if np.isinf(col.to_numpy(dtype=float, na_value=np.nan)).any():
                out.isetitem(j, col.mask(np.isinf(col.to_numpy(dtype=float, na_value=np.nan))))
        elif not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
                  or pd.api.types.is_datetime64_any_dtype(col)):
            out.isetitem(j, col.map(safe_cell).astype(object))
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel reads accents), formula cells neutralised."""
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")


def percent_csv_bytes(df: pd.DataFrame, percent_columns: Iterable[str] = ()) -> bytes:
    """A table as CSV with its proportion columns as percentages that match their headers: 0.8705
    is written 87.05 under "Share (%)" (a CSV has no number format to show 0.8705 as 87.1%)."""
    out = df.copy()
    renames = {}
    for col in percent_columns:
        if col in out.columns:
            out[col] = (100 * pd.to_numeric(out[col], errors="coerce")).round(2)
            renames[col] = _percent_header(str(col))
    return to_csv_bytes(out.rename(columns=renames))


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
    if isinstance(v, (float, np.floating)) and not math.isfinite(v):  # NaN, inf, -inf: an empty cell
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
        return v.astimezone(UTC).replace(tzinfo=None)
    return safe_cell(v) if isinstance(v, str) else v


def _plain_value(v):
    """A cell's value with text cleaned but not neutralised: ``_mark_formula_text`` then marks
    the formula-like text cells with the quote-prefix attribute instead of a visible apostrophe."""
    if isinstance(v, str):
        return export_text(v)
    return _cell_value(v)


def _mark_formula_text(ws, df: pd.DataFrame) -> None:
    """Keep text a spreadsheet would run as a formula as text, with the cell's quote-prefix
    attribute (Excel's own mark for "this is text"). Found column by column with pandas; only
    those cells are touched."""
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        if pd.api.types.infer_dtype(col, skipna=True) not in ("string", "mixed", "mixed-integer"):
            continue  # no text in this column
        text = col.astype(object).str.replace(NOT_IN_XLSX, "", regex=True)  # non-text cells: NaN
        for i in np.flatnonzero(text.str.startswith(DANGEROUS_PREFIXES, na=False).to_numpy(dtype=bool)):
            cell = ws.cell(int(i) + 2, j + 1)
            cell.data_type = "s"
            cell.quotePrefix = True


def to_xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame],
    notes: Sequence[str] = (),
    percent_columns: Sequence[str] = SURVEY_PERCENT_COLUMNS,
    title: str | None = None,
) -> bytes:
    """An XLSX workbook: one sheet per frame (in order), then a ``Notes`` sheet.

    Columns named in ``percent_columns`` hold proportions (0-1) and get a
    percent format; integer columns a thousands format; other numbers up
    to four decimals. Missing values are empty cells. Text a spreadsheet would run as a formula
    keeps its characters and is marked as text (the quote-prefix attribute), not prefixed.
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
        for j, col in enumerate(columns, start=1):
            _put(ws.cell(1, j), col)
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in df.itertuples(index=False, name=None):
            ws.append([_plain_value(v) for v in row])
        _mark_formula_text(ws, df)
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
    _put(ws.cell(1, 1), title or "Notes")
    ws["A1"].font = Font(bold=True, size=14)
    for i, note in enumerate(notes, start=2):
        _put(ws.cell(i, 1), str(note))
        ws.cell(i, 1).alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str) -> str:
    """A plain file name for inside a ZIP: no folders, no '..', only safe characters."""
    parts = [p for p in re.split(r"[\\/]+", str(name)) if p not in ("", ".", "..")]
    cleaned = "/".join(_SAFE_NAME.sub("_", p).strip(" .") or "file" for p in parts)
    return cleaned or "file"


def annex_zip(files: Mapping[str, bytes | str], stamp: datetime | None = None) -> bytes:
    """One ZIP of the given files (name -> content; str is written as UTF-8).

    Names are cleaned (sub-folders kept, no '..' or absolute paths); entries
    carry the real date and time they were made (``stamp``, default now, to the
    ZIP format's two seconds), the same for every entry, so the same content
    and stamp give the same bytes.
    """
    buf = io.BytesIO()
    when = stamp or datetime.now()
    stamp = (max(1980, when.year), when.month, when.day, when.hour, when.minute, when.second // 2 * 2)
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


# ---------------------------------------------------------------- publication spreadsheets
# The Analysis Function's "Releasing statistics in spreadsheets": a cover sheet, a
# contents sheet and a notes sheet; one table per sheet, its title in A1 and the
# table straight under it (no merged cells, no blank rows); shorthand such as [c]
# in the value cells themselves, explained on the notes sheet; numbers stored as
# numbers (a low-reliability figure keeps its number: the cell's number format
# shows "52.0% [u]"); sheet names shortened on purpose to Excel's 31 characters, with the
# full name on the contents sheet.

SHORTHAND = {
    "[c]": "Confidential: fewer responses than the suppression threshold, so the figure is not shown.",
    "[u]": "Low reliability: the base is under the reliability threshold; the figure is shown, treat it with "
           "caution. The cell holds the number itself and its number format shows [u] after it (e.g. "
           "52.0 [u] in a percentage column), so the value still sorts and calculates as a number. The base "
           "is given beside every figure.",
    "[x]": "Not available: the figure could not be computed from the data.",
    "[z]": "Not applicable: the question was not asked of this group, or the column does not apply to the row "
           "(a count has no percentage, a total is not tested against the rest).",
}
SHEET_LIMIT = 31
_ABBREVIATIONS = (("Yorkshire and the Humber", "Yorks"), ("East of England", "East"), ("East Midlands", "E Mids"),
                  ("West Midlands", "W Mids"), ("North East", "NE"), ("North West", "NW"), ("South East", "SE"),
                  ("South West", "SW"), ("England (all regions)", "England"), ("Role × region", "RolexReg"),
                  ("Role and region", "Role+Reg"), ("professionals", "prof"), ("Safeguarding", "Sg"),
                  ("safeguarding", "sg"), ("partners", "ptnrs"), (" survey", ""), (" and ", " & "))


@dataclass
class PublishedTable:
    """One table for a publication workbook: its sheet name (before shortening), full title and frame.

    ``percent_columns`` hold proportions 0-1 (shown as percentages, one decimal);
    ``p_value_columns`` hold p-values (numbers: three decimals, shown "<0.001" below that). Text such as
    ``[c]`` may sit in any value cell. ``markers``: per column, a shorthand per
    row (``"[u]"`` or ``""``) shown after a number by its cell's number format,
    so the cell stays a number.
    """

    sheet: str | Sequence[str]  # a name, or its parts (layout, survey, grouping, region)
    title: str
    frame: pd.DataFrame
    percent_columns: Sequence[str] = ()
    p_value_columns: Sequence[str] = ()
    markers: Mapping[str, Sequence[str]] = field(default_factory=dict)


def short_sheet_name(name: str | Sequence[str], taken: Iterable[str] = ()) -> str:
    """A sheet name within 31 characters, shortened on purpose, unique among ``taken``.

    ``name`` may be parts (e.g. layout, survey, grouping, region): known words
    are abbreviated ("Yorkshire and the Humber" -> "Yorks"), then the longest
    part is trimmed, so every part keeps a recognisable piece.
    """
    parts = [str(name)] if isinstance(name, str) else [str(p) for p in name if p]
    parts = [_BAD_SHEET_CHARS.sub(" ", p).strip() for p in parts]

    def joined() -> str:
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    for long, short in _ABBREVIATIONS:
        if len(joined()) <= SHEET_LIMIT:
            break
        parts = [p.replace(long, short).strip() for p in parts]
    while len(joined()) > SHEET_LIMIT and max(len(p) for p in parts) > 4:
        i = max(range(len(parts)), key=lambda k: len(parts[k]))
        parts[i] = parts[i][: len(parts[i]) - (len(joined()) - SHEET_LIMIT) if len(parts) > 1 else SHEET_LIMIT]
        parts[i] = parts[i].rstrip() if len(parts[i]) > 4 else parts[i]
    return sheet_title(joined()[:SHEET_LIMIT], taken)


def p_value_cell(p) -> object:
    """A p-value as published, always a number: rounded to three decimals, or under 0.001 kept to two
    significant figures (the cell's format, ``P_VALUE_FORMAT``, shows it as "<0.001"); missing or
    infinite -> None."""
    if p is None or pd.isna(p) or not math.isfinite(float(p)):
        return None
    return float(f"{float(p):.2g}") if float(p) < 0.001 else round(float(p), 3)


def marked_format(number_format: str, marker: str) -> str:
    """A number format that shows a shorthand after the number: ("0.0%", "[u]") -> '0.0%" [u]"'."""
    return f'{number_format}" {marker}"' if marker else number_format


PERCENT_NUMBER_FORMAT = "0.0"  # a percentage stored as 87.05 under a "(%)" header shows 87.1


def _percent_header(name: str) -> str:
    """A percentage column's header with its unit: "Positive (%)" stays, "Interval from" -> "Interval from (%)"."""
    return name if "%" in name else f"{name} (%)"


def published_frame(table: PublishedTable) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The table as published, for every format alike: percentage columns as 0-100 numbers under a
    header with "(%)" (87.05, not 0.8705), p-values rounded or "<0.001", every empty cell given its
    shorthand ([x] not available, [z] not applicable); and the [u] markers under the new headers."""
    frame = table.frame.copy()
    pcts, pvals = set(table.percent_columns), set(table.p_value_columns)
    renames = {}
    for col in frame.columns:
        if col in pcts:
            frame[col] = frame[col].map(lambda v: v if isinstance(v, str) or v is None or pd.isna(v)
                                        else 100 * float(v)).astype(object)
            renames[col] = _percent_header(str(col))
        elif col in pvals:
            frame[col] = frame[col].map(lambda v: v if isinstance(v, str) else p_value_cell(v)).astype(object)
    for col in frame.columns:
        frame[col] = frame[col].map(_fill_shorthand).astype(object)
    markers = {renames.get(c, c): list(m) for c, m in table.markers.items()}
    return frame.rename(columns=renames), markers


def _fill_shorthand(v):
    """An empty cell's shorthand: missing -> "[x]" (not available), empty text -> "[z]" (not applicable)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "[x]"
    try:
        if pd.isna(v):
            return "[x]"
    except (TypeError, ValueError):
        pass
    if isinstance(v, str) and not v.strip():
        return "[z]"
    return v


def _put(cell, value) -> None:
    """Write a value; text a spreadsheet would run as a formula is kept as text with the cell's
    quote-prefix attribute (Excel's own mark for "this is text"), not a visible apostrophe."""
    if isinstance(value, str):
        value = export_text(value)
        cell.value = value
        if value.startswith(DANGEROUS_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    cell.value = _cell_value(value)


def _write_title_table(ws, title: str, frame: pd.DataFrame, *, table_name: str,
                       markers: Mapping[str, Sequence[str]] | None = None, percent_columns=(),
                       p_value_columns=()) -> None:
    """The title in A1 and one named Excel table straight under it (header in row 2): bold, wrapped
    headers, wrapped text columns, numbers as numbers in their format, the [u] marker in the format."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    _put(ws.cell(1, 1), title)
    ws["A1"].font = Font(bold=True, size=14)
    columns = [str(c) for c in frame.columns]
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(2, j)
        _put(cell, col)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=3):
        for j, v in enumerate(row, start=1):
            _put(ws.cell(i, j), v)
    pcts, pvals = set(percent_columns), set(p_value_columns)
    for j, col in enumerate(columns, start=1):
        series = frame.iloc[:, j - 1]
        numeric = pd.to_numeric(series, errors="coerce")
        is_text = numeric.notna().sum() == 0
        if col in pcts or col.endswith("(%)"):
            fmt = PERCENT_NUMBER_FORMAT
        elif col in pvals:
            fmt = P_VALUE_FORMAT
        elif numeric.notna().any() and (numeric.dropna() == numeric.dropna().round()).all():
            fmt = INTEGER_FORMAT
        else:
            fmt = DECIMAL_FORMAT
        marks = list((markers or {}).get(col, ())) or [""] * len(frame)
        for (cell,), mark in zip(ws.iter_rows(min_row=3, min_col=j, max_col=j), marks, strict=False):
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = marked_format(fmt, mark)
            elif is_text:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        longest = max([len(col)] + [len(str(v)) for v in series.head(200) if v is not None])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, longest + 2))
    if columns:
        ref = f"A2:{get_column_letter(len(columns))}{2 + max(1, len(frame))}"
        named = Table(displayName=table_name, ref=ref)
        named.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        ws.add_table(named)
    ws.freeze_panes = "A3"


NEXT_UPDATE = "Not planned: these tables are produced on request from the Panel's feedback analysis app."


def publication_workbook(tables: Sequence[PublishedTable], *, title: str, survey: str = "", fieldwork: str = "",
                         source: str = "", contact: str = "", notes: Sequence[str] = (),
                         shorthand: Sequence[str] = tuple(SHORTHAND), description: str = "",
                         next_update: str = NEXT_UPDATE) -> bytes:
    """An XLSX laid out to the Analysis Function's "Releasing statistics in spreadsheets".

    Cover (title, description, fieldwork, source, contact, next update), Contents (a link to each
    table), Notes (written against the exported headers, and the shorthand), then "Table 1", "Table 2"…,
    each with its title in A1 and one named table under it; percentages as 0-100 numbers under "(%)"
    headers; every empty cell given its shorthand; the workbook's title property set."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.properties.title = export_text(title)
    wb.properties.creator = contact or "Child Safeguarding Practice Review Panel"
    cover = wb.active
    cover.title = "Cover"
    _put(cover.cell(1, 1), title)
    cover["A1"].font = Font(bold=True, size=16)
    for label, value in (("Description",
                          description or f"{len(tables)} table(s): {'; '.join(t.title for t in tables)}"),
                         ("Survey", survey), ("Fieldwork", fieldwork or "Not applicable: no survey in these tables"),
                         ("Source", source), ("Contact", contact), ("Next update", next_update),
                         ("Produced", export_timestamp()),
                         ("About these tables", "One table per sheet; the Contents sheet links to each and the "
                                                "Notes sheet explains the notes and shorthand such as [c].")):
        if label == "Survey" and not value:
            continue
        row = cover.max_row + 1
        _put(cover.cell(row, 1), label)
        _put(cover.cell(row, 2), str(value or "Not given"))
        cover.cell(row, 1).font = Font(bold=True)
        cover.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 22, 100
    names = [f"Table {i}" for i in range(1, len(tables) + 1)]
    contents = wb.create_sheet("Contents")
    listing = pd.DataFrame({"Sheet name": names, "Table title": [t.title for t in tables],
                            "Rows (number)": [len(t.frame) for t in tables]})
    _write_title_table(contents, "Contents", listing, table_name="Contents")
    for i, name in enumerate(names, start=3):
        contents.cell(i, 1).hyperlink = f"#'{name}'!A1"
        contents.cell(i, 1).hyperlink.location = f"'{name}'!A1"
        contents.cell(i, 1).font = Font(color="1D70B8", underline="single")
    note_rows = [("Note " + str(i), str(n)) for i, n in enumerate(notes, start=1)]
    note_rows += [(code, SHORTHAND[code]) for code in shorthand if code in SHORTHAND]
    notes_sheet = wb.create_sheet("Notes")
    _write_title_table(notes_sheet, "Notes", pd.DataFrame(note_rows, columns=["Note or shorthand", "Meaning"]),
                       table_name="Notes")
    notes_sheet.column_dimensions["B"].width = 110
    for i, (t, name) in enumerate(zip(tables, names, strict=True), start=1):
        frame, markers = published_frame(t)
        ws = wb.create_sheet(name)
        _write_title_table(ws, t.title, frame, table_name=f"Table_{i}", markers=markers,
                           percent_columns=[_percent_header(str(c)) for c in t.percent_columns],
                           p_value_columns=t.p_value_columns)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def publication_csv(table: PublishedTable) -> bytes:
    """The same table as CSV (no title row: a CSV holds one table and nothing else), with the values
    the workbook holds (a "(%)" column holds 87.05, not 0.8705). A CSV has no number formats, so a
    marked column's shorthand ([u]) goes in a column after it."""
    frame, markers = published_frame(table)
    for col, marks in markers.items():
        if col in frame.columns and any(marks):
            frame.insert(frame.columns.get_loc(col) + 1, f"{col} shorthand", [m or "[z]" for m in marks])
    return to_csv_bytes(frame)


def file_stem(*parts: str | None) -> str:
    """A file name stem from its parts (survey, grouping, region): 'results_partners-2021_role_london'."""
    words = []
    for part in parts:
        if part:
            slug = re.sub(r"[^a-z0-9]+", "-", str(part).lower()).strip("-")
            if slug:
                words.append(slug)
    return "_".join(words) or "table"


# ---------------------------------------------------------------- survey results for publication

# The survey results model's columns as a published table heads them (also the survey pages' table).
TABLE_LABELS = {
    "question": "Question id", "question_text": "Question", "base_label": "Base", "by": "Grouping",
    "group": "Group", "n": "Unweighted n", "base_weighted": "Weighted base", "p": "Positive (%)",
    "ci_low": "Interval from", "ci_high": "Interval to", "n_eff": "Effective n",
    "deff": "Design effect (variance ratio)",
    "se": "Standard error", "flag": "Flag", "sig_vs_rest": "Versus rest of sample", "p_value_vs_rest": "p value",
    "p_adj_vs_rest": "Adjusted p value", "method": "Interval method", "level": "Confidence level",
    "source": "Figures from", "deff_kish": "Weighting effect (Kish deff)", "t_vs_rest": "Test statistic",
    "df_vs_rest": "Degrees of freedom", "test": "Test", "letter": "Column letter",
    "higher_than": "Significantly higher than", "n_not_grouped": "In no group (no label)",
}


def _shorthand_values(res: pd.DataFrame, column: str) -> pd.Series:
    """A value column with [c] where suppressed and [x] where not computed, numbers elsewhere."""
    values = res[column].astype(object)
    flags = res["flag"].fillna("") if "flag" in res else pd.Series("", index=res.index)
    values = values.where(flags != "[c]", "[c]")
    numbers = pd.to_numeric(res[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    missing = ~np.isfinite(numbers) & (flags != "[c]").to_numpy()  # (an infinite figure is not one either)
    return values.where(~missing, "[x]")


def survey_long_table(res: pd.DataFrame) -> pd.DataFrame:
    """The tidy layout: one row per question and group, plain-English headers as on screen."""
    out = pd.DataFrame({
        TABLE_LABELS["question_text"]: res["question_text"].astype(str),
        TABLE_LABELS["base_label"]: res["base_label"].astype(str),
        TABLE_LABELS["by"]: res["by"].astype(str).str.replace("_", " ").str.capitalize(),
        TABLE_LABELS["group"]: res["group"].astype(str),
        "Positive (%)": _shorthand_values(res, "p"),
        TABLE_LABELS["ci_low"]: _shorthand_values(res, "ci_low"),
        TABLE_LABELS["ci_high"]: _shorthand_values(res, "ci_high"),
        TABLE_LABELS["n"]: pd.to_numeric(res["n"], errors="coerce"),
        TABLE_LABELS["base_weighted"]: pd.to_numeric(res["base_weighted"], errors="coerce").round(1),
        TABLE_LABELS["n_eff"]: pd.to_numeric(res["n_eff"], errors="coerce").round(1),
        TABLE_LABELS["sig_vs_rest"]: res["sig_vs_rest"].fillna("").astype(str),
        TABLE_LABELS["p_value_vs_rest"]: pd.to_numeric(res["p_value_vs_rest"], errors="coerce"),
        TABLE_LABELS["p_adj_vs_rest"]: pd.to_numeric(res["p_adj_vs_rest"], errors="coerce"),
        TABLE_LABELS["method"]: res["method"].astype(str),
        TABLE_LABELS["level"]: pd.to_numeric(res["level"], errors="coerce"),
    })
    if "higher_than" in res.columns:  # tab-book column letters (significance.column_letters); legend in Notes
        out.insert(out.columns.get_loc(TABLE_LABELS["group"]) + 1, TABLE_LABELS["letter"],
                   res["letter"].fillna("").astype(str).to_numpy())
        out.insert(out.columns.get_loc(TABLE_LABELS["sig_vs_rest"]) + 1, TABLE_LABELS["higher_than"],
                   res["higher_than"].fillna("").astype(str).to_numpy())
    return out.reset_index(drop=True)


def low_reliability(res: pd.DataFrame) -> list[str]:
    """Per results row, "[u]" where the figure is of low reliability, else "": the marker its value cell shows."""
    flags = res["flag"].fillna("").astype(str) if "flag" in res else pd.Series("", index=res.index)
    return flags.where(flags == "[u]", "").tolist()


def _wide_layout(res: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The wide layout and its [u] markers per percentage column."""
    from feedback.charts import group_order

    order = group_order(res)
    questions = list(pd.unique(res["question"]))
    texts = res.drop_duplicates("question").set_index("question")
    cells = pd.DataFrame({"question": res["question"].to_numpy(), "group": res["group"].astype(str).to_numpy(),
                          "value": _shorthand_values(res, "p").to_numpy(),
                          "base": pd.to_numeric(res["n"], errors="coerce").astype(object).to_numpy(),
                          "mark": low_reliability(res)}).drop_duplicates(["question", "group"])

    def grid(column: str, missing) -> pd.DataFrame:
        wide = cells.pivot(index="question", columns="group", values=column).reindex(index=questions, columns=order)
        return wide.astype(object).where(wide.notna(), missing)

    values, bases, marks = grid("value", "[z]"), grid("base", "[z]"), grid("mark", "")
    cols: dict[str, list] = {"Question": [str(texts.loc[q, "question_text"]) for q in questions],
                             "Base": [str(texts.loc[q, "base_label"]) for q in questions]}
    markers: dict[str, list[str]] = {}
    for g in order:
        cols[f"{g} (%)"] = values[g].tolist()
        cols[f"{g} base"] = bases[g].tolist()
        markers[f"{g} (%)"] = marks[g].tolist()
    return pd.DataFrame(cols), markers


def survey_wide_table(res: pd.DataFrame) -> pd.DataFrame:
    """Questions x groups: the percentage of each group with its unweighted base beside it.

    Groups keep the chart order (Total first, then each grouping in turn); a
    group the question was not asked of is ``[z]``.
    """
    return _wide_layout(res)[0]


def survey_tables(res: pd.DataFrame, *, survey: str, grouping: str, region: str | None) -> list[PublishedTable]:
    """The two publication layouts of a results selection, named by survey, grouping and region."""
    where = region or "England (all regions)"
    wide, wide_markers = _wide_layout(res)
    long = survey_long_table(res)
    pct_wide = [c for c in wide.columns if c.endswith(" (%)")]
    return [
        PublishedTable(sheet=("Wide", survey, grouping, where), frame=wide, percent_columns=pct_wide,
                       markers=wide_markers,
                       title=f"{survey}: share giving a positive answer by {grouping.lower()}, with bases, "
                             f"{where}"),
        PublishedTable(sheet=("Tidy", survey, grouping, where), frame=long,
                       percent_columns=["Positive (%)", TABLE_LABELS["ci_low"], TABLE_LABELS["ci_high"],
                                        TABLE_LABELS["level"]],
                       p_value_columns=[TABLE_LABELS["p_value_vs_rest"], TABLE_LABELS["p_adj_vs_rest"]],
                       markers={"Positive (%)": low_reliability(res)},
                       title=f"{survey}: results by {grouping.lower()}, one row per question and group "
                             f"(tidy layout), {where}"),
    ]


# ---------------------------------------------------------------- OpenDocument twin

def _ods_number_style(styles: dict, auto, fmt: str, value: float):
    """A cell style showing ``value`` as the XLSX number format ``fmt`` does: its decimals (for a
    variable format such as "#,##0.0###", as many as the value needs, up to the maximum, as Excel
    shows it), grouping, and a quoted suffix such as " [u]". Made once per format and decimals."""
    from odf.number import Number, NumberStyle, Text
    from odf.style import Style

    if fmt.startswith("[<"):  # '[<0.001]"<0.001";0.000': the words below the limit, the number format above
        condition, _, fmt = fmt.partition(";")
        limit, words = condition[2:].split("]", 1)
        if value < float(limit):
            key = (condition, None)
            if key not in styles:
                name = f"N{len(styles) + 1}"
                ns = NumberStyle(name=name)
                ns.addElement(Text(text=words.strip('"')))
                auto.addElement(ns)
                cell = Style(name=f"C{name}", family="table-cell", datastylename=name)
                auto.addElement(cell)
                styles[key] = cell
            return styles[key]
    body, _, rest = fmt.partition('"')
    suffix = rest.rsplit('"', 1)[0] if rest else ""
    places = body.split(".", 1)[1].rstrip("%") if "." in body else ""
    fixed, most = places.count("0"), len(places)
    if most > fixed:  # variable decimals: the digits the value needs
        needed = len(f"{round(abs(value), most):.{most}f}".rstrip("0").split(".")[1])
        decimals = max(fixed, needed)
    else:
        decimals = fixed
    key = (fmt, decimals)
    if key in styles:
        return styles[key]
    name = f"N{len(styles) + 1}"
    ns = NumberStyle(name=name)
    ns.addElement(Number(decimalplaces=str(decimals), minintegerdigits="1",
                         grouping="true" if "," in body else "false"))
    if suffix:
        ns.addElement(Text(text=suffix))
    auto.addElement(ns)
    cell = Style(name=f"C{name}", family="table-cell", datastylename=name)
    auto.addElement(cell)
    styles[key] = cell
    return cell


def xlsx_to_ods(xlsx: bytes) -> bytes:
    """The same workbook as OpenDocument (.ods), for readers without Excel (the Analysis Function asks
    for an open format beside XLSX): every sheet, cell value (numbers stay numbers, with the same
    decimals and shorthand suffix), bold title and header rows, wrapped text, column widths, the
    contents sheet's links, each named table as a named database range, and the title property."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import ParagraphProperties, Style, TableCellProperties, TableColumnProperties, TextProperties
    from odf.table import DatabaseRange, DatabaseRanges, Table, TableCell, TableColumn, TableRow
    from odf.text import A, P
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    wb = load_workbook(io.BytesIO(xlsx))
    doc = OpenDocumentSpreadsheet()
    if wb.properties.title:
        from odf.dc import Title

        doc.meta.addElement(Title(text=wb.properties.title))
    auto = doc.automaticstyles
    bold = Style(name="Bold", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    bold.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
    auto.addElement(bold)
    title_style = Style(name="Title", family="table-cell")
    title_style.addElement(TextProperties(fontweight="bold", fontsize="14pt"))
    auto.addElement(title_style)
    wrap = Style(name="Wrap", family="table-cell")
    wrap.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
    wrap.addElement(ParagraphProperties())
    auto.addElement(wrap)
    number_styles: dict = {}
    ranges = DatabaseRanges()
    for ws in wb.worksheets:
        table = Table(name=ws.title)
        for j in range(1, (ws.max_column or 1) + 1):
            width = ws.column_dimensions[get_column_letter(j)].width or 10
            col_style = Style(name=f"co{ws.title.replace(' ', '')}{j}", family="table-column")
            col_style.addElement(TableColumnProperties(columnwidth=f"{width * 0.19:.2f}cm"))
            auto.addElement(col_style)
            table.addElement(TableColumn(stylename=col_style))
        for row in ws.iter_rows():
            tr = TableRow()
            for cell in row:
                value = cell.value
                style = None
                if cell.row == 1 and cell.column == 1:
                    style = title_style
                elif cell.font is not None and cell.font.b:
                    style = bold
                elif cell.alignment is not None and cell.alignment.wrap_text:
                    style = wrap
                if value is None:
                    tc = TableCell(**({"stylename": style} if style else {}))
                elif isinstance(value, bool):
                    tc = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
                    tc.addElement(P(text=str(value).upper()))
                elif isinstance(value, (int, float)):
                    fmt = cell.number_format or "General"
                    style = _ods_number_style(number_styles, auto, fmt, float(value)) if fmt != "General" else style
                    tc = TableCell(valuetype="float", value=repr(float(value)),
                                   **({"stylename": style} if style else {}))
                    tc.addElement(P(text=f"{value}"))
                elif isinstance(value, datetime):
                    tc = TableCell(valuetype="date", datevalue=value.isoformat())
                    tc.addElement(P(text=value.isoformat()))
                else:
                    text = str(value)
                    tc = TableCell(valuetype="string", **({"stylename": style} if style else {}))
                    p = P()
                    if cell.hyperlink is not None and cell.hyperlink.location:
                        sheet, _, ref = cell.hyperlink.location.partition("!")
                        p.addElement(A(href=f"#{sheet.strip(chr(39))}.{ref or 'A1'}", text=text))
                    else:
                        p.addText(text)
                    tc.addElement(p)
                tr.addElement(tc)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
        for name, ref in ws.tables.items():
            start, _, end = ref.partition(":")
            ranges.addElement(DatabaseRange(name=name, targetrangeaddress=f"'{ws.title}'.{start}:'{ws.title}'.{end}",
                                            containsheader="true"))
    doc.spreadsheet.addElement(ranges)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()
