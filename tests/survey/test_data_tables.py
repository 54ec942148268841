"""YouGov-style data tables: the sample layout and its variations, the results
model built from them, and a clear error for each kind of malformed workbook."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from feedback.errors import InputError
from feedback.intervals import proportion_interval
from feedback.survey.codebook import Codebook, Question
from feedback.survey.data_tables import TABLE_COLUMNS, is_data_tables, rates_from_tables, read_data_tables, slugify
from feedback.survey.rates import COLUMNS, SmallBase
from feedback.survey.read import read_survey

SURVEYS = Path(__file__).resolve().parents[2] / "data" / "surveys"
GROUPS = [("Total", "Total"), ("Role", "Social worker"), ("Role", "Police"), ("Region", "London"),
          ("Region", "North East")]

AWARE = {"text": "Before today, had you heard of the Panel?", "base": "Base: All frontline professionals",
         "weighted": [300, 150, 150, 200, 100], "unweighted": [300, 100, 200, 250, 8],
         "answers": [("Yes", [0.5, 0.8, 0.35, 0.5, 0.5]), ("No", [0.4, 0.2, 0.5, 0.4, 0.5]),
                     ("Don't know", [0.1, 0.0, 0.15, 0.1, 0.0])]}
USEFUL = {"text": "How useful is the review?", "base": "Base: those aware of the review",
          "weighted": [150, 120, 30, 100, 4], "unweighted": [160, 90, 25, 120, 4],
          "answers": [("Very useful", [0.25, 0.3, 0.2, 0.25, 0.5]), ("Fairly useful", [0.5, 0.5, 0.4, 0.5, 0.25]),
                      ("NET: Useful", [0.75, 0.8, 0.6, 0.75, 0.75]), ("Not useful", [0.2, 0.2, 0.2, 0.2, 0.25]),
                      ("Don't know", [0.05, 0.0, 0.2, 0.05, 0.0])]}


def cell(value: float, style: str):
    if style == "fraction":
        return value
    if style == "int":
        return int(round(value * 100))
    return {"dash": "-", "lt": "<1%"}.get(style, "*") if value == 0 else f"{round(value * 100)}%"


def workbook(sheets: dict[str, list[dict]], title_lines: int = 3, style: str = "fraction", banner: bool = True,
             merged: bool = True) -> bytes:
    """A data tables workbook in the layout the sample's generator writes."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, questions in sheets.items():
        ws = wb.create_sheet(name)
        for line in ["Child Safeguarding Practice Review Panel: survey 2021", "Fieldwork: June to September 2021",
                     "Sample: 300 frontline professionals", "Note: weighted", "More notes"][:title_lines]:
            ws.append([line])
        ws.append([])
        if banner:
            spans, previous = [None], None
            for span, _ in GROUPS:
                spans.append(span if span != previous else None)
                previous = span
            ws.append(spans)
            ws.append([None] + [g for _, g in GROUPS])
            if merged:
                r = ws.max_row - 1
                ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
                ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=6)
        for q in questions:
            ws.append([q["text"]])
            ws.append([q["base"]])
            ws.append(["Weighted Sample"] + q["weighted"])
            ws.append(["Unweighted Sample"] + q["unweighted"])
            for label, values in q["answers"]:
                ws.append([label] + [cell(v, style) for v in values])
                if style == "fraction":
                    for c in ws[ws.max_row][1:]:
                        c.number_format = "0%"
            ws.append([])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("style", ["fraction", "int", "string", "dash", "lt"])
