"""Data tables in the layouts suppliers send (fixtures from scripts/make_data_tables_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback.errors import InputError
from feedback.survey.data_tables import is_data_tables, rates_from_tables, read_data_tables

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_tables"


def test_sample_rows_once_under_the_banner_routed_question_then_back():
    content = (FIXTURES / "sheet_base_once.xlsx").read_bytes()
    assert is_data_tables("sheet_base_once.xlsx", content)  # cover and empty sheets first
    tables = read_data_tables("sheet_base_once.xlsx", content)
    n = tables.groupby(["question", "group"])["n"].first()
    assert n["are_you_aware_of_the_review"].to_dict() == {"Health": 110, "Police": 80, "Total": 190}
    assert n["was_it_useful_those_aware"].to_dict() == {"Health": 82, "Police": 68, "Total": 150}  # its own base
    assert n["do_you_agree"].to_dict() == {"Health": 110, "Police": 80, "Total": 190}  # back on the sheet's base
    weighted = tables.groupby(["question", "group"])["base_weighted"].first()
    assert weighted["do_you_agree", "Total"] == 200
    assert tables.attrs["title"] == "Partners survey: data tables"
    rates = rates_from_tables(tables)
    total = rates[rates["group"] == "Total"].set_index("question")["p"]
    assert round(total["do_you_agree"], 6) == 0.7  # the NET row


def test_codebook_suggest_on_a_data_tables_workbook(tmp_path):
    import subprocess
    import sys

    from feedback.survey.codebook import load_codebook

    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-m", "feedback", "codebook", "suggest",
                          str(FIXTURES / "sheet_base_once.xlsx")], capture_output=True, text=True, timeout=180,
                         cwd=root)
    assert run.returncode == 0, run.stderr[-2000:]
    cb = load_codebook(run.stdout)
    by_id = {q.id: q for q in cb.questions}
    assert list(by_id) == ["are_you_aware_of_the_review", "was_it_useful_those_aware", "do_you_agree"]
    assert by_id["do_you_agree"].positive == ["NET: Agree"]  # nets first
    assert by_id["are_you_aware_of_the_review"].positive == ["Yes"]
    assert by_id["was_it_useful_those_aware"].base_label == "aware of the review"
    tables_path = FIXTURES / "sheet_base_once.xlsx"
    rates = rates_from_tables(read_data_tables(tables_path.name, tables_path.read_bytes(), cb), cb)
    assert set(rates["question"]) == set(by_id)


# ------------------------------------------------------------------ percent rows, significance letters, base lines
RATE = {"Are you aware of the review?": {"Total": 0.52, "Health": 0.60, "Police": 0.41, "London": 0.55,
                                         "North": 0.49},  # "Yes"
        "How useful is the review?": {"Total": 0.70, "Health": 0.80, "Police": 0.50, "London": 0.70,
                                      "North": 0.70}}  # the NET row
N = {"Are you aware of the review?": {"Total": 139, "Health": 75, "Police": 64, "London": 72, "North": 67},
     "How useful is the review?": {"Total": 70, "Health": 45, "Police": 25, "London": 36, "North": 34}}
BASE = {"Are you aware of the review?": "All safeguarding partners (139)",
        "How useful is the review?": "aware of the review"}


def read(name: str):
    return read_data_tables(name, (FIXTURES / name).read_bytes())


def by_sheet(tables, column: str) -> dict:
    """{sheet: {question text: {group: value}}} of a results-model column."""
    rates = rates_from_tables(tables)
    text = rates["question"].map(dict(zip(tables["question"], tables["question_text"])))
    sheet = rates["question"].map(dict(zip(tables["question"], tables["sheet"])))
    out: dict = {}
    for s, t, g, v in zip(sheet, text, rates["group"], rates[column]):
        out.setdefault(s, {}).setdefault(t, {})[g] = round(float(v), 6) if column == "p" else v
    return out


def test_fixtures_are_what_the_script_makes():
    import sys

    from feedback.grids import as_text, workbook_grids

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    try:
        import make_data_tables_fixtures as script
    finally:
        sys.path.pop(0)
    assert sorted(script.FIXTURES) == sorted(p.name for p in FIXTURES.iterdir())
    for name, make in script.FIXTURES.items():  # zip packages carry the time they were written: compare cells
        made, kept = workbook_grids(name, make()), workbook_grids(name, (FIXTURES / name).read_bytes())
        assert list(made) == list(kept), name
        for sheet in made:
            assert as_text(made[sheet]).fillna("").equals(as_text(kept[sheet]).fillna("")), (name, sheet)


def test_whole_numbers_under_a_percent_row_give_the_rates_of_fractions():
    tables = read("percent_rows.xlsx")
    p, n = by_sheet(tables, "p"), by_sheet(tables, "n")
    assert list(p) == ["Fractions", "Whole", "Mixed", "Sheet percent"]
    for sheet in p:  # fractions, '%' row per question (empty or '%' cells), both on one sheet, '%' once
        assert p[sheet] == RATE, sheet
        assert n[sheet] == N, sheet
    assert set(tables["sig"]) == {""} and set(tables["letter"]) == {""}


def test_significance_letters_in_cells_in_a_row_below_and_beside():
    tables = read("significance_letters.xlsx")
    assert by_sheet(tables, "p") == {s: RATE for s in ["In cells", "Letters row", "Letters beside"]}
    assert by_sheet(tables, "n") == {s: N for s in ["In cells", "Letters row", "Letters beside"]}
    expected = {("Yes", "Health"): "C", ("No", "Police"): "B", ("NET: Useful", "Health"): "CE",
                ("NET: Useful", "London"): "C", ("NET: Useful", "North"): "C", ("Not useful", "Police"): "AB"}
    for sheet, rows in tables.groupby("sheet", sort=False):
        sig = {(a, g): s for a, g, s in zip(rows["answer"], rows["group"], rows["sig"]) if s}
        assert sig == expected, sheet
        assert rows.drop_duplicates("group")["letter"].tolist() == ["A", "B", "C", "D", "E"], sheet
        assert rows.loc[rows["answer"] == "Very useful", "percent"].tolist() == [0.25, 0.30, 0.16, 0.27, 0.23]
    # one banner row over a letters row: the letters are not read as the groups' labels
    letters_row = tables[tables["sheet"] == "Letters row"]
    assert list(dict.fromkeys(letters_row["group"])) == ["Total", "Health", "Police", "London", "North"]
    assert set(letters_row["by"]) == {"total", "group"}


def test_base_lines_above_the_question_below_the_table_and_once_for_the_sheet():
    tables = read("base_lines.xlsx")
    labels = {(s, t): b for s, t, b in zip(tables["sheet"], tables["question_text"], tables["base_label"])}
    assert labels == {
        ("Base above", "Are you aware of the review?"): BASE["Are you aware of the review?"],
        ("Base above", "How useful is the review?"): BASE["How useful is the review?"],
        ("Base above, no gaps", "Are you aware of the review?"): BASE["Are you aware of the review?"],
        ("Base above, no gaps", "How useful is the review?"): BASE["How useful is the review?"],
        # below the table, the next question's text directly under the line
        ("Base below", "Are you aware of the review?"): BASE["Are you aware of the review?"],
        ("Base below", "How useful is the review?"): BASE["How useful is the review?"],
        ("Sheet base", "Are you aware of the review?"): "all respondents",
        ("Sheet base", "Was it useful? (those aware)"): "those aware of the review",  # its own, under its text
        ("Sheet base", "Do you agree?"): "all respondents",  # back on the sheet's base
    }
    p, n = by_sheet(tables, "p"), by_sheet(tables, "n")
    for sheet in ["Base above", "Base above, no gaps", "Base below"]:
        assert p[sheet] == RATE and n[sheet] == N, sheet
    assert n["Sheet base"]["Do you agree?"] == N["Are you aware of the review?"]
    assert p["Sheet base"]["Do you agree?"]["Police"] == 0.46  # the first answer
    rates = rates_from_tables(tables)
    assert set(rates.loc[rates["question"] == "do_you_agree", "base_label"]) == {"all respondents"}


def test_capital_letters_without_a_column_letters_row():
    content = edited("percent_rows.xlsx", "Whole", set_in_row("Yes", "C", "60 B"))
    tables = read_data_tables("percent_rows.xlsx", content)
    cell = tables[(tables["sheet"] == "Whole") & (tables["answer"] == "Yes") & (tables["group"] == "Health")]
    assert cell[["percent", "letter", "sig"]].values.tolist() == [[0.6, "", "B"]]


def edited(name: str, sheet: str, edit) -> bytes:
    """The fixture with one sheet changed by ``edit(worksheet)``."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(FIXTURES / name)
    edit(wb[sheet])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row_of(ws, label: str, nth: int = 0) -> int:
    return [c.row for c in ws["A"] if c.value == label][nth]


