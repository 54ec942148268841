"""Write data tables workbooks in the layouts suppliers send, as test fixtures.

    python scripts/make_data_tables_fixtures.py     # writes tests/fixtures/data_tables/

sheet_base_once.xlsx: a cover sheet and an empty sheet first; then one sheet
whose Weighted / Unweighted Sample rows are given once under the banner for
every question, a routed question with its own Base and Sample rows, and a
question back on the sheet's base.
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


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "sheet_base_once.xlsx").write_bytes(sheet_base_once())
    print("sheet_base_once.xlsx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
