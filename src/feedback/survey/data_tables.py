"""YouGov-style data tables (crosstab workbooks) read into the results model.

Published tables give, per question and banner column, the percentage of each
answer and the weighted and unweighted bases, not respondents. They are read
into a long frame (one row per question x answer x column), and
``rates_from_tables`` turns that into the same results model as respondent
data, with intervals computed from the published unweighted bases (marked
``source = "data tables"``).

Layout read (each sheet): a title block, a blank row, banner row 1 with group
spans (``Total``, ``Role`` above the first role column, ``Region`` ...),
banner row 2 with each column's label; then per question: its text in column
A, ``Base: ...``, ``Weighted Sample``, ``Unweighted Sample``, answer rows
(``NET: ...`` rows are nets), a blank row. The variations suppliers send
(docs/architecture.md lists them): Sample rows once under the banner for
every question without its own; a ``%`` row before the answers (or once
under the banner) saying they are whole numbers (52 for 52%); a row of
column letters (A, B, ...) under the banner and significance letters in the
cells ('52 B'), in a row under each answer row or in a column beside each
figure; ``Base:`` lines above the question text, below the table or once
under the banner. Empty sheets and a cover sheet without a banner are
skipped; a fault in a table sheet is raised, naming its cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from feedback import safety
from feedback.errors import InputError
from feedback.grids import XLSX_SUFFIXES, as_text, column_letter, workbook_grids
from feedback.survey.answers import answer_key
from feedback.survey.codebook import Codebook, Question

TABLE_COLUMNS = ["sheet", "question", "question_text", "base_label", "answer", "is_net", "by", "group", "n",
                 "base_weighted", "percent", "letter", "sig"]
_WEIGHTED = re.compile(r"^weighted\s+(sample|base|total)\b", re.I)
_UNWEIGHTED = re.compile(r"^unweighted\s+(sample|base|total)\b", re.I)
_BASE = re.compile(r"^base\s*[:\-]\s*", re.I)
_NET = re.compile(r"^net\s*:\s*", re.I)
_SKIP = re.compile(r"^(sigma|question id\s*:|note\s*:|source\s*:)", re.I)
_NONE = {"*", "-", "–", "—"}  # shown for zero / below 0.5%
_PERCENT_ROW = re.compile(r"^(col(umn)?\s*)?%$", re.I)  # the answer rows below are whole-number percentages
_LETTER_CELL = r"^\(?([A-Z]{1,2})\)?$"  # a column letter under the banner: A or (A)
# a number, '*', '-' or '<1%', then significance letters: '52 B', '0.52 AB', '52%A,B', or the letters alone
_SIG_CELL = (r"^(?P<num>[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*%?|<\s*[\d.]+\s*%?|[*\-–—])?"
             r"\s*(?P<sig>[A-Za-z](?:[\s,]*[A-Za-z])*)?$")


class _NotATable(InputError):
    """A sheet that holds no table (a cover, contents or notes sheet): skipped when another sheet has one."""


def _key(text) -> str:
    return " ".join(str(text).split()).casefold()


def slugify(text: str) -> str:
    """A question id from its text: lower-case words joined by '_', cut at a word near 40 characters."""
    slug = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    if len(slug) > 40:
        slug = slug[:41].rsplit("_", 1)[0] if "_" in slug[:41] else slug[:40]
    return slug or "question"


def _plain_numbers(text: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(value, written_as_percent) of text cells holding 0.49, 49, '49%', '*', '-', '<1%' or nothing."""
    percent_text = text.apply(lambda c: c.str.endswith("%", na=False))
    cleaned = text.apply(lambda c: c.str.rstrip("%").str.replace(",", "", regex=False).str.strip())
    values = cleaned.apply(pd.to_numeric, errors="coerce")
    values = values.mask(text.isin(_NONE) | text.apply(lambda c: c.str.startswith("<", na=False)), 0.0)  # '<1%
    values = values.mask(percent_text, values / 100)
    return values.astype(float), percent_text


