"""Plain grids from CSV and XLSX files: cells as text, the header row found, one frame
of rows below it. Bad input raises ``InputError`` with one plain sentence naming the
file, sheet, row or column and what to do.

The survey's respondent files and the roundtables' tables of points are both read
this way, so it sits below both (with ``safety``, which checks the bytes first).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from feedback import safety
from feedback.errors import InputError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 30
_DELIMITERS = (",", ";", "\t", "|")
_NUMBER = r"^[-+]?[\d.,]+%?$"
_NUMBER_MATCH = re.compile(_NUMBER).match


# ------------------------------------------------------------------ text grids
def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB' (as Excel names columns; ``safety.column_letters`` counts from 1)."""
    return safety.column_letters(index + 1)


def as_text(grid: pd.DataFrame) -> pd.DataFrame:
    """Cells as trimmed text (1.0 -> '1'), empty -> NA, every column of dtype str."""
    if _few_cells_one_dtype(grid):
        return _text_at_once(grid)
    return pd.DataFrame({key: _text_column(col) for key, col in grid.items()}, index=grid.index, dtype=str)


#: A grid of at most this many cells, all of one dtype, is converted as one column: the cost of
#: a pandas operation per column would dominate a wide file of few rows (2,000 columns x 3 rows),
#: while the cells' text, held once more as Python strings, stays small.
AT_ONCE_CELLS = 200_000


def _few_cells_one_dtype(grid: pd.DataFrame) -> bool:
    return 0 < grid.size <= AT_ONCE_CELLS and grid.shape[1] > 1 and grid.dtypes.nunique() == 1 and (
        grid.dtypes.iloc[0] == np.dtype(object) or pd.api.types.is_string_dtype(grid.dtypes.iloc[0]))


def _text_at_once(grid: pd.DataFrame) -> pd.DataFrame:
    """``as_text`` of a grid whose columns share one text or object dtype, every cell converted in
    one pass (the same conversion as column by column: the column's dtype decides it)."""
    rows, width = grid.shape
    flat = pd.Series(grid.to_numpy(dtype=object).ravel(order="F"), dtype=grid.dtypes.iloc[0])
    text = _text_column(flat).to_numpy(dtype=object, na_value=None).reshape((rows, width), order="F")
    return pd.DataFrame(text, index=grid.index, columns=grid.columns, dtype=str)


def _as_text_taking(columns: list[tuple[object, pd.Series]], index: pd.Index) -> pd.DataFrame:
    """``as_text`` of a grid's ``(name, column)`` pairs that nothing else holds (the grid itself
    dropped), each pair let go as it is converted, so a large file's text is not held twice.

    (It was ``grid.pop`` per column, which rebuilds the grid's column list each time: a cost
    that grows with the square of the number of columns.)"""
    columns.reverse()  # taken from the end: the first column first
    out = {}
    while columns:
        key, col = columns.pop()
        out[key] = _text_column(col)
        del col
    return pd.DataFrame(out, index=index, dtype=str)


def _text_column(col: pd.Series) -> pd.Series:
    text = col.astype(str).str.strip()
    if col.dtype == object or pd.api.types.is_float_dtype(col):
        whole = text.str.endswith(".0")
        if whole.any():  # the regex only where it can apply: it is the slow part
            text = text.mask(whole, text[whole].str.replace(r"^(-?\d+)\.0$", r"\1", regex=True))
    empty = col.isna() | (text == "")
    return text.mask(empty) if empty.any() else text


def find_header_row(grid: pd.DataFrame, where: str) -> int:
    """Index of the first row where most cells are non-empty text and data follow.

    A title block above the header (one or two cells per row) is skipped.
    """
    # The first rows' cells as one array (not a pandas operation per column: a wide file has thousands).
    head = grid.iloc[:HEADER_SEARCH_ROWS].to_numpy(dtype=object)
    filled = ~pd.isna(head)
    counts = filled.sum(axis=1)
    width = int(counts.max()) if len(head) else 0
    if width == 0:
        raise InputError(f"{where}: no data found (the sheet or file is empty). Check you chose the right file.")
    numeric = np.zeros(head.shape, dtype=bool)
    numeric[filled] = [_NUMBER_MATCH(str(v)) is not None for v in head[filled]]
    text_cells = (filled & ~numeric).sum(axis=1)
    below = np.append(counts[1:], 0)
    need = max(1, int(np.ceil(0.6 * width)))
    candidates = np.flatnonzero((text_cells >= need) & (below > 0))
    if not len(candidates):
        names_only = np.flatnonzero(text_cells >= need)
        if len(names_only) and not filled[names_only[0] + 1:].any():  # column names, nothing below
            raise InputError(f"{where}: there are no respondents: row {names_only[0] + 1} has the column names but "
                             "no row of answers follows. Check you chose the right file (or sheet).")
        raise InputError(f"{where}: no header row found in the first {HEADER_SEARCH_ROWS} rows. Put the column "
                         "names in one row directly above the answers (one respondent per row).")
    return int(candidates[0])