def set_cell(ref: str, value):
    def edit(ws):
        ws[ref] = value
    return edit


def set_in_row(label: str, column: str, value, nth: int = 0):
    def edit(ws):
        ws[f"{column}{row_of(ws, label, nth)}"] = value
    return edit


MALFORMED = [
    # a figure followed by what is not significance letters
    ("significance_letters.xlsx", "In cells", set_in_row("Yes", "C", "52 Z9"),
     r"sheet 'In cells', cell C\d+: '52 Z9' is not a percentage .*; correct the cell\."),
    # letters that name no column of the letters row (A-E)
    ("significance_letters.xlsx", "In cells", set_in_row("Yes", "C", "52 Z"),
     r"sheet 'In cells', cell C\d+: the significance letters 'Z' name a column .* \(A, B, C, D, E\)"),
    # letters alone where a figure belongs
    ("significance_letters.xlsx", "In cells", set_in_row("No", "D", "B"),
     r"sheet 'In cells', cell D\d+: 'B' is not a percentage"),
    # the row of letters under an answer row holding something else
    ("significance_letters.xlsx", "Letters row", lambda ws: ws.cell(row_of(ws, "Yes") + 1, 3, "Z9"),
     r"sheet 'Letters row', cell C\d+: 'Z9' is not significance letters .* under the percentage above"),
    # the column of letters beside the figures holding something else
    ("significance_letters.xlsx", "Letters beside", set_in_row("No", "G", "B?"),
     r"sheet 'Letters beside', cell G\d+: 'B\?' is not significance letters .* to its left"),
    # without a column letters row, letters must be capitals
    ("percent_rows.xlsx", "Whole", set_in_row("Yes", "C", "60 abc"),
     r"sheet 'Whole', cell C\d+: 'abc' after the figure is not significance letters in capitals .* add the row "
     r"of column letters"),
    # a '%' row's answers holding words, and a percentage over 100
    ("percent_rows.xlsx", "Whole", set_in_row("No", "C", "forty"),
     r"sheet 'Whole', cell C\d+: 'forty' is not a percentage"),
    ("percent_rows.xlsx", "Whole", set_in_row("Yes", "D", 152),
     r"sheet 'Whole', cell D\d+: '152' is under a '%' row, where numbers are whole percentages from 0 to 100"),
    ("percent_rows.xlsx", "Sheet percent", set_in_row("Very useful", "B", -5),
     r"sheet 'Sheet percent', cell B\d+: '-5' is under a '%' row"),
    # the '%' row itself holding figures or words
    ("percent_rows.xlsx", "Whole", set_in_row("%", "C", "abc"),
     r"sheet 'Whole', cell C\d+: 'abc' is in a '%' row, which only says .*; leave its cells empty or '%'\."),
    ("percent_rows.xlsx", "Whole", set_in_row("%", "B", 52, nth=1),
     r"sheet 'Whole', cell B\d+: '52' is in a '%' row"),
]


