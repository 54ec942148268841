"""Data tables in the layouts suppliers send (fixtures from scripts/make_data_tables_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

from feedback.survey.tables import is_data_tables, rates_from_tables, read_data_tables

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