def frame_below_header(grid: pd.DataFrame, where: str, row_offset: int = 1) -> pd.DataFrame:
    """Respondent frame from a text grid: header row found, names checked, empty rows dropped."""
    h = find_header_row(grid, where)
    names = grid.iloc[h]
    body = grid.iloc[h + 1:]
    has_data = body.notna().any()
    keep = names.notna() | has_data
    unnamed = [i for i in np.flatnonzero((names.isna() & has_data).to_numpy())]
    if unnamed:
        letter = column_letter(int(unnamed[0]))
        raise InputError(f"{where}: column {letter} has answers but no name in the header row (row "
                         f"{h + row_offset}). Give every column a name.")
    if not keep.all():
        names = names[keep]
        body = body.loc[:, keep]
    dupes = names[names.duplicated(keep=False)]
    if len(dupes):
        first = dupes.iloc[0]
        letters = ", ".join(column_letter(int(i)) for i in np.flatnonzero((names == first).to_numpy()))
        raise InputError(f"{where}: the column name {first!r} appears more than once (header row {h + row_offset},"
                         f" columns {letters}). Give each column a different name.")
    answered = body.notna().any(axis=1)
    if not answered.all():  # (a copy of every column: only when there are empty rows to drop)
        body = body[answered]
    if body.empty:
        raise InputError(f"{where}: the header row {h + row_offset} has no answers below it. "
                         "Put one respondent per row under the column names.")
    body.columns = list(names)
    out = body.reset_index(drop=True)
    out.attrs["title_rows"] = _title_rows(grid, h)
    return out


def _title_rows(grid: pd.DataFrame, h: int) -> list[str]:
    """The non-empty rows above the header row ``h``, each as one line of text."""
    return [" ".join(map(str, r.dropna())) for _, r in grid.iloc[:h].iterrows() if r.notna().any()]