@pytest.mark.parametrize("name, sheet, edit, message", MALFORMED,
                         ids=[f"{m[1]}-{i}" for i, m in enumerate(MALFORMED)])
def test_malformed_layouts_give_one_line_naming_the_cell(name, sheet, edit, message):
    content = edited(name, sheet, edit)
    with pytest.raises(InputError, match=message) as err:
        read_data_tables(name, content)  # the other, well-formed sheets do not hide the fault
    assert "\n" not in str(err.value) and str(err.value).startswith(f"{name}, sheet {sheet!r}, cell ")


@pytest.mark.parametrize("name", ["significance_letters.xlsx", "base_lines.xlsx"])
def test_codebook_suggest_on_the_new_layouts(name):
    import subprocess
    import sys

    from feedback.survey.codebook import load_codebook

    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-m", "feedback", "codebook", "suggest", str(FIXTURES / name)],
                         capture_output=True, text=True, timeout=180, cwd=root)
    assert run.returncode == 0, run.stderr[-2000:]
    cb = load_codebook(run.stdout)
    by_text: dict = {}
    for q in cb.questions:
        by_text.setdefault(q.text, []).append(q)
    assert all(q.positive == ["Yes"] for q in by_text["Are you aware of the review?"])
    assert all(q.positive == ["NET: Useful"] for q in by_text["How useful is the review?"])  # nets first
    if name == "base_lines.xlsx":
        assert [q.base_label for q in by_text["Are you aware of the review?"]] == \
            [BASE["Are you aware of the review?"]] * 3 + ["all respondents"]
        assert by_text["Do you agree?"][0].base_label == "all respondents"
    rates = rates_from_tables(read_data_tables(name, (FIXTURES / name).read_bytes(), cb), cb)
    assert set(rates["question"]) == {q.id for q in cb.questions}
    total = rates[rates["group"] == "Total"]
    assert set(total["question"]) == set(rates["question"])
    assert set(total.loc[total["question_text"] == "How useful is the review?", "p"].round(6)) == {0.7}