@pytest.mark.parametrize("title_lines", [1, 5])
def test_layout_and_variations(style, title_lines):
    content = workbook({"Awareness": [AWARE, USEFUL]}, title_lines=title_lines, style=style)
    t = read_data_tables("t.xlsx", content)
    assert list(t.columns) == TABLE_COLUMNS
    assert len(t) == (3 + 5) * len(GROUPS)
    assert list(dict.fromkeys(t["question"])) == ["before_today_had_you_heard_of_the_panel",
                                                   "how_useful_is_the_review"]
    yes = t[(t["answer"] == "Yes")].set_index("group")
    assert yes["by"].tolist() == ["total", "role", "role", "region", "region"]
    assert yes["percent"].tolist() == pytest.approx([0.5, 0.8, 0.35, 0.5, 0.5])
    assert yes["n"].tolist() == [300, 100, 200, 250, 8]
    assert yes["base_weighted"].tolist() == [300, 150, 150, 200, 100]
    assert set(yes["base_label"]) == {"All frontline professionals"}
    dk = t[(t["answer"] == "Don't know") & (t["group"] == "Social worker")]["percent"]
    assert dk.tolist() == [0.0, 0.0]  # '*', '-' and '<1%' count as none
    net = t[t["is_net"]]
    assert set(net["answer"]) == {"NET: Useful"} and len(net) == len(GROUPS)
    assert t.attrs["fieldwork"] == "June to September 2021" if title_lines > 1 else True
    assert t.attrs["title"] == "Child Safeguarding Practice Review Panel: survey 2021"


def test_several_sheets_without_merged_cells_and_dashes():
    other = {**AWARE, "text": "Are you aware of the SUDI review?",
             "answers": [("Yes", [0.3, 0.3, 0.3, 0.3, 0.3]), ("No", [0.7, 0.7, 0.7, 0.7, 0.7])]}
    content = workbook({"A": [AWARE], "B": [other, USEFUL]}, merged=False, style="dash")
    t = read_data_tables("t.xlsx", content)
    assert t.groupby("sheet", sort=False)["question"].nunique().to_dict() == {"A": 1, "B": 2}
    assert t.loc[(t["answer"] == "Don't know") & (t["group"] == "Social worker"), "percent"].eq(0).all()


@pytest.mark.parametrize("variant", ["total_below_only", "total_above_only"])
def test_banner_with_total_written_once(variant):
    wb = openpyxl.load_workbook(io.BytesIO(workbook({"S": [AWARE]}, merged=False)))
    ws = wb["S"]
    spans_row = next(c.row for c in ws["B"] if c.value == "Total")
    ws.cell(spans_row if variant == "total_below_only" else spans_row + 1, 2).value = None
    buf = io.BytesIO()
    wb.save(buf)
    t = read_data_tables("t.xlsx", buf.getvalue())
    yes = t[t["answer"] == "Yes"]
    assert yes[["by", "group"]].values.tolist() == [["total", "Total"], ["role", "Social worker"],
                                                    ["role", "Police"], ["region", "London"],
                                                    ["region", "North East"]]


def test_one_level_banner_groups_without_a_name():
    wb = openpyxl.load_workbook(io.BytesIO(workbook({"S": [AWARE]}, merged=False)))
    ws = wb["S"]
    ws.delete_rows(next(c.row for c in ws["B"] if c.value == "Total"))
    buf = io.BytesIO()
    wb.save(buf)
    t = read_data_tables("t.xlsx", buf.getvalue())
    assert list(dict.fromkeys(t["by"])) == ["total", "group"]


def test_same_question_text_twice_gets_distinct_ids():
    t = read_data_tables("t.xlsx", workbook({"A": [AWARE], "B": [AWARE]}))
    assert list(dict.fromkeys(t["question"])) == ["before_today_had_you_heard_of_the_panel",
                                                   "before_today_had_you_heard_of_the_panel_2"]
    assert slugify("How much, if anything, do you know about the Panel's national thematic reviews?") == \
        "how_much_if_anything_do_you_know_about"
    # a codebook with that text twice (as suggested from such a workbook): its ids, in order
    cb = Codebook(questions=[Question(id=i, column=i, text=AWARE["text"], positive=["Yes"]) for i in ("a21", "b21")])
    t = read_data_tables("t.xlsx", workbook({"A": [AWARE], "B": [AWARE], "C": [AWARE]}), cb)
    assert list(dict.fromkeys(t["question"])) == ["a21", "b21", "b21_2"]


