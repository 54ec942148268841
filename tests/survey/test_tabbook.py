"""The tab book against R survey 4.1.1 (svymean of each answer, svyttest pairs with Holm), its rules,
and the ``table`` command.

The reference values come from scripts/r/tabbook_reference.R (run it with Rscript to remake
tests/fixtures/tabbook_api*.csv, R survey's apistrat); CI has no R and compares with the committed CSV.
"""

import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from feedback.__main__ import main
from feedback.errors import InputError
from feedback.survey.codebook import dump_codebook, load_codebook
from feedback.survey.rates import SmallBase, rates_by_group
from feedback.survey.tabbook import POSITIVE_NET, tab_book, wide_table
from tests.survey.engine_helpers import FIXTURES, design_survey, make_codebook

EXPECTED = pd.read_csv(FIXTURES / "tabbook_api_expected.csv", keep_default_na=False, na_values=[""])
TOL = dict(rtol=1e-8, atol=1e-10)
POSITIVE = {"sch_wide": ["Yes"], "comp_imp": ["Yes"], "both": ["Yes"], "awards": ["Yes"], "yr_rnd": ["No"],
            "api_band": ["800 and over", "700 to 799"]}


def api_survey():
    frame = pd.read_csv(FIXTURES / "tabbook_api.csv")
    codebook = make_codebook([{"id": q, "positive": p, "text": f"Question {q}"} for q, p in POSITIVE.items()],
                             role="", region="", weight="pw")
    codebook.breaks = ["school_type"]
    return frame, codebook


@pytest.fixture(scope="module")
def api_table():
    frame, codebook = api_survey()
    return tab_book(frame, codebook, by=[("school_type",), ("sch_wide",)], small_base=SmallBase(0, 0))


def test_every_answer_share_matches_r_svymean(api_table):
    want = EXPECTED[EXPECTED["kind"] == "share"]
    got = api_table.assign(group=api_table["group"].astype(str))
    j = want.merge(got, on=["question", "answer", "by", "group"], suffixes=("_r", ""), validate="one_to_one")
    assert len(j) == len(want) == 120  # 20 answer rows x (total + 3 + 2 groups)
    np.testing.assert_allclose(j["p"], j["p_r"], **TOL)
    assert (j["n"] == j["n_r"]).all()
    assert set(j["answer"]) >= {"Under 600", "600 to 699", "700 to 799", "800 and over", POSITIVE_NET}


def test_letters_match_r_svyttest_with_holm(api_table):
    want = EXPECTED[EXPECTED["kind"] == "letter"].assign(higher_than=lambda d: d["higher_than"].fillna(""))
    j = want.merge(api_table, on=["question", "answer", "by", "group"], suffixes=("_r", ""), validate="one_to_one")
    assert len(j) == len(want) == 100
    assert (j["higher_than"] == j["higher_than_r"]).all(), j[j["higher_than"] != j["higher_than_r"]]
    assert (j["higher_than"] != "").sum() > 10  # the comparison is not between empty columns
    letters = api_table[api_table["by"] == "school_type"].drop_duplicates("group").set_index("group")["letter"]
    assert letters.to_dict() == {"E": "A", "H": "B", "M": "C"}


def test_positive_net_is_the_rates_figure_and_answers_add_to_one():
    frame, codebook = design_survey()
    table = tab_book(frame, codebook, by=[("role",), ("region",)])
    rates = rates_by_group(frame, codebook, by=[("role",), ("region",)])
    net = table[table["answer"] == POSITIVE_NET].merge(rates, on=["question", "by", "group"], validate="one_to_one")
    np.testing.assert_allclose(net["p_x"], net["p_y"], rtol=1e-12, equal_nan=True)
    assert (net["higher_than_x"] == net["higher_than_y"]).all() and (net["n_x"] == net["n_y"]).all()
    answers = table[(table["row_kind"] == "answer") & table["p"].notna()]
    total = answers.groupby(["question", "by", "group"])["p"].sum()
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)
    agree = table[(table["question"] == "panel_improves_system") & (table["by"] == "total")]
    assert list(agree["answer"]) == ["Strongly agree", "Tend to agree", "Neither agree nor disagree",
                                     "Tend to disagree", "Strongly disagree", "Don't know", "Negative net",
                                     POSITIVE_NET]
    p = agree.set_index("answer")["p"]
    assert p["Negative net"] == pytest.approx(p["Tend to disagree"] + p["Strongly disagree"], rel=1e-12)


def test_dont_know_out_of_the_base_rebases_every_share():
    frame, codebook = design_survey()
    with_dk = tab_book(frame, codebook, by=[("role",)])
    without = tab_book(frame, codebook, by=[("role",)], dont_know=False)
    q = "panel_improves_system"
    a = with_dk[(with_dk["question"] == q) & (with_dk["by"] == "total")].set_index("answer")
    b = without[(without["question"] == q) & (without["by"] == "total")].set_index("answer")
    assert "Don't know" in a.index and "Don't know" not in b.index
    assert b["n"].iloc[0] == a["n"].iloc[0] - (frame[q] == "Don't know").sum()
    assert b.loc["Strongly agree", "p"] == pytest.approx(a.loc["Strongly agree", "p"] / (1 - a.loc["Don't know", "p"]))


def test_breaks_by_a_question_and_filters_on_an_answer():
    frame, codebook = design_survey()
    table = tab_book(frame, codebook, by=[("heard_of_panel",)], filter={"attended_webinar": "Yes"})
    groups = table[table["by"] == "heard_of_panel"].drop_duplicates("group")
    assert list(groups["group"].astype(str)) == ["Yes", "No"] and list(groups["letter"]) == ["A", "B"]
    inside = frame[frame["attended_webinar"] == "Yes"]
    base = table[(table["question"] == "heard_of_panel") & (table["by"] == "total")]["n"].iloc[0]
    assert base == ((inside["weight"] > 0) & inside["heard_of_panel"].notna()).sum()
    with pytest.raises(InputError, match="cannot break by"):
        tab_book(frame, codebook, by=[("respondent_id",)])


