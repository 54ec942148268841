"""Write data tables workbooks in the layouts suppliers send, as test fixtures.

    python scripts/make_data_tables_fixtures.py     # writes tests/fixtures/data_tables/

sheet_base_once.xlsx: a cover sheet and an empty sheet first; then one sheet
whose Weighted / Unweighted Sample rows are given once under the banner for
every question, a routed question with its own Base and Sample rows, and a
question back on the sheet's base.

percent_rows.xlsx: the same two questions as fractions (0.52), as whole
numbers under a '%' row (52), both on one sheet, and with the '%' row given
once under the banner.

significance_letters.xlsx: column letters (A, B, ...) under the banner and
significance letters in the cells ('52 B', '0.80 C'), in a row of letters
under each answer row, and in an unlabelled column beside each figure.

base_lines.xlsx: 'Base: ...' lines above the question text and below the
table (each with and without a blank row between tables), and once under the
banner for the sheet.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import openpyxl

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "data_tables"

SHEET_BASE_ONCE = [
    ["Partners survey"], ["Fieldwork: June 2021"], [],
    [None, "Total", "Role", None], [None, "Total", "Health", "Police"],
    ["Weighted Sample", 200, 120, 80], ["Unweighted Sample", 190, 110, 80], [],
    ["Are you aware of the review?"], ["Yes", 0.8, 0.75, 0.875], ["No", 0.2, 0.25, 0.125], [],
    ["Was it useful? (those aware)"], ["Base: aware of the review"], ["Weighted Sample", 160, 90, 70],
    ["Unweighted Sample", 150, 82, 68], ["Useful", 0.6, 0.5, 0.7], ["Not useful", 0.4, 0.5, 0.3], [],
    ["Do you agree?"], ["NET: Agree", 0.7, 0.6, 0.85], ["Agree", 0.7, 0.6, 0.85], ["Disagree", 0.3, 0.4, 0.15],
]


def sheet_base_once() -> bytes:
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover.append(["Partners survey: data tables"])
    cover.append(["Contents: Tables"])
    wb.create_sheet("Empty")
    ws = wb.create_sheet("Tables")
    for row in SHEET_BASE_ONCE:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ shared questions
# Banner: Total, then Role (Health, Police), then Region (London, North).
SPANS = [None, "Total", "Role", None, "Region", None]
LABELS = [None, "Total", "Health", "Police", "London", "North"]
AWARE = ("Are you aware of the review?", "Base: All safeguarding partners (139)",
         [139, 80, 59, 70, 69], [139, 75, 64, 72, 67],
         [("Yes", [0.52, 0.60, 0.41, 0.55, 0.49]), ("No", [0.48, 0.40, 0.59, 0.45, 0.51])])
USEFUL = ("How useful is the review?", "Base: aware of the review",
          [72, 48, 24, 38, 34], [70, 45, 25, 36, 34],
          [("Very useful", [0.25, 0.30, 0.16, 0.27, 0.23]), ("Fairly useful", [0.45, 0.50, 0.34, 0.43, 0.47]),
           ("NET: Useful", [0.70, 0.80, 0.50, 0.70, 0.70]), ("Not useful", [0.30, 0.20, 0.50, 0.30, 0.30])])


def whole(values: list[float]) -> list[int]:
    return [round(v * 100) for v in values]


def book(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with a title block on each sheet, fractions shown as percentages."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in [["Safeguarding partners survey: data tables"], ["Fieldwork: June 2021"], [], *rows]:
            ws.append(row)
            for c in ws[ws.max_row][1:]:
                if isinstance(c.value, float):
                    c.number_format = "0%"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def question(q, *, percent_row=None, base: str = "under", numbers=lambda v: list(v)) -> list[list]:
    """One table: text, Base line (under the text, above it, below the table or none), Sample rows,
    an optional '%' row ('' empty cells, '%' a '%' in each), the answers."""
    text, base_line, weighted, unweighted, answers = q
    rows = [[base_line], [text]] if base == "above" else [[text], [base_line]] if base == "under" else [[text]]
    rows += [["Weighted Sample", *weighted], ["Unweighted Sample", *unweighted]]
    if percent_row is not None:
        rows.append(["%", *([percent_row or None] * len(weighted))])
    rows += [[label, *numbers(values)] for label, values in answers]
    if base == "below":
        rows.append([base_line])
    return rows


# ------------------------------------------------------------------ percent rows
def percent_rows() -> bytes:
    return book({
        "Fractions": [SPANS, LABELS, *question(AWARE), [], *question(USEFUL)],
        "Whole": [SPANS, LABELS, *question(AWARE, percent_row="", numbers=whole), [],
                  *question(USEFUL, percent_row="%", numbers=whole)],
        # fractions, then whole numbers under '%': each question is scaled on its own
        "Mixed": [SPANS, LABELS, *question(AWARE), [], *question(USEFUL, percent_row="", numbers=whole)],
        "Sheet percent": [SPANS, LABELS, ["%"], [], *question(AWARE, numbers=whole), [],
                          *question(USEFUL, numbers=whole)],
    })


# ------------------------------------------------------------------ significance letters
LETTERS = [None, "A", "B", "C", "D", "E"]
# (question, answer) -> letters per banner column, as published: the columns this figure is above
SIG = {("Are you aware of the review?", "Yes"): ["", "C", "", "", ""],
       ("Are you aware of the review?", "No"): ["", "", "B", "", ""],
       ("How useful is the review?", "NET: Useful"): ["", "CE", "", "C", "C"],
       ("How useful is the review?", "Not useful"): ["", "", "AB", "", ""]}


def _sig(q, label: str) -> list[str]:
    return SIG.get((q[0], label), [""] * len(q[2]))


def _spread(row: list) -> list:
    """Each banner column followed by an unlabelled one (where letters go)."""
    return [row[0], *[x for v in row[1:] for x in (v, None)]]


def significance_letters() -> bytes:
    def in_cells(q, figures) -> list[tuple[str, list]]:  # '60 C', '0.8 CE'; figures without letters stay numbers
        return [(label, [f"{x} {s}" if s else x for x, s in zip(figures(values), _sig(q, label))])
                for label, values in q[4]]

    def letters_row(q) -> list[list]:  # a row of letters under each answer row that has any
        out = []
        for row in question(q):
            out.append(row)
            if any(_sig(q, row[0])):
                out.append([None, *[s or None for s in _sig(q, row[0])]])
        return out

    def letters_beside(q) -> list[list]:  # letters in an unlabelled column right of each figure
        out = []
        for row in question(q):
            spread = _spread(row)
            if any(_sig(q, row[0])):
                spread[2::2] = [s or None for s in _sig(q, row[0])]
            out.append(spread)
        return out

    aware = (*AWARE[:4], in_cells(AWARE, whole))
    useful = (*USEFUL[:4], in_cells(USEFUL, list))
    return book({
        "In cells": [SPANS, LABELS, LETTERS, *question(aware, percent_row=""), [], *question(useful)],
        "Letters row": [[None, *LABELS[1:]], [None, *[f"({x})" for x in LETTERS[1:]]],
                        *letters_row(AWARE), [], *letters_row(USEFUL)],
        "Letters beside": [_spread(SPANS), _spread(LABELS), _spread(LETTERS), *letters_beside(AWARE), [],
                           *letters_beside(USEFUL)],
    })


# ------------------------------------------------------------------ base lines
def base_lines() -> bytes:
    routed = ("Was it useful? (those aware)", "Base: those aware of the review", [72, 48, 24, 38, 34],
              [70, 45, 25, 36, 34],
              [("Useful", [0.7, 0.8, 0.5, 0.7, 0.7]), ("Not useful", [0.3, 0.2, 0.5, 0.3, 0.3])])
    back = ("Do you agree?", [("Agree", [0.6, 0.7, 0.46, 0.6, 0.6]), ("Disagree", [0.4, 0.3, 0.54, 0.4, 0.4])])
    return book({
        "Base above": [SPANS, LABELS, *question(AWARE, base="above"), [], *question(USEFUL, base="above")],
        # above, with no blank row between the tables: the first question's line says which
        "Base above, no gaps": [SPANS, LABELS, *question(AWARE, base="above"), *question(USEFUL, base="above")],
        # below the table, then the next question with no blank row between
        "Base below": [SPANS, LABELS, *question(AWARE, base="below"), *question(USEFUL, base="below")],
        "Sheet base": [SPANS, LABELS, ["Base: all respondents"], ["Weighted Sample", *AWARE[2]],
                       ["Unweighted Sample", *AWARE[3]], [], [AWARE[0]], *[[a, *v] for a, v in AWARE[4]], [],
                       *question(routed), [], [back[0]], *[[a, *v] for a, v in back[1]]],
    })


FIXTURES = {"sheet_base_once.xlsx": sheet_base_once, "percent_rows.xlsx": percent_rows,
            "significance_letters.xlsx": significance_letters, "base_lines.xlsx": base_lines}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in FIXTURES.items():
        (OUT / name).write_bytes(make())
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