def _cells(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """(value, written_as_percent, significance letters, readable) of each cell; the last two as arrays.

    Plain numbers take the fast path; only the cells left over (such as '52 B'
    or a cell of letters alone) go through the pattern of a number followed by
    significance letters. ``readable`` is False for a cell that is neither.
    """
    text = as_text(raw)
    values, percent_text = _plain_numbers(text)
    value, percent = values.to_numpy(copy=True), percent_text.to_numpy(copy=True)
    sig = np.full(text.shape, "", dtype=object)
    readable = np.ones(text.shape, dtype=bool)
    rest = (text.notna() & values.isna()).to_numpy()
    if rest.any():
        i, j = np.nonzero(rest)
        cells = pd.Series(text.to_numpy(dtype=object)[i, j], dtype=object)
        parts = cells.str.extract(_SIG_CELL)
        number, written = _plain_numbers(parts[["num"]].astype(str).where(parts[["num"]].notna()))
        value[i, j] = number["num"].to_numpy()
        percent[i, j] = written["num"].to_numpy()
        sig[i, j] = parts["sig"].fillna("").str.replace(r"[\s,]", "", regex=True).to_numpy(dtype=object)
        readable[i, j] = parts.notna().any(axis=1).to_numpy()
    return (pd.DataFrame(value, index=raw.index, columns=raw.columns).astype(float),
            pd.DataFrame(percent, index=raw.index, columns=raw.columns).astype(bool), sig, readable)


def _column_number(letters: str) -> int:
    """'A' -> 1, 'AB' -> 28 (Excel's column naming, which suppliers' column letters follow)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(text: pd.DataFrame, r: int, columns: list[int]) -> list[str] | None:
    """The banner columns' letters when row ``r`` is a column letters row (A, B, C... or (A), (B)...,
    column A empty, in order), else None. Columns without a letter (often Total) get ''."""
    if not 0 <= r < len(text) or pd.notna(text.iloc[r, 0]):
        return None
    cells = text.iloc[r, columns]
    if cells.notna().sum() < 2 or text.iloc[r, 1:].notna().sum() != cells.notna().sum():
        return None
    found = cells.dropna().str.extract(_LETTER_CELL)[0]
    if found.isna().any():
        return None
    numbers = [_column_number(x) for x in found]
    if any(b - a != 1 for a, b in zip(numbers, numbers[1:])):
        return None
    return cells.str.extract(_LETTER_CELL)[0].fillna("").tolist()


def _banner(text: pd.DataFrame, where: str) -> tuple[int, list[int], list[str], list[str], list[str]]:
    """(last banner row, data columns, their grouping 'by', their group label, their column letter).

    The banner is the row with 'Total' (column A empty) and, when the row just
    below or above it is also a banner row, that pair: spans (Role, Region)
    over labels (Social worker, ..., London). A row of column letters (A, B,
    C...) just below it is part of the banner; the letters are '' without one.
    """
    label_col = text.iloc[:, 0]
    totals = text.iloc[:, 1:].apply(lambda c: c.str.casefold().eq("total")).any(axis=1) & label_col.isna()
    rows = np.flatnonzero(totals.to_numpy())
    if not len(rows):
        raise _NotATable(f"{where}: no banner found (a row with 'Total' at the top of a column, column A empty). "
                         "Data tables need the group labels above the percentages: Total, then e.g. Role and "
                         "Region columns.")
    first = int(rows[0])
    everything = list(range(1, text.shape[1]))

    def banner_row(r: int) -> bool:
        return (0 <= r < len(text) and pd.isna(label_col.iloc[r]) and text.iloc[r, 1:].notna().any()
                and _column_letters(text, r, everything) is None)

    if banner_row(first + 1):
        spans_at, labels_at = first, first + 1
    elif banner_row(first - 1):
        spans_at, labels_at = first - 1, first
    else:
        spans_at, labels_at = None, first
    labels_row = text.iloc[labels_at, 1:]
    if spans_at is not None:
        spans_row = text.iloc[spans_at, 1:]
        labels_row = labels_row.fillna(spans_row.where(spans_row.str.casefold().eq("total")))
        spans = spans_row.ffill()
    else:
        spans = pd.Series(pd.NA, index=labels_row.index, dtype=str)
    columns = [int(c) for c in np.flatnonzero(labels_row.notna().to_numpy()) + 1]
    by, group = [], []
    for c in columns:
        label, span = str(labels_row[c]), spans[c]
        if _key(label) == "total":
            by.append("total")
            group.append("Total")
        else:
            by.append(_key(span) if pd.notna(span) else "group")
            group.append(label)
    letters = _column_letters(text, labels_at + 1, columns)
    if letters is None:
        return labels_at, columns, by, group, [""] * len(columns)
    return labels_at + 1, columns, by, group, letters


def _cell_error(where: str, text: pd.DataFrame, row, col: int, problem: str) -> InputError:
    """One line naming the cell (Excel's A1 name) and what is wrong with it."""
    return InputError(f"{where}, cell {column_letter(col)}{int(row) + 1}: {text.at[row, col]!r} {problem}")


def _first(mask: np.ndarray, rows: pd.Index, columns: list[int]) -> tuple[object, int] | None:
    """(row label, column) of the first True cell of ``mask`` in reading order, or None."""
    hits = np.argwhere(mask)
    if not len(hits):
        return None
    i, j = hits[0]
    return rows[i], columns[j]


def _significance(where: str, text: pd.DataFrame, grid: pd.DataFrame, body: slice, columns: list[int],
                  letters: list[str], answers: np.ndarray, cells: tuple) -> np.ndarray:
    """Each answer cell's significance letters ('' for none): written in the cell ('52 B'), in a
    row of letters just below the answer row (column A empty), or in an unlabelled column just
    right of it. Checked against the column letters row when there is one."""
    values, _, sig, readable = cells
    rows = text.index[body]
    filled = text.iloc[body, columns].notna().to_numpy()
    out = np.where(answers[:, None], sig, "")
    below = (text.iloc[body, 0].isna().to_numpy() & filled.any(axis=1) & values.isna().all(axis=1).to_numpy()
             & np.r_[False, answers[:-1]])
    if below.any():
        bad = _first(filled & ~readable & below[:, None], rows, columns)
        if bad:
            raise _cell_error(where, text, *bad, "is not significance letters (such as 'B' or 'AB') under the "
                              "percentage above; correct the cell.")
        at = np.flatnonzero(below)
        out[at - 1] = out[at - 1] + sig[at]
    beside = [c + 1 for c in columns if c + 1 not in columns and c + 1 < grid.shape[1]]
    if beside:
        b_values, _, b_sig, b_readable = _cells(grid.iloc[body, beside])
        b_filled = text.iloc[body, beside].notna().to_numpy() & answers[:, None]
        letters_seen = (b_sig != "") & b_filled
        kept = np.flatnonzero(~(b_values.notna().to_numpy() & b_filled).any(axis=0) & letters_seen.any(axis=0))
        if len(kept):
            bad = _first(b_filled[:, kept] & ~b_readable[:, kept], rows, [beside[k] for k in kept])
            if bad:
                raise _cell_error(where, text, *bad, "is not significance letters (such as 'B' or 'AB') for "
                                  "the percentage to its left; correct the cell.")
            to = [columns.index(beside[k] - 1) for k in kept]
            out[:, to] = out[:, to] + np.where(b_filled[:, kept], b_sig[:, kept], "")
    # with a column letters row, letters in either case must name its columns; without one, capitals
    named = "".join(sorted({ch for x in letters for ch in x}))
    i, j = np.nonzero(out != "")
    if len(i):
        found = pd.Series(out[i, j], dtype=object)
        stray = ~(found.str.upper() if named else found).str.fullmatch(f"[{named or 'A-Z'}]+").to_numpy()
        if stray.any():
            k = int(np.argmax(stray))
            cell = f"{where}, cell {column_letter(columns[j[k]])}{int(rows[i[k]]) + 1}"
            if named:
                raise InputError(f"{cell}: the significance letters {found[k]!r} name a column that the column "
                                 f"letters row does not ({', '.join(x for x in letters if x)}); correct the letters.")
            raise InputError(f"{cell}: {found[k]!r} after the figure is not significance letters in capitals "
                             "(such as 'B'); correct the cell, or add the row of column letters (A, B, ...) under "
                             "the banner.")
    return out


def _sheet(name: str, sheet: str, grid: pd.DataFrame) -> pd.DataFrame:
    """Long frame (one row per question x answer x column) for one sheet."""
    where = f"{name}, sheet {sheet!r}"
    text = as_text(grid)
    last, columns, by, group, letters = _banner(text, where)
    body = slice(last + 1, None)
    body_text = text.iloc[body]
    cells = _cells(grid.iloc[body, columns])
    values, written_percent, _, readable = cells
    label = body_text.iloc[:, 0]
    filled = body_text.iloc[:, columns].notna().to_numpy()
    in_table = pd.Series(filled.any(axis=1), index=label.index)
    is_base = label.str.match(_BASE.pattern, case=False, na=False)
    is_w = label.str.match(_WEIGHTED.pattern, case=False, na=False)
    is_u = label.str.match(_UNWEIGHTED.pattern, case=False, na=False)
    is_pct = label.str.fullmatch(_PERCENT_ROW.pattern, case=False, na=False)
    skip = label.str.match(_SKIP.pattern, case=False, na=False) | is_base | is_w | is_u | is_pct
    is_question = label.notna() & ~in_table & ~skip
    is_answer = label.notna() & in_table & ~skip
    block = is_question.cumsum()
    stray = is_answer & (block == 0)
    if stray.any():
        row = int(stray.idxmax()) + 1
        raise InputError(f"{where}, row {row}: answer {label[stray].iloc[0]!r} comes before any question text. "
                         "Put the question in column A above its Base and Sample rows.")
    if not is_answer.any():
        raise _NotATable(f"{where}: no answer rows with percentages found below the banner (row {last + 1}).")
    bad = _first(filled & (~readable | values.isna().to_numpy()) & is_answer.to_numpy()[:, None], label.index,
                 columns)
    if bad:  # words, or letters with no figure before them
        raise _cell_error(where, text, *bad, "is not a percentage (a number such as 52, 0.52 or 52%, optionally "
                          "followed by significance letters as in '52 B'); correct the cell.")
    if is_pct.any():
        marks = body_text.loc[is_pct, columns]
        bad = _first((marks.notna() & marks.ne("%")).to_numpy(), marks.index, columns)
        if bad:
            raise _cell_error(where, text, *bad, "is in a '%' row, which only says that the answer rows below it "
                              "are whole-number percentages (52 for 52%); leave its cells empty or '%'.")
    qtext = label.where(is_question).groupby(block).transform("first")
    base_label = _base_labels(label, is_base, is_question, in_table, block)
    weighted = values.where(is_w, axis=0).groupby(block).transform("first")
    unweighted = values.where(is_u, axis=0).groupby(block).transform("first")
    # A pair given once under the banner (before any question) is the sheet's base: every
    # question without its own pair (e.g. after a routed question that had one) uses it.
    sheet_w, sheet_u = weighted[block == 0], unweighted[block == 0]
    if len(sheet_u) and sheet_u.notna().any(axis=None):
        own = unweighted.notna().any(axis=1)
        weighted = weighted.where(own, axis=0).fillna(sheet_w.iloc[0]) if len(sheet_w) else weighted
        unweighted = unweighted.where(own, axis=0).fillna(sheet_u.iloc[0])
    answers = is_answer & qtext.notna()
    missing_n = answers & unweighted.isna().all(axis=1)
    if missing_n.any():
        row = int(missing_n.idxmax()) + 1
        raise InputError(f"{where}, row {row}: the question {qtext[missing_n].iloc[0]!r} has no 'Unweighted "
                         "Sample' row with the unweighted base of each column; add it above the answers.")
    weighted = weighted.fillna(unweighted)
    pct = _percentages(where, text, values, written_percent, answers, is_pct, block)
    sig = _significance(where, text, grid, body, columns, letters, answers.to_numpy(), cells)
    k = len(columns)
    rows = int(answers.sum())
    base_u = unweighted[answers].to_numpy()
    out = pd.DataFrame({
        "sheet": sheet,
        "question_text": np.repeat(qtext[answers].to_numpy(dtype=object), k),
        "base_label": np.repeat(base_label[answers].fillna("").to_numpy(dtype=object), k),
        "answer": np.repeat(label[answers].to_numpy(dtype=object), k),
        "is_net": np.repeat(label[answers].str.match(_NET.pattern, case=False).to_numpy(), k),
        "by": np.tile(np.array(by, dtype=object), rows),
        "group": np.tile(np.array(group, dtype=object), rows),
        "n": base_u.ravel(),
        "base_weighted": weighted[answers].to_numpy().ravel(),
        "percent": pct.fillna(0.0).to_numpy().ravel(),
        "letter": np.tile(np.array(letters, dtype=object), rows),
        "sig": sig[answers.to_numpy()].ravel(),
        "_col": np.tile(columns, rows),
        "_row": np.repeat(label.index[answers].to_numpy() + 1, k),
    })
    if out["n"].isna().any():
        r = out[out["n"].isna()].iloc[0]
        raise InputError(f"{where}, row {int(r['_row'])}, column {column_letter(int(r['_col']))}: the unweighted "
                         "base is missing for this column; fill in the 'Unweighted Sample' row.")
    return out


def _base_labels(label: pd.Series, is_base: pd.Series, is_question: pd.Series, in_table: pd.Series,
                 block: pd.Series) -> pd.Series:
    """Each row's question's base description, from a 'Base: ...' line under the question text,
    below its table, or directly above the question text.

    A line directly above a question text is that question's when the sheet's
    first question has one there, or when it does not close the table above
    (no row of figures just before it). A line before every question, not
    directly above one, is the sheet's base, for questions without their own.
    """
    next_question = is_question.shift(-1, fill_value=False)
    first_question = int(np.argmax(is_question.to_numpy()))
    sheet_above = first_question > 0 and bool(is_base.iloc[first_question - 1])
    after_table = in_table.shift(1, fill_value=False)
    above = is_base & next_question & (sheet_above | ~after_table)
    owner = block + above.astype(int)
    text = label.where(is_base).str.replace(_BASE, "", regex=True)
    by_block = text.groupby(owner).first()
    own = block.map(by_block)
    return own.fillna(by_block.get(0, np.nan)).where(block > 0)


def _percentages(where: str, text: pd.DataFrame, values: pd.DataFrame, written_percent: pd.DataFrame,
                 answers: pd.Series, is_pct: pd.Series, block: pd.Series) -> pd.DataFrame:
    """Answer rows' percentages as 0-1.

    Under a '%' row (in its question, or in all of them when it is given once
    under the banner) numbers are whole percentages: 52 is 52%. Elsewhere,
    whole numbers (49 for 49%) are told from fractions per sheet; '49%' text
    already is scaled.
    """
    under = is_pct.astype(int).groupby(block).cummax().astype(bool) | bool(is_pct[block == 0].any())
    pct = values[answers]
    raw = pct.to_numpy()
    whole = under[answers].to_numpy()[:, None] & ~written_percent[answers].to_numpy()
    free = ~under[answers].to_numpy()[:, None] & ~written_percent[answers].to_numpy()
    if (raw[free & np.isfinite(raw)] > 1 + 1e-9).any():
        whole = whole | free
    pct = pct.mask(whole, pct / 100)
    bad = _first(((pct < 0) | (pct > 1 + 1e-6)).to_numpy(), pct.index, list(pct.columns))
    if bad:
        r, c = bad
        scale = ("under a '%' row, where numbers are whole percentages from 0 to 100" if under[r]
                 else "outside 0-100%")
        raise _cell_error(where, text, r, c, f"is {scale}; check the cell.")
    return pct


def _title_block(grid: pd.DataFrame) -> dict[str, str]:
    """title / fieldwork / sample from the lines above the banner of the first sheet."""
    lines = [str(x) for x in as_text(grid.iloc[:10, :1]).iloc[:, 0].dropna()]
    meta = {}
    for line in lines:
        low = line.casefold()
        if low.startswith("fieldwork"):
            meta["fieldwork"] = line.split(":", 1)[-1].strip()
        elif low.startswith("sample"):
            meta["sample"] = line.split(":", 1)[-1].strip()
        elif "title" not in meta and not low.startswith(("base", "synthetic")):
            meta["title"] = line
    return meta


def assign_ids(tables: pd.DataFrame, codebook=None) -> pd.DataFrame:
    """Question ids: the codebook's where its text matches (case/space-insensitive), else a
    slug; the same text on two sheets is two questions: the codebook's ids for that text in
    order, then ``_2`` added."""
    blocks = tables["sheet"].astype(str) + "\x00" + tables["question_text"].astype(str)
    by_text: dict[str, list[str]] = {}  # one text on several sheets: the codebook's ids in order
    for q in getattr(codebook, "questions", []):
        if q.text:
            by_text.setdefault(_key(q.text), []).append(q.id)
    ids, used = {}, set()
    for block in dict.fromkeys(blocks):
        text = block.split("\x00", 1)[1]
        known = by_text.get(_key(text), [])
        qid = (known.pop(0) if len(known) > 1 else known[0] if known else "") or slugify(text)
        base, i = qid, 2
        while qid in used:
            qid, i = f"{base}_{i}", i + 1
        ids[block] = qid
        used.add(qid)
    return tables.assign(question=blocks.map(ids))


def read_data_tables(filename: str, content: bytes, codebook=None) -> pd.DataFrame:
    """Every sheet's questions as one long frame (columns ``TABLE_COLUMNS``; ``letter`` is the
    banner column's letter and ``sig`` the significance letters published with the figure, both
    '' when the tables have none).

    ``attrs`` carries the title block (title, fieldwork, sample, source).
    Parsed in a limited child process (``feedback.isolation``).
    """
    name = Path(filename).name or "the workbook"
    if not name.lower().endswith(XLSX_SUFFIXES):
        raise InputError(f"{name}: data tables must be an Excel workbook (.xlsx).")
    safety.check_size(name, content)
    out = safety.parse_untrusted(_read_data_tables, name, content, codebook)
    return out


def _read_data_tables(name: str, content: bytes, codebook=None) -> pd.DataFrame:
    grids = workbook_grids(name, content)
    frames, problems = [], []
    for sheet, grid in grids.items():
        if as_text(grid).isna().all().all():
            continue
        if grid.shape[1] < 2:
            grid = grid.reindex(columns=range(2))
        try:
            frames.append(_sheet(name, sheet, grid))
        except _NotATable as err:  # a cover or notes sheet; a table sheet's own faults are raised
            problems.append(str(err))
    if not frames:
        raise InputError(problems[0] if problems else f"{name}: every sheet is empty.")
    out = assign_ids(pd.concat(frames, ignore_index=True), codebook)
    out = out[TABLE_COLUMNS]
    first = next((g for g in grids.values() if not as_text(g).isna().all().all()), None)
    out.attrs.update(_title_block(first) if first is not None and first.shape[1] else {})
    if out.attrs.get("title"):
        out.attrs["source"] = f"Source: {out.attrs['title']} (published data tables)"
    return out


def is_data_tables(filename: str, content: bytes) -> bool:
    """Is this upload a data tables workbook (so the app routes it here)?"""
    if not str(filename).lower().endswith(XLSX_SUFFIXES) or not content.startswith(b"PK"):
        return False
    name = Path(filename).name or "the workbook"
    try:
        safety.check_size(name, content)
        return bool(safety.parse_untrusted(_is_data_tables, name, content))
    except InputError:
        return False


def _is_data_tables(name: str, content: bytes) -> bool:
    grids = workbook_grids(name, content)
    return any(looks_like_tables(as_text(grid)) for grid in grids.values() if not grid.empty)


def looks_like_tables(text: pd.DataFrame) -> bool:
    """A sheet (as text) with 'Unweighted Sample' rows in column A under a 'Total' banner."""
    if text.shape[1] < 2 or not text.iloc[:, 0].str.match(_UNWEIGHTED.pattern, case=False, na=False).any():
        return False
    try:
        _banner(text.iloc[:60], "")
    except InputError:
        return False
    return True


# ------------------------------------------------------------------ results model
def _chosen(tables: pd.DataFrame, codebook) -> tuple[pd.Series, pd.Series]:
    """(positive, excluded) per row: which answer rows make up p, and which leave the base."""

    key = tables["answer"].map(answer_key)
    bare = tables["answer"].str.replace(_NET, "", regex=True).map(answer_key)
    positive = pd.Series(False, index=tables.index)
    excluded = pd.Series(False, index=tables.index)
    questions = {q.id: q for q in getattr(codebook, "questions", [])}
    for qid, rows in tables.groupby("question", sort=False).groups.items():
        sub_key, sub_bare, net = key[rows], bare[rows], tables.loc[rows, "is_net"]
        q = questions.get(qid)
        if q is not None and q.positive:
            wanted = {answer_key(p) for p in q.positive}
            pick = ~net & sub_key.isin(wanted)
            if not pick.any():
                pick = net & (sub_key.isin(wanted) | sub_bare.isin(wanted))
            if not pick.any():
                sheet = tables.loc[rows[0], "sheet"]
                raise InputError(f"sheet {sheet!r}, question {qid!r}: none of the codebook's positive answers "
                                 f"{q.positive} is an answer row of the table "
                                 f"({', '.join(dict.fromkeys(tables.loc[rows, 'answer']))}); correct the codebook.")
            excluded[rows] = ~net & sub_key.isin({answer_key(e) for e in q.exclude})
        elif net.any():
            pick = net & sub_bare.eq(sub_bare[net].iloc[0])
        elif sub_key.eq("yes").any():
            pick = sub_key.eq("yes")
        else:
            pick = sub_key.eq(sub_key.iloc[0])
        positive[rows] = pick
    return positive, excluded


def _select(tables: pd.DataFrame, by, filter: Mapping | None) -> pd.DataFrame:
    """Keep the total and the requested groupings (published tables have no crossings)."""
    present = list(dict.fromkeys(tables["by"]))
    if filter:
        if len(filter) != 1:
            raise InputError("data tables can be filtered on one grouping only (e.g. region=\"London\").")
        (key, value), = filter.items()
        value = value if isinstance(value, str) else (list(value) + [""])[0]
        hit = (tables["by"] == _key(key)) & (tables["group"].map(_key) == _key(value))
        if not hit.any():
            raise InputError(f"the data tables have no column {key} = {value!r}; "
                             f"columns: {', '.join(dict.fromkeys(tables['group']))}")
        if by:
            raise InputError("published data tables do not cross groups: use --filter alone, or --by alone.")
        return tables[hit].assign(by="total")
    if by is None:
        keys = [b for b in present if b != "total"]
    else:
        keys = []
        for grouping in ([by] if isinstance(by, str) else by):
            grouping = (grouping,) if isinstance(grouping, str) else tuple(grouping)
            if len(grouping) != 1:
                raise InputError(f"data tables publish no crossing {' × '.join(grouping)}: choose "
                                 f"{' or '.join(grouping)} alone, or use the respondent-level file.")
            if _key(grouping[0]) not in present:
                raise InputError(f"the data tables have no {grouping[0]!r} columns; they have: "
                                 f"{', '.join(present)}")
            keys.append(_key(grouping[0]))
    return tables[tables["by"].isin(["total", *keys])]


def rates_from_tables(tables, codebook=None, *, by=None, filter: Mapping | None = None, level: float = 0.95,
                      method: str = "wilson", small_base=None) -> pd.DataFrame:
    """The results model (docs/architecture.md) from data tables.

    ``tables``: the frame of ``read_data_tables``, or a file name with the
    workbook's bytes as second argument (``rates_from_tables(name, content,
    by=...)``). p is the codebook's positive answers (a net row, or the sum of
    answer rows), else the first NET row, else "Yes", else the first answer.
    n and n_eff are the unweighted base, so intervals are those of a simple
    random sample of the published base; deff is unknown (NaN).
    """
    # Here, not at the top: the parsing child reads workbooks without the results engine (and SciPy).
    from feedback.intervals import DEFAULT_SMALL_BASE, check_level, check_method, proportion_interval
    from feedback.survey.rates import COLUMN_DEFAULTS, COLUMNS

    if isinstance(codebook, (bytes, bytearray)):
        tables, codebook = read_data_tables(str(tables), bytes(codebook)), None
    method, level = check_method(method), check_level(level)
    small_base = small_base or DEFAULT_SMALL_BASE
    if codebook is not None or "question" not in tables:
        tables = assign_ids(tables, codebook)
    positive, excluded = _chosen(tables, codebook)
    tables = _select(tables.assign(_pos=tables["percent"].where(positive, 0.0),
                                   _exc=tables["percent"].where(excluded, 0.0)), by, filter)
    keys = ["question", "by", "group"]
    grouped = tables.groupby(keys, sort=False)
    out = grouped.agg(question_text=("question_text", "first"), base_label=("base_label", "first"),
                      n=("n", "first"), base_weighted=("base_weighted", "first"), p=("_pos", "sum"),
                      excluded=("_exc", "sum")).reset_index()
    kept = (1 - out["excluded"]).clip(lower=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.clip(out["p"] / kept, 0, 1)
    n = np.round(out["n"] * kept).astype(np.int64)
    suppressed = n < small_base.suppress
    p = p.where(~suppressed)
    low, high = proportion_interval(p.to_numpy(), n.to_numpy(float), method, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(p * (1 - p) / n)
    questions = {q.id: q for q in getattr(codebook, "questions", [])}
    out["base_label"] = [bl or getattr(questions.get(q), "base_label", "") or ""
                         for q, bl in zip(out["question"], out["base_label"])]
    out = out.assign(n=n, base_weighted=out["base_weighted"] * kept, p=p, ci_low=low, ci_high=high,
                     n_eff=n.astype(float), deff=np.nan, se=se,
                     flag=np.where(suppressed, "[c]", np.where(n < small_base.flag, "[u]", "")),
                     sig_vs_rest="", p_value_vs_rest=np.nan, p_adj_vs_rest=np.nan, method=method, level=level,
                     source="data tables", **COLUMN_DEFAULTS)
    out.attrs.update(tables.attrs)
    return out[COLUMNS].reset_index(drop=True)


# ------------------------------------------------------------------ draft codebook
def suggest_tables_codebook(tables: pd.DataFrame):
    """A draft codebook for a data tables workbook: one question per table, with its id,
    text, base label and positive answers (the first net, else "Yes", else the first
    answer), so several waves can share ids once the drafts are edited to match."""

    questions = []
    for qid, rows in tables.groupby("question", sort=False):
        answers = list(dict.fromkeys(rows["answer"]))
        nets = list(dict.fromkeys(rows.loc[rows["is_net"], "answer"]))
        bare = [_NET.sub("", a).casefold() for a in answers]
        if nets:
            positive = [nets[0]]
        elif "yes" in bare:
            positive = [answers[bare.index("yes")]]
        else:
            positive = answers[:1]
        words = " ".join(positive).casefold()
        kind = ("yes_no" if words.strip() == "yes" else "usefulness" if "useful" in words
                else "agreement" if "agree" in words else "awareness" if "aware" in words else "agreement")
        questions.append(Question(id=str(qid), column=str(qid), text=str(rows["question_text"].iloc[0]), kind=kind,
                                  positive=positive, base_label=str(rows["base_label"].iloc[0] or "")))
    attrs = tables.attrs
    return Codebook(title=str(attrs.get("title", "")), fieldwork=str(attrs.get("fieldwork", "")),
                    source=str(attrs.get("source", "")), questions=questions)