# ------------------------------------------------------------------ CSV
def guess_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most sample lines into the same number of fields.

    Count-based rather than csv.Sniffer, which a title block above the header
    misleads; quoted text is ignored, so commas inside answers do not count.
    """
    unquoted = [re.sub(r'"[^"]*"', "", ln) for ln in lines if ln.strip()]
    best, best_score = ",", (0, 0)
    for d in _DELIMITERS:
        counts = pd.Series([ln.count(d) for ln in unquoted], dtype=int)
        counts = counts[counts > 0]
        if counts.empty:
            continue
        mode = int(counts.mode().max())
        score = (int((counts == mode).sum()), mode)
        if score > best_score:
            best, best_score = d, score
    return best


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    """``text`` cut into lines where pandas' CSV parser cuts it: at CR, LF or CRLF only.

    (``str.splitlines`` also cuts at \\v, \\f, \\x1c-\\x1e, U+0085, U+2028 and U+2029: a title line
    holding one would count as two, and the header would be looked for one line too far down.)"""
    lines = _LINE_BREAK.split(text)
    if lines and not lines[-1]:  # a final line break ends the last line, as for splitlines
        lines.pop()
    return lines


def first_lines(content: bytes, encoding: str, count: int) -> list[str]:
    """The first ``count`` lines of ``content.decode(encoding)`` (``_lines``), decoding only as much of
    the file as they need."""
    size = 1 << 16
    while True:
        head = content[:size].decode(encoding, errors="ignore")  # a character cut at the end is dropped
        lines = _lines(head)
        if len(lines) > count or size >= len(content):  # a (count + 1)th line began: the first ones are whole
            return lines[:count] if size < len(content) else _lines(content.decode(encoding))[:count]
        size *= 4


def read_csv(name: str, content: bytes) -> pd.DataFrame:
    """CSV/TSV in UTF-8 (BOM or not) or Windows-1252; comma, semicolon, tab or bar."""
    if content.startswith(b"PK\x03\x04"):
        raise InputError(f"{name} is an Excel workbook, not a CSV file: upload it with the .xlsx extension.")
    if content.startswith((b"$FL2", b"$FL3")):
        raise InputError(f"{name} is an SPSS file, not a CSV file: upload it with the .sav extension.")
    encoding = safety.text_encoding(name, content)
    lines = first_lines(content, encoding, HEADER_SEARCH_ROWS + 20)
    if not "".join(lines).strip() and not content.decode(encoding).strip():
        raise InputError(f"{name} holds no data (only blank lines): export the survey again.")
    delimiter = "\t" if name.lower().endswith(".tsv") else guess_delimiter(lines)
    limit = safety.csv_field_limit()
    try:
        sample = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error as err:
        raise InputError(f"{name}: a value in the first {len(lines)} lines cannot be read ({err}); a value longer "
                         f"than {limit:,} characters, or a stray quote: check the file and export it again.") from None
    width = max(map(len, sample), default=0)
    if width > safety.MAX_CSV_COLUMNS:
        raise InputError(f"{name}: {width:,} columns in one row, more than the {safety.MAX_CSV_COLUMNS:,} this app "
                         "reads. Delete unused columns (or check the delimiter) and upload it again.")
    top = as_text(pd.DataFrame([r + [None] * (width - len(r)) for r in sample], dtype=object))
    h = find_header_row(top, name)
    try:
        # The bytes themselves: a StringIO of the decoded text would hold it again, 4 bytes a character.
        raw = pd.read_csv(io.BytesIO(content), sep=delimiter, header=None, skiprows=h, dtype=str,
                          encoding="utf-8" if encoding == "utf-8-sig" else encoding,  # pandas skips a BOM
                          keep_default_na=False, na_filter=False, skip_blank_lines=False)
    except pd.errors.ParserError as err:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        where = (f"line {found.group(2)}: expected {found.group(1)} values (as in the header), saw "
                 f"{found.group(3)}" if found else str(err).splitlines()[0])
        raise InputError(f"{name}, {where}. A value probably contains the delimiter {delimiter!r} without quotes: "
                         "export the file again with values quoted.") from None
    if raw.shape[1] > safety.MAX_CSV_COLUMNS:
        raise InputError(f"{name}: {raw.shape[1]:,} columns, more than the {safety.MAX_CSV_COLUMNS:,} this app "
                         "reads. Delete unused columns and upload it again.")
    long = raw.apply(lambda c: c.str.len().max()).max() if len(raw) else 0
    if long and long > limit:
        raise InputError(f"{name}: a value is {int(long):,} characters long, more than the {limit:,} this app "
                         "reads in one cell. Check the file (a missing closing quote?) and export it again.")
    if _few_cells_one_dtype(raw):
        text = _text_at_once(raw)
    else:
        columns, index = list(raw.items()), raw.index
        del raw
        text = _as_text_taking(columns, index)
    frame = frame_below_header(text, name, row_offset=h + 1)
    frame.attrs["title_rows"] = _title_rows(top, h)  # pandas read from the header on
    return frame


# ------------------------------------------------------------------ XLSX
def workbook_grids(name: str, content: bytes) -> dict[str, pd.DataFrame]:
    """Every sheet of an XLSX as an object grid (row i = Excel row i + 1), checked first.

    python-calamine reads it (fast); openpyxl is the fallback for files it rejects.
    The sheets' real sizes are checked first, and a ``<dimension>`` that does
    not match the cells is corrected, since both parsers trust it
    (``safety.checked_workbook``). Run it in a limited child (``safety.parse_untrusted``,
    as the survey and roundtable readers do): a parser can still abort on a crafted file.
    """
    content = safety.checked_workbook(name, content)
    try:
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        grids = {}
        for sheet in book.sheet_names:
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            grids[sheet] = pd.DataFrame(rows, dtype=object)  # empty cells are "": as_text makes them NA
        return grids
    except MemoryError:
        raise
    except BaseException:  # noqa: BLE001 - calamine raises its own types, and pyo3 panics (BaseException)
        pass
    try:
        import openpyxl  # parses with defusedxml (imported by feedback.safety): XML bombs refused

        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        grids = {}
        for ws in wb:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # read the real cells, not the stated size
            grids[ws.title] = pd.DataFrame(list(ws.iter_rows(values_only=True)), dtype=object)
        wb.close()
        return grids
    except MemoryError:
        raise
    except Exception as err:  # noqa: BLE001 - any parser failure is a damaged file to the user
        raise InputError(f"{name} could not be read as an Excel workbook ({type(err).__name__}): open it in "
                         "Excel and save it again as .xlsx.") from None



def read_xlsx(name: str, content: bytes, grids: dict[str, pd.DataFrame] | None = None, *,
              refuse: Callable[[pd.DataFrame], None] | None = None) -> pd.DataFrame:
    """The first sheet with a header row and data below it (``grids``: the workbook already
    read by :func:`workbook_grids`). ``refuse(text)``, given a sheet (as text) without a
    header row, may raise a clearer ``InputError`` than "no header row" for it."""
    grids = workbook_grids(name, content) if grids is None else grids
    problems = []
    for sheet, grid in grids.items():
        text = as_text(grid)
        if text.isna().all().all():
            continue
        try:
            return frame_below_header(text, f"{name}, sheet {sheet!r}")
        except InputError as err:
            if refuse is not None:
                refuse(text)
            problems.append(str(err))
    if problems:
        raise InputError(problems[0])
    raise InputError(f"{name}: every sheet is empty. Check you chose the right workbook.")