def test_codebook_breaks_round_trip():
    text = '[columns]\nweight = "w"\nbreaks = ["org_type", "years"]\n[[questions]]\nid = "q"\npositive = ["Yes"]\n'
    cb = load_codebook(text)
    assert cb.breaks == ["org_type", "years"]
    assert load_codebook(dump_codebook(cb)).breaks == ["org_type", "years"]
    assert load_codebook(text.replace('breaks = ["org_type", "years"]\n', "")).breaks == []


def test_wide_table_has_bases_letters_and_sorts():
    frame, codebook = api_survey()
    table = tab_book(frame, codebook, by=[("school_type",)])
    wide = wide_table(table, "api_band", sort=True)
    assert list(wide.columns) == ["Answer", "Total", "school_type: E (A)", "school_type: H (B)", "school_type: M (C)"]
    assert list(wide.iloc[0, 1:]) == ["200", "100", "50", "50"]
    body = wide.iloc[1:5]
    totals = body["Total"].str.rstrip("%").astype(float)
    assert list(totals) == sorted(totals, reverse=True)
    assert wide["Answer"].iloc[-1] == POSITIVE_NET
    assert wide.iloc[1:].apply(lambda c: c.str.contains(r"% [ABC]+$")).to_numpy().any()


def test_table_command_writes_csv_json_and_xlsx(tmp_path):
    frame, codebook = api_survey()
    (tmp_path / "cb.toml").write_text(dump_codebook(codebook), encoding="utf-8")
    data = tmp_path / "api.csv"
    frame.assign(school_type=frame["school_type"].replace({"E": "=E"})).to_csv(data, index=False)
    args = [str(data), "--codebook", str(tmp_path / "cb.toml"), "--by", "sch_wide"]
    assert main(["table", *args, "--out", str(tmp_path / "t.csv")]) == 0
    csv = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig")
    assert len(csv) and csv["p"].between(0, 1).all() and pd.api.types.is_float_dtype(csv["p"])
    assert main(["table", *args, "--by", "school_type", "--without-dont-know", "--out", str(tmp_path / "t.json")]) == 0
    rows = json.loads((tmp_path / "t.json").read_text())
    assert {r["group"] for r in rows if r["by"] == "school_type"} == {"'=E", "H", "M"} or \
        {r["group"] for r in rows if r["by"] == "school_type"} == {"=E", "H", "M"}
    assert main(["table", *args, "--by", "school_type", "--out", str(tmp_path / "t.xlsx")]) == 0
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["Cover", "Contents", "Notes"] + [f"Table {i}" for i in range(1, 8)]
    titles = [book["Contents"].cell(r, 2).value for r in range(3, 10)]
    assert titles == [f"Question {q}" for q in POSITIVE] + ["Every question x answer x group"]
    sheet = book["Table 6"]  # api_band: answers down, each group's share as a number 0-100 under "(%)"
    header = [c.value for c in sheet[2]]
    assert header[0] == "Answer" and header[1] == "Total, base 200 (%)"
    assert "sch_wide: Yes (A), higher than" in header
    shares = [sheet.cell(r, 2).value for r in range(3, sheet.max_row + 1)]
    assert all(isinstance(v, (int, float)) and 0 <= v <= 100 for v in shares)
    assert shares[-1] == pytest.approx(100 * csv[(csv["question"] == "api_band") & (csv["answer"] == POSITIVE_NET)
                                                  & (csv["by"] == "total")]["p"].iloc[0])
    risky = [c for ws in book for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(risky) >= 20  # the "=E" group: kept as text (quote prefix), never a formula
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert main(["table", *args, "--by", "school_type", "--out", str(tmp_path / "t.ods")]) == 0
    ods = pd.read_excel(tmp_path / "t.ods", engine="odf", sheet_name=None)
    assert list(ods) == book.sheetnames
    assert main(["table", *args, "--by", "nope", "--out", str(tmp_path / "x.csv")]) == 2


def test_filter_on_a_break_column_is_a_domain_of_the_full_design():
    frame, codebook = api_survey()
    table = tab_book(frame, codebook, by=[("sch_wide",)], filter={"school_type": "H"}, small_base=SmallBase(0, 0))
    total = table[(table["question"] == "awards") & (table["answer"] == "Yes") & (table["by"] == "total")]
    assert int(total["n"].iloc[0]) == 50
    high = EXPECTED[(EXPECTED["kind"] == "share") & (EXPECTED["question"] == "awards") & (EXPECTED["answer"] == "Yes")
                    & (EXPECTED["group"] == "H")]
    assert total["p"].iloc[0] == pytest.approx(high["p"].iloc[0], rel=1e-8)
    with pytest.raises(InputError, match="cannot filter by"):
        tab_book(frame, codebook, filter={"school": "2077"})


def test_some_questions_only_keep_their_routing():
    frame, codebook = design_survey()
    full = tab_book(frame, codebook, by=[("role",)])
    some = tab_book(frame, codebook, by=[("role",)], questions=["knows_panel_role"])
    assert set(some["question"]) == {"knows_panel_role"}
    want = full[full["question"] == "knows_panel_role"].reset_index(drop=True)
    assert some["n"].tolist() == want["n"].tolist() and some["n"].iloc[0] < len(frame) / 2  # routed base
    np.testing.assert_allclose(some["p"], want["p"], rtol=1e-12, equal_nan=True)
    with pytest.raises(InputError, match="no question"):
        tab_book(frame, codebook, questions=["nope"])
