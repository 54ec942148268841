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
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from feedback.validation import export_text

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "12436D"  # Analysis Function dark blue
PERCENT_FORMAT = "0%"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0###"  # up to 4 decimals: 0.0072 shows as 0.0072, not 0.01
P_VALUE_FORMAT = "0.000"
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
    percent format; integer columns a thousands format; other numbers up
    to four decimals. Missing values are empty cells. Text is neutralised.
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
           "52.0% [u]), so the value still sorts and calculates as a number. The base is given beside every "
           "figure.",
    "[x]": "Not available: the figure could not be computed from the data.",
    "[z]": "Not applicable: the question was not asked of this group.",
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
    ``p_value_columns`` hold p-values (three decimals, or "<0.001"). Text such as
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
    """A p-value as published: rounded to three decimals (a number), or "<0.001"; missing -> None."""
    if p is None or pd.isna(p) or not math.isfinite(float(p)):
        return None
    return "<0.001" if float(p) < 0.001 else round(float(p), 3)


def marked_format(number_format: str, marker: str) -> str:
    """A number format that shows a shorthand after the number: ("0.0%", "[u]") -> '0.0%" [u]"'."""
    return f'{number_format}" {marker}"' if marker else number_format


def _write_title_table(ws, title: str, frame: pd.DataFrame, *, percent_columns=(), p_value_columns=(),
                       markers: Mapping[str, Sequence[str]] | None = None) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append([safe_cell(title)])
    ws["A1"].font = Font(bold=True, size=14)
    columns = [str(c) for c in frame.columns]
    ws.append([safe_cell(c) for c in columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    pcts, pvals = set(percent_columns), set(p_value_columns)
    for row in frame.itertuples(index=False, name=None):
        values = []
        for col, v in zip(columns, row, strict=True):
            if col in pvals and not isinstance(v, str):
                values.append(p_value_cell(v))
            else:
                values.append(_cell_value(v))
        ws.append(values)
    for j, col in enumerate(columns, start=1):
        series = frame.iloc[:, j - 1]
        numeric = pd.to_numeric(series, errors="coerce")
        if col in pcts:
            fmt = "0.0%"
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
        longest = max([len(col)] + [len(str(v)) for v in series.head(200) if v is not None])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, longest + 2))
    ws.freeze_panes = "A3"


def publication_workbook(tables: Sequence[PublishedTable], *, title: str, survey: str = "", fieldwork: str = "",
                         source: str = "", contact: str = "", notes: Sequence[str] = (),
                         shorthand: Sequence[str] = tuple(SHORTHAND)) -> bytes:
    """An XLSX laid out for publication: Cover, Contents, Notes, then one table per sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover.append([safe_cell(title)])
    cover["A1"].font = Font(bold=True, size=16)
    for label, value in (("Survey", survey), ("Fieldwork", fieldwork), ("Source", source), ("Contact", contact),
                         ("Produced", export_timestamp()),
                         ("About these tables", "One table per sheet; the Contents sheet lists them and the Notes "
                                                "sheet explains the notes and shorthand such as [c].")):
        cover.append([label, safe_cell(str(value or "Not given"))])
        cover.cell(cover.max_row, 1).font = Font(bold=True)
        cover.cell(cover.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 22, 100
    taken = ["Cover", "Contents", "Notes"]
    names = []
    for t in tables:
        name = short_sheet_name(t.sheet, taken)
        taken.append(name)
        names.append(name)
    contents = wb.create_sheet("Contents")
    listing = pd.DataFrame({"Sheet name": names, "Table title (full name)": [t.title for t in tables],
                            "Rows": [len(t.frame) for t in tables]})
    _write_title_table(contents, "Contents", listing)
    note_rows = [("Note " + str(i), str(n)) for i, n in enumerate(notes, start=1)]
    note_rows += [(code, SHORTHAND[code]) for code in shorthand if code in SHORTHAND]
    notes_sheet = wb.create_sheet("Notes")
    _write_title_table(notes_sheet, "Notes", pd.DataFrame(note_rows, columns=["Note or shorthand", "Meaning"]))
    notes_sheet.column_dimensions["B"].width = 110
    for t, name in zip(tables, names, strict=True):
        ws = wb.create_sheet(name)
        _write_title_table(ws, t.title, t.frame, percent_columns=t.percent_columns,
                           p_value_columns=t.p_value_columns, markers=t.markers)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def publication_csv(table: PublishedTable) -> bytes:
    """The same table as CSV (no title row: a CSV holds one table and nothing else); p-values as published.
    A CSV has no number formats, so a marked column's shorthand ([u]) goes in a column after it."""
    frame = table.frame.copy()
    for col in table.p_value_columns:
        if col in frame.columns:
            frame[col] = frame[col].map(lambda v: v if isinstance(v, str) else p_value_cell(v)).astype(object)
    for col, marks in table.markers.items():
        if col in frame.columns and any(marks):
            frame.insert(frame.columns.get_loc(col) + 1, f"{col} shorthand", list(marks))
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
    from feedback.survey.explorer import TABLE_LABELS

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
    from feedback.survey.explorer import TABLE_LABELS

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
