"""Exports never write inf, -inf or nan where a number is expected (Excel shows "-inf" as #NAME?):
an infinite value (a test statistic whose standard error is 0) is an empty cell, as a missing one
is, in CSV and XLSX; publication tables show the shorthand [x] in its place."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from feedback import export
from feedback.__main__ import main

NOT_A_NUMBER = re.compile(r"(?<![a-z])(-?inf(inity)?|nan)(?![a-z])", re.IGNORECASE)


@pytest.fixture
def unanimous(tmp_path):
    """Every Health respondent says Yes and every Police one No: both standard errors are 0, and
    the difference's test statistic is infinite."""
    data, codebook = tmp_path / "s.csv", tmp_path / "s.toml"
    data.write_text("role,region,q1\n" + "Health,London,Yes\nPolice,London,No\n" * 40, encoding="utf-8")
    codebook.write_text('[survey]\ntitle = "T"\n[columns]\nrole = "role"\nregion = "region"\n[[questions]]\n'
                        'id = "q1"\ncolumn = "q1"\ntext = "Q1"\nkind = "yes_no"\npositive = ["Yes"]\n',
                        encoding="utf-8")
    return data, codebook


def xlsx_cells(content: bytes) -> list[list]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for ws in wb for row in ws.iter_rows(values_only=True)]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_pairwise_csv_and_xlsx_write_an_infinite_statistic_as_an_empty_cell(unanimous, tmp_path, capsys):
    data, codebook = unanimous
    out_csv, out_xlsx = tmp_path / "pairwise.csv", tmp_path / "pairwise.xlsx"
    for out in (out_csv, out_xlsx):
        assert main(["pairwise", str(data), "--codebook", str(codebook), "--by", "role", "--out", str(out)]) == 0
    text = out_csv.read_bytes().decode("utf-8-sig")
    assert not NOT_A_NUMBER.search(text), text
    row = pd.read_csv(io.StringIO(text)).iloc[0]
    assert (row["group_a"], row["p_a"], row["p_b"], row["diff"]) == ("Health", 1.0, 0.0, 1.0)
    assert pd.isna(row["t"]) and row["p_adj"] == 0.0 and row["sig"] == "higher"  # the test still says
    header, values = xlsx_cells(out_xlsx.read_bytes())[:2]
    assert values[header.index("t")] is None and values[header.index("sig")] == "higher"
    assert all(not isinstance(v, float) or np.isfinite(v) for v in values)
    assert not NOT_A_NUMBER.search(sheet_xml(out_xlsx.read_bytes()).replace("<v>", " ").replace("</v>", " "))
    # the same figures to the terminal
    assert main(["pairwise", str(data), "--codebook", str(codebook), "--by", "role"]) == 0
    assert not NOT_A_NUMBER.search(capsys.readouterr().out)


def test_every_table_export_writes_no_inf_or_nan():
    frame = pd.DataFrame({
        "Group": ["a", "b", "c", "d"],
        "t": [np.inf, -np.inf, np.nan, 1.5],
        "mixed": pd.Series([np.inf, "=text", None, 2.0], dtype=object),
        "nullable": pd.array([1.0, None, 2.5, np.inf], dtype="Float64"),
        "n": [1, 2, 3, 4],
    })
    csv = export.to_csv_bytes(frame).decode("utf-8-sig")
    assert not NOT_A_NUMBER.search(csv), csv
    assert csv.splitlines()[1:] == ["a,,,1.0,1", "b,,'=text,,2", "c,,,2.5,3", "d,1.5,2.0,,4"]
    cells = xlsx_cells(export.to_xlsx_bytes({"T": frame}, notes=["n"]))
    assert cells[1:5] == [["a", None, None, 1, 1], ["b", None, "=text", None, 2], ["c", None, None, 2.5, 3],
                          ["d", 1.5, 2, None, 4]]
    # publication tables: the figure is not available, [x], and a p-value of -inf is no p-value
    res = pd.DataFrame({"p": [np.inf, 0.5], "flag": ["", ""]})
    assert export._shorthand_values(res, "p").tolist() == ["[x]", 0.5]
    table = export.PublishedTable(sheet="T", title="Table", frame=frame.assign(p=[np.inf, 0.5, -np.inf, 0.01]),
                                  p_value_columns=("p",))
    assert not NOT_A_NUMBER.search(export.publication_csv(table).decode("utf-8-sig"))
    book = export.publication_workbook([table], title="T")
    assert not NOT_A_NUMBER.search(sheet_xml(book).replace("<v>", " ").replace("</v>", " "))
    assert all(not isinstance(v, float) or np.isfinite(v) for row in xlsx_cells(book) for v in row)