def codebook() -> Codebook:
    return Codebook(questions=[
        Question(id="heard_of_panel", column="q1", text="  before today, had YOU heard of the   panel? ",
                 positive=["Yes"], kind="awareness"),
        Question(id="review_useful", column="q2", text="How useful is the review?",
                 positive=["Very useful", "Fairly useful"], kind="usefulness", base_label="Those aware"),
    ])


def test_codebook_ids_and_positive_answers():
    t = read_data_tables("t.xlsx", workbook({"S": [AWARE, USEFUL]}), codebook())
    assert list(dict.fromkeys(t["question"])) == ["heard_of_panel", "review_useful"]
    assert set(rates_from_tables(t)["question"]) == {"heard_of_panel", "review_useful"}  # ids kept
    r = rates_from_tables(t, codebook())
    assert list(r.columns) == COLUMNS
    useful = r[r["question"] == "review_useful"].set_index("group")
    assert useful.loc["Total", "p"] == pytest.approx(0.75)  # Very + Fairly useful, summed
    assert useful.loc["Police", "p"] == pytest.approx(0.6)
    # a positive written as the net's label picks the net row
    cb = codebook()
    cb.questions[1].positive = ["Useful"]
    assert rates_from_tables(t, cb).set_index(["question", "group"]).loc[("review_useful", "Total"), "p"] == \
        pytest.approx(0.75)


def test_results_model_from_published_bases():
    t = read_data_tables("t.xlsx", workbook({"S": [AWARE, USEFUL]}))
    r = rates_from_tables(t, level=0.9, method="wilson")
    assert list(r.columns) == COLUMNS
    assert (r["source"] == "data tables").all() and (r["sig_vs_rest"] == "").all()
    assert r["deff"].isna().all() and r["p_value_vs_rest"].isna().all()
    assert r[["by", "group"]].iloc[:5].values.tolist() == [["total", "Total"], ["role", "Social worker"],
                                                           ["role", "Police"], ["region", "London"],
                                                           ["region", "North East"]]
    aware = r[r["question"] == "before_today_had_you_heard_of_the_panel"].set_index("group")
    assert aware["p"].tolist()[:4] == pytest.approx([0.5, 0.8, 0.35, 0.5])  # no codebook: "Yes"
    assert (aware["n"] == aware["n_eff"]).all() and aware["n"].tolist() == [300, 100, 200, 250, 8]
    low, high = proportion_interval(np.array([0.5, 0.8]), np.array([300, 100]), "wilson", 0.9)
    assert aware[["ci_low", "ci_high"]].iloc[:2].to_numpy() == pytest.approx(np.c_[low, high])
    # statsmodels agrees where p * n is a whole count
    from statsmodels.stats.proportion import proportion_confint
    assert aware.loc["Total", ["ci_low", "ci_high"]].tolist() == \
        pytest.approx(proportion_confint(150, 300, alpha=0.1, method="wilson"))
    # small bases: [c] under 10 (p and interval hidden), [u] under 30
    ne = aware.loc["North East"]
    assert ne["flag"] == "[c]" and np.isnan(ne["p"]) and np.isnan(ne["ci_low"])
    useful = r[r["question"] == "how_useful_is_the_review"].set_index("group")
    assert useful.loc["Police", "flag"] == "[u]" and useful.loc["Total", "flag"] == ""
    assert useful.loc["Total", "p"] == pytest.approx(0.75)  # no codebook: the first NET row
    assert useful.loc["Total", "base_label"] == "those aware of the review"
    r2 = rates_from_tables(t, small_base=SmallBase(suppress=3, flag=5))
    assert set(r2["flag"]) == {"", "[u]"}


def test_first_answer_when_no_net_or_yes_and_excluded_answers():
    q = {**AWARE, "text": "Which?", "answers": [("Letters", [0.6] * 5), ("Emails", [0.3] * 5),
                                                 ("Don't know", [0.1] * 5)]}
    t = read_data_tables("t.xlsx", workbook({"S": [q]}))
    assert rates_from_tables(t)["p"].iloc[0] == pytest.approx(0.6)
    cb = Codebook(questions=[Question(id="which", column="w", text="Which?", positive=["Letters"],
                                      exclude=["Don't know"])])
    total = rates_from_tables(t, cb).iloc[0]
    assert total["question"] == "which" and total["p"] == pytest.approx(0.6 / 0.9)
    assert total["n"] == 270 and total["base_weighted"] == pytest.approx(270)


