"""Plain CSV/XLSX grids (feedback.grids): the reading the survey and the roundtables share."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from feedback import grids, safety
from feedback.errors import InputError


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for title, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=title, header=False, index=False)
    return out.getvalue()


def test_column_letters():
    assert [grids.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_a_grid_converted_in_one_pass_is_what_converting_it_column_by_column_gives():
    grid = pd.DataFrame([["a", " 2.0", None, 3.0], ["", "b ", "x", "4"]], dtype=object)
    for g in (grid, grid.astype("str")):
        assert grids._few_cells_one_dtype(g)
        by_column = pd.DataFrame({k: grids._text_column(c) for k, c in g.items()}, dtype=str)
        pd.testing.assert_frame_equal(grids.as_text(g), by_column)


def test_csv_header_found_below_a_title_and_delimiter_guessed():
    content = b"Partners survey 2024\n\nid;role;answer\n1;Social worker;Yes\n2;Police;No\n"
    frame = grids.read_csv("points.csv", content)
    assert list(frame.columns) == ["id", "role", "answer"]
    assert frame["answer"].tolist() == ["Yes", "No"]
    assert frame.attrs["title_rows"] == ["Partners survey 2024"]
    assert grids.guess_delimiter(["a;b;c", "1;2;3", "x,y;z;w"]) == ";"


def test_first_lines_cut_only_where_pandas_cuts():
    assert grids.first_lines(b"a\x0bb\r\nc\rd\ne", "utf-8", 3) == ["a\x0bb", "c", "d"]


def test_xlsx_first_sheet_with_a_header_and_the_refusal_hook():
    content = _xlsx({"Cover": [["Partners survey"]], "Data": [["id", "answer"], [1, "Yes"], [2, "No"]]})
    with safety.in_process():
        frame = grids.read_xlsx("book.xlsx", content)
    assert list(frame.columns) == ["id", "answer"] and frame["id"].tolist() == ["1", "2"]

    def refuse(text: pd.DataFrame) -> None:
        raise InputError(f"not this kind of workbook ({text.iloc[0, 0]})")

    with safety.in_process(), pytest.raises(InputError, match=r"not this kind of workbook \(Partners survey\)"):
        grids.read_xlsx("book.xlsx", content, refuse=refuse)


def test_xlsx_with_no_header_anywhere_names_the_sheet():
    content = _xlsx({"Only": [[1, 2], [3, 4]]})
    with safety.in_process(), pytest.raises(InputError, match=r"book.xlsx, sheet 'Only': no header row found"):
        grids.read_xlsx("book.xlsx", content)
