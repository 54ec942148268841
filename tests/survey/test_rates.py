"""rates_by_group: bases, routing, domains, flags and the results model's shape."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from feedback.errors import InputError
from feedback.regions import REGIONS
from feedback.survey.rates import COLUMNS, SmallBase, rates_by_group
from tests.survey.engine_helpers import FOUR_REGIONS, ROLES, frontline_like, make_codebook

ALL_ROWS = SmallBase(suppress=0, flag=0)
ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "contracts.md"


def test_columns_are_those_of_the_documented_results_model():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = text.split("Columns, in this order (proportions in 0-1):", 1)[1].split("\n\n", 1)[0]
    documented = [c.strip() for c in re.sub(r"[`\n]", " ", block).split(",") if c.strip()]
    frame, codebook = frontline_like()
    assert documented == COLUMNS
    assert list(rates_by_group(frame, codebook).columns) == COLUMNS


def _expected_counts(frame, in_base, positive, groups):
    """Independent pandas count of positives and base per group (None = total)."""
    keys = [pd.Series("Total", index=frame.index)] if groups is None else [frame[g] for g in groups]
    table = pd.DataFrame({"base": in_base, "pos": positive & in_base}).groupby(keys).sum()
    return table


@pytest.mark.parametrize("method,sm", [("wilson", "wilson"), ("clopper-pearson", "beta"),
                                       ("agresti-coull", "agresti_coull")])
def test_unweighted_rates_and_intervals_equal_direct_counts_and_statsmodels(method, sm):
    frame, codebook = frontline_like(seed=2)
    out = rates_by_group(frame, codebook, method=method, small_base=ALL_ROWS).set_index(["question", "by", "group"])
    agree = frame["agree"]
    in_base = agree.notna()
    positive = agree.isin(["Strongly agree", "Tend to agree"])
    for by, groups in (("total", None), ("role", ["role"]), ("region", ["region"])):
        counts = _expected_counts(frame, in_base, positive, groups)
        for group, row in counts.iterrows():
            got = out.loc[("panel_improves", by, group)]
            low, high = proportion_confint(row["pos"], row["base"], method=sm)
            assert got["n"] == row["base"]
            assert got["base_weighted"] == row["base"] and got["n_eff"] == pytest.approx(row["base"])
            assert got["p"] == pytest.approx(row["pos"] / row["base"], rel=1e-14)
            assert got["ci_low"] == pytest.approx(low, rel=1e-12, abs=1e-14)
            assert got["ci_high"] == pytest.approx(high, rel=1e-12)
            assert got["method"] == method and got["level"] == 0.95 and got["source"] == "respondents"


def test_dont_know_stays_in_the_base_unless_excluded():
    frame, codebook = frontline_like(seed=3)
    kept = rates_by_group(frame, codebook, by=()).set_index("question").loc["panel_improves"]
    codebook.questions[2].exclude = ["Don't know"]
    dropped = rates_by_group(frame, codebook, by=()).set_index("question").loc["panel_improves"]
    answered = frame["agree"].notna()
    dk = frame["agree"] == "Don't know"
    positive = frame["agree"].isin(["Strongly agree", "Tend to agree"]).sum()
    assert kept["n"] == answered.sum() and kept["p"] == pytest.approx(positive / answered.sum())
    assert dropped["n"] == (answered & ~dk).sum() and dropped["p"] == pytest.approx(positive / (answered & ~dk).sum())


def test_routed_question_counts_only_those_positive_on_its_base_question():
    frame, codebook = frontline_like(seed=4)
    # A respondent routed out who answered anyway (bad export) must still be out of the base.
    stray = frame.index[frame["aware"] != "Yes"][:5]
    frame.loc[stray, "useful"] = "Very useful"
    out = rates_by_group(frame, codebook, by=(("role",),)).set_index(["question", "group"])
    aware = frame["aware"] == "Yes"
    for role in ROLES:
        base = aware & frame["useful"].notna() & (frame["role"] == role)
        pos = base & frame["useful"].isin(["Very useful", "Fairly useful"])
        row = out.loc[("review_useful", role)]
        assert row["n"] == base.sum()
        if row["flag"] != "[c]":
            assert row["p"] == pytest.approx(pos.sum() / base.sum())
    assert out.loc[("review_useful", "Total"), "base_label"] == "Those aware of the reviews"


def test_missing_and_blank_answers_are_out_of_the_base_and_labels_match_loosely():
    frame = pd.DataFrame({"role": ["A"] * 8, "region": ["London"] * 8,
                          "q": ["yes", " Yes ", "No", "", None, np.nan, "YES", "no"],
                          "code": [1.0, 1.0, 0.0, np.nan, 1.0, 0.0, 0.0, 1.0]})
    codebook = make_codebook([{"id": "q", "positive": ["Yes"]}, {"id": "code", "positive": ["1"]}])
    out = rates_by_group(frame, codebook, by=(), small_base=ALL_ROWS).set_index("question")
    assert out.loc["q", "n"] == 5 and out.loc["q", "p"] == pytest.approx(3 / 5)
    assert out.loc["code", "n"] == 7 and out.loc["code", "p"] == pytest.approx(4 / 7)


def test_filter_is_a_domain_of_the_full_design():
    frame, codebook = frontline_like(n=800, seed=5, weighted=True)
    cols = ["n", "base_weighted", "p", "se", "deff", "n_eff", "ci_low", "ci_high"]
    full = rates_by_group(frame, codebook, by=(("region",), ("role", "region")), method="logit",
                          small_base=ALL_ROWS).set_index(["question", "by", "group"])
    london = rates_by_group(frame, codebook, by=(("role",),), filter={"region": "London"}, method="logit",
                            small_base=ALL_ROWS).set_index(["question", "by", "group"])
    for q in ("aware_reviews", "review_useful", "panel_improves"):
        np.testing.assert_allclose(london.loc[(q, "total", "Total"), cols].astype(float),
                                   full.loc[(q, "region", "London"), cols].astype(float), rtol=1e-12)
        for role in ROLES:
            np.testing.assert_allclose(london.loc[(q, "role", role), cols].astype(float),
                                       full.loc[(q, "role × region", f"{role} / London"), cols].astype(float),
                                       rtol=1e-12)
    # Domain estimation is not the same as cutting the data down first.
    cut = rates_by_group(frame[frame["region"] == "London"], codebook, by=(), method="logit")
    assert cut.set_index("question").loc["aware_reviews", "p"] == pytest.approx(
        london.loc[("aware_reviews", "total", "Total"), "p"])
    assert cut.set_index("question").loc["aware_reviews", "se"] != pytest.approx(
        london.loc[("aware_reviews", "total", "Total"), "se"], rel=1e-6)


def test_filter_takes_several_values_and_rejects_unknown_ones():
    frame, codebook = frontline_like(seed=6)
    two = rates_by_group(frame, codebook, by=(), filter={"region": ["London", "north east"]})
    in_two = frame["region"].isin(["London", "North East"]).sum()
    assert two.loc[two["question"] == "aware_reviews", "n"].item() == in_two
    with pytest.raises(InputError, match="Londn"):
        rates_by_group(frame, codebook, filter={"region": "Londn"})
    with pytest.raises(InputError, match="colour"):
        rates_by_group(frame, codebook, filter={"colour": "red"})


def test_a_filtered_grouping_shows_only_groups_inside_the_domain():
    frame, codebook = frontline_like(seed=6)
    out = rates_by_group(frame, codebook, by=(("region",),), filter={"region": "London"})
    assert out.loc[out["by"] == "region", "group"].unique().tolist() == ["London"]


def test_small_bases_are_suppressed_or_flagged_with_settable_thresholds():
    frame, codebook = frontline_like(seed=7)
    out = rates_by_group(frame, codebook, by=(("role", "region"),))
    c, u, ok = out["flag"] == "[c]", out["flag"] == "[u]", out["flag"] == ""
    assert c.any() and u.any() and ok.any()
    assert (out.loc[c, "n"] < 10).all() and out.loc[u, "n"].between(10, 29).all() and (out.loc[ok, "n"] >= 30).all()
    assert out.loc[c, ["p", "ci_low", "ci_high", "se"]].isna().all().all()
    assert out.loc[~c, ["p", "ci_low", "ci_high"]].notna().all().all()
    assert (out.loc[c, "sig_vs_rest"] == "").all()
    strict = rates_by_group(frame, codebook, by=(("role", "region"),), small_base=SmallBase(suppress=50, flag=100))
    assert ((strict["n"] < 50) == (strict["flag"] == "[c]")).all()
    assert ((strict["n"].between(50, 99)) == (strict["flag"] == "[u]")).all()


def test_total_first_then_groupings_in_display_order():
    frame, codebook = frontline_like(seed=8)
    frame["role"] = pd.Categorical(frame["role"], categories=["Police", "Health", "Social worker", "Education"])
    out = rates_by_group(frame, codebook, by=(("role",), ("region",), ("role", "region")))
    one = out[out["question"] == "aware_reviews"]
    assert one.iloc[0][["by", "group"]].tolist() == ["total", "Total"]
    assert one.loc[one["by"] == "role", "group"].tolist() == ["Police", "Health", "Social worker", "Education"]
    panel_order = [r for r in REGIONS if r in FOUR_REGIONS]
    assert one.loc[one["by"] == "region", "group"].tolist() == panel_order
    assert one.loc[one["by"] == "role × region", "group"].iloc[0] == f"Police / {panel_order[0]}"
    questions = ["aware_reviews", "review_useful", "panel_improves"]
    assert out["question"].tolist() == np.repeat(questions, len(one)).tolist()
    only_total = rates_by_group(frame, codebook, by=())
    assert only_total["group"].tolist() == ["Total"] * 3


def test_respondents_without_a_group_count_in_the_total_only():
    frame, codebook = frontline_like(seed=9)
    frame.loc[:19, "role"] = None
    out = rates_by_group(frame, codebook, by=(("role",),)).query("question == 'aware_reviews'")
    assert out.loc[out["by"] == "total", "n"].item() == len(frame)
    assert out.loc[out["by"] == "role", "n"].sum() == len(frame) - 20


@pytest.mark.parametrize("value,what", [("heavy", "'heavy'"), (-1.0, "-1.0"), (None, "missing")])
def test_bad_weights_are_input_errors_naming_the_column_and_row(value, what):
    frame, codebook = frontline_like(seed=10, weighted=True)
    frame["wt"] = frame["wt"].astype(object)
    frame.loc[2, "wt"] = value
    with pytest.raises(InputError, match=r"weight column 'wt', data row 3") as err:
        rates_by_group(frame, codebook)
    assert what in str(err.value)


def test_codebook_naming_absent_columns_or_questions_is_an_input_error():
    frame, codebook = frontline_like(seed=11, weighted=True)
    with pytest.raises(InputError, match="'wt'"):
        rates_by_group(frame.drop(columns="wt"), codebook)
    with pytest.raises(InputError, match="'agree'"):
        rates_by_group(frame.drop(columns="agree"), codebook)
    codebook.questions[1].base_question = "aware_of_nothing"
    with pytest.raises(InputError, match="aware_of_nothing"):
        rates_by_group(frame, codebook)
    codebook.questions[1].base_question = "panel_improves"
    codebook.questions[2].base_question = "review_useful"
    with pytest.raises(InputError, match="loops"):
        rates_by_group(frame, codebook)


def test_weighted_rates_use_weights_and_kish_base():
    frame, codebook = frontline_like(seed=12, weighted=True)
    out = rates_by_group(frame, codebook, by=(("role",),)).set_index(["question", "group"])
    for role in ROLES:
        sub = frame[frame["role"] == role]
        w = sub["wt"]
        row = out.loc[("aware_reviews", role)]
        assert row["p"] == pytest.approx((w * (sub["aware"] == "Yes")).sum() / w.sum(), rel=1e-12)
        assert row["n_eff"] == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
        low, high = proportion_confint(row["p"] * row["n_eff"], row["n_eff"], method="wilson")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-12)


def test_grouping_by_a_column_the_codebook_does_not_name_is_explained():
    frame, codebook = frontline_like(seed=13)
    codebook.region = ""
    frame = frame.rename(columns={"region": "area"})
    with pytest.raises(InputError, match=r"names no region column"):
        rates_by_group(frame, codebook, by=(("region",),))
    by_area = rates_by_group(frame, codebook, by=(("area",),))  # any data column can group
    assert set(by_area.loc[by_area["by"] == "area", "group"]) == set(FOUR_REGIONS)
    with pytest.raises(InputError, match="no respondent rows"):
        rates_by_group(frame.iloc[:0], codebook, by=())


@pytest.mark.parametrize("values", [
    ["Yes", None, "No", "Yes", "", None, " yes "],
    [None, None],
    [],
])
def test_factorize_gives_pandas_codes_and_uniques_for_arrow_text(values):
    from feedback.survey.answers import factorize

    series = pd.Series(values, dtype="str")
    joined = pd.concat([series, series.iloc[::-1]], ignore_index=True)  # two Arrow chunks
    for s in (series, joined, series.astype(object)):
        codes, uniques = factorize(s)
        expected_codes, expected_uniques = pd.factorize(s)
        assert codes.tolist() == expected_codes.tolist()
        assert list(uniques) == list(expected_uniques)


def test_coding_on_threads_gives_the_same_frame_and_rates_as_coding_in_turn(monkeypatch):
    from feedback.survey import rates
    from tools.synthetic import synthetic, text_answers

    frame, codebook = synthetic(25_000, questions=40)
    text = text_answers(frame)
    assert len(text) * len(codebook.questions) >= rates._THREADED_CELLS  # the threaded path runs
    threaded = rates.code_answers(text, codebook)
    monkeypatch.setattr(rates, "_CODING_THREADS", 1)
    in_turn = rates.code_answers(text, codebook)
    pd.testing.assert_frame_equal(threaded, in_turn)
    assert isinstance(threaded[codebook.questions[0].column].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(rates_by_group(threaded, codebook), rates_by_group(text, codebook))