def test_by_filter_and_filename_form():
    content = workbook({"S": [AWARE]})
    r = rates_from_tables("t.xlsx", content, by=(("region",),))
    assert r["by"].unique().tolist() == ["total", "region"]
    london = rates_from_tables("t.xlsx", content, filter={"region": "london"})
    assert london[["by", "group", "n"]].values.tolist() == [["total", "London", 250]]
    with pytest.raises(InputError, match=r"no crossing role × region"):
        rates_from_tables("t.xlsx", content, by=(("role", "region"),))
    with pytest.raises(InputError, match=r"have no 'age' columns; they have: total, role, region"):
        rates_from_tables("t.xlsx", content, by=("age",))
    with pytest.raises(InputError, match=r"no column region = 'Leeds'"):
        rates_from_tables("t.xlsx", content, filter={"region": "Leeds"})


def test_positive_answer_missing_from_table():
    t = read_data_tables("t.xlsx", workbook({"S": [AWARE]}))
    cb = Codebook(questions=[Question(id="h", column="h", text=AWARE["text"], positive=["Ja"])])
    with pytest.raises(InputError, match=r"sheet 'S', question 'h': none of the codebook's positive answers"):
        rates_from_tables(t, cb)


def test_sample_workbook():
    content = (SURVEYS / "frontline_2021_tables.xlsx").read_bytes()
    assert is_data_tables("frontline_2021_tables.xlsx", content)
    assert not is_data_tables("frontline_2021.xlsx", (SURVEYS / "frontline_2021.xlsx").read_bytes())
    assert not is_data_tables("frontline_2021_tables.csv", content)
    with pytest.raises(InputError, match=r"is a data tables workbook .* not one row per respondent"):
        read_survey("frontline_2021_tables.xlsx", content)
    t = read_data_tables("frontline_2021_tables.xlsx", content)
    assert t["question"].nunique() == 7 and set(t["by"]) == {"total", "role", "region"}
    assert t.loc[t["by"] == "total", "n"].max() == 307
    total = rates_from_tables(t).query("by == 'total'").set_index("question")["p"]
    assert round(100 * total.iloc[0]) == 49  # heard of the Panel


# ------------------------------------------------------------------ malformed workbooks
def test_no_banner():
    with pytest.raises(InputError, match=r"t.xlsx, sheet 'S': no banner found"):
        read_data_tables("t.xlsx", workbook({"S": [AWARE]}, banner=False))
    assert not is_data_tables("t.xlsx", workbook({"S": [AWARE]}, banner=False))


def test_missing_unweighted_row_and_stray_answers():
    content = workbook({"S": [AWARE]})
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["S"]
    row = next(c.row for c in ws["A"] if c.value == "Unweighted Sample")
    ws.delete_rows(row)
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError, match=r"sheet 'S', row \d+: the question 'Before today.*' has no 'Unweighted "
                                         r"Sample' row"):
        read_data_tables("t.xlsx", buf.getvalue())
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["S"]
    ws.delete_rows(next(c.row for c in ws["A"] if c.value == AWARE["text"]))
    ws.delete_rows(next(c.row for c in ws["A"] if str(c.value).startswith("Base:")))
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError, match=r"t.xlsx, sheet 'S', row 9: answer 'Yes' comes before any question text"):
        read_data_tables("t.xlsx", buf.getvalue())


def test_not_a_workbook():
    with pytest.raises(InputError, match=r"t.csv: data tables must be an Excel workbook"):
        read_data_tables("t.csv", b"a,b\n")
    with pytest.raises(InputError, match=r"t.xlsx is damaged"):
        read_data_tables("t.xlsx", workbook({"S": [AWARE]})[:500])
