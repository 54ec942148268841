"""Waves of a survey: change between two waves against R survey, Holm families, [b] breaks, trends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feedback.errors import InputError
from feedback.survey.rates import SmallBase
from feedback.survey.significance import adjust_pvalues
from feedback.survey.waves import BREAK, change, change_words, latest_change, load_wave, series, sort_waves, trend

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "waves"
ALL = (("role",), ("region",), ("role", "region"))


def _wave(year: int, codebook_text: str | None = None):
    name = f"wave_{year}.csv"
    return load_wave(name, (HERE / name).read_bytes(), codebook_text or (HERE / f"wave_{year}.toml").read_text())


@pytest.fixture(scope="module")
def waves():
    return _wave(2021), _wave(2022)


def test_change_equals_r_survey_with_waves_as_strata(waves):
    """Every question x group (total, role, region, role x region, and a London filter) to 1e-8 of
    svyby(..., covmat = TRUE) + svycontrast on the stacked design (reference.R)."""
    before, after = waves
    ref = pd.read_csv(HERE / "change_reference.csv", keep_default_na=False, na_values=[""])
    ref["filter"] = ref["filter"].fillna("")
    no_rules = SmallBase(suppress=0, flag=0)
    got = pd.concat([
        change(before, after, by=ALL, small_base=no_rules).assign(filter=""),
        change(before, after, by=(("role",),), filter={"region": "London"}, small_base=no_rules)
        .assign(filter="London"),
    ])
    merged = ref.merge(got, on=["filter", "question", "by", "group"], suffixes=("_r", ""), how="left",
                       validate="one_to_one")
    assert len(merged) == len(ref) == 60
    assert set(merged["question"]) == {"aware", "useful", "agree"}  # the routed question is there
    for column in ("p_before", "p_after", "change", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], rtol=0, atol=1e-8, err_msg=column)
    # a wave at 0% or 100% is tested by Rao-Scott (test_change_by_rao_scott_...), every other change by Wald z
    edge = merged[["p_before", "p_after"]].isin([0.0, 1.0]).any(axis=1)
    assert (merged["test"] == np.where(edge, "rao-scott", "wald")).all() and edge.sum() == 1
    np.testing.assert_allclose(merged.loc[~edge, "p_value"], merged.loc[~edge, "p_value_r"], rtol=0, atol=1e-8)
    # the routed question's base is those aware, in each wave
    useful = got[(got["question"] == "useful") & (got["by"] == "total") & (got["filter"] == "")].iloc[0]
    aware = got[(got["question"] == "aware") & (got["by"] == "total") & (got["filter"] == "")].iloc[0]
    assert useful["n_before"] < aware["n_before"] and useful["n_after"] < aware["n_after"]


def test_question_new_in_later_wave_is_left_out_and_named(waves):
    out = change(*waves)
    assert "new_question" not in set(out["question"])
    assert out.attrs["left_out"] == {"new_question": "only in 2022"}
    tr = trend(waves)
    asked = tr[tr["question"] == "new_question"]
    assert set(asked["wave"]) == {"2022"} and len(asked) > 0
    s = series(waves)
    assert s.loc[(s["question"] == "new_question"), "present"].tolist() == [False, True]


def test_holm_family_is_one_question_within_one_grouping(waves):
    out = change(*waves, by=ALL, adjust="holm")
    for _, rows in out.groupby(["question", "by"]):
        expected = adjust_pvalues(rows["p_value"].to_numpy(), np.zeros(len(rows)), "holm")
        np.testing.assert_allclose(rows["p_adj"], expected, atol=1e-15)
    regions = out[(out["question"] == "aware") & (out["by"] == "region")]
    # Holm with m = 3 regions: the smallest p-value is multiplied by 3
    assert regions["p_adj"].min() == pytest.approx(min(1, 3 * regions["p_value"].min()))
    none = change(*waves, by=ALL, adjust="none")
    np.testing.assert_allclose(none["p_adj"], none["p_value"])
    bh = change(*waves, by=ALL, adjust="bh")
    tested = out["p_adj"].notna()
    assert tested.sum() > 20 and (bh["p_adj"][tested] <= out["p_adj"][tested] + 1e-15).all()


def test_sig_follows_adjusted_p_and_sign(waves):
    out = change(*waves, by=ALL, level=0.90, small_base=SmallBase(0, 0))
    sig = out["p_adj"] < 0.10
    assert (out.loc[sig & (out["change"] > 0), "sig"] == "up").all()
    assert (out.loc[sig & (out["change"] < 0), "sig"] == "down").all()
    assert (out.loc[~sig, "sig"] == "").all()
    wide = change(*waves, level=0.99)
    narrow = change(*waves, level=0.90)
    assert ((wide["ci_high"] - wide["ci_low"]) > (narrow["ci_high"] - narrow["ci_low"])).all()


def test_small_base_rules_apply_to_both_waves(waves):
    out = change(*waves, by=(("role", "region"),), small_base=SmallBase(suppress=25, flag=40))
    cells = out[out["by"] == "role × region"]
    small = (cells["n_before"] < 25) | (cells["n_after"] < 25)
    assert small.any() and (cells.loc[small, "flag"] == "[c]").all()
    assert cells.loc[small, ["p_before", "p_after", "change", "se", "p_value"]].isna().all().all()
    low = ~small & ((cells["n_before"] < 40) | (cells["n_after"] < 40))
    assert low.any() and (cells.loc[low, "flag"] == "[u]").all()
    assert cells.loc[low, "p_value"].notna().all()


def test_changed_wording_is_a_break_not_tested_unless_comparable():
    before = _wave(2021)
    reworded = (HERE / "wave_2022.toml").read_text().replace(
        'text = "The Panel is a trusted source of information"',
        'text = "The Panel is a trusted and timely source of information"')
    after = _wave(2022, reworded)
    out = change(before, after)
    agree = out[out["question"] == "agree"]
    assert (agree["flag"].str.contains(BREAK, regex=False)).all()
    assert agree["p_value"].isna().all() and (agree["sig"] == "").all()
    assert agree["change"].notna().all()  # the figures are shown, neither tested nor given an interval
    assert agree[["se", "ci_low", "ci_high"]].isna().all().all()
    assert out.loc[out["question"] == "aware", ["se", "ci_low", "ci_high"]].notna().all().all()
    assert not out[out["question"] == "aware"]["flag"].str.contains(BREAK, regex=False).any()
    assert change_words(agree.iloc[0]).startswith("not comparable")
    s = series([before, after])
    assert s.loc[(s["question"] == "agree") & (s["wave"] == "2022"), "break_before"].item()
    tr = trend([before, after])
    assert tr.loc[(tr["question"] == "agree") & (tr["wave"] == "2022"), "flag"].str.startswith(BREAK).all()
    assert not tr.loc[(tr["question"] == "agree") & (tr["wave"] == "2021"), "flag"].str.contains("b").any()

    # a changed positive answer is a break too
    positive = (HERE / "wave_2022.toml").read_text().replace(
        'positive = ["Strongly agree", "Tend to agree"]', 'positive = ["Strongly agree"]')
    assert change(before, _wave(2022, positive)).query("question == 'agree'")["flag"].str.contains(
        BREAK, regex=False).all()

    # the user says the versions compare: tested again
    comparable = reworded.replace('exclude = ["Don\'t know"]', 'exclude = ["Don\'t know"]\ncomparable = true')
    again = change(before, _wave(2022, comparable)).query("question == 'agree'")
    assert not again["flag"].str.contains(BREAK, regex=False).any() and again["p_value"].notna().all()
    assert again["ci_low"].notna().all()


def test_waves_sorted_by_year_and_labels_must_differ(waves):
    before, after = waves
    assert [w.label for w in sort_waves([after, before])] == ["2021", "2022"]
    assert latest_change([after, before])["wave_after"].iloc[0] == "2022"
    with pytest.raises(InputError, match="both waves are labelled"):
        change(before, before)


def test_change_in_words():
    row = pd.Series({"change": 0.052, "sig": "up", "flag": ""})
    assert change_words(row) == "▲ 5 pts, significant"
    assert change_words(pd.Series({"change": -0.02, "sig": "", "flag": ""})) == "no significant change"
    assert change_words(pd.Series({"change": -0.12, "sig": "down", "flag": "[u]"})) == "▼ 12 pts, significant"


def test_both_waves_at_zero_is_untestable_and_left_out_of_the_family():
    before, after = _wave(2021), _wave(2022)
    for wave in (before, after):  # nobody in the first role answers "Yes" to aware, in either wave
        frame = wave.survey.frame
        first = frame["role"].astype(str) == sorted(frame["role"].dropna().astype(str).unique())[0]
        column = next(q.column for q in wave.survey.codebook.questions if q.id == "aware")
        frame[column] = frame[column].astype(object).where(~first, "No")
    out = change(before, after, by=(("role",),), small_base=SmallBase(0, 0))
    aware = out[(out["question"] == "aware") & (out["by"] == "role")]
    none = (aware["p_before"] == 0) & (aware["p_after"] == 0)
    assert none.sum() == 1
    assert aware.loc[none, "flag"].str.contains("[z]", regex=False).all() and aware.loc[none, "p_adj"].isna().all()
    rest = aware[~none]
    np.testing.assert_allclose(rest["p_adj"], adjust_pvalues(rest["p_value"], np.zeros(len(rest)), "holm"))


def _waves_with_a_zero_question():
    """The fixture's waves plus "aware_zero" as scripts/r/change_rao_scott_reference.R builds it."""
    import dataclasses

    from feedback.survey.codebook import Question

    out = []
    for year in (2021, 2022):
        wave = _wave(year)
        frame = wave.survey.frame
        role = frame["role"].astype(str)
        zero = (role == "Health") | ((role == "Police") & (year == 2022))
        frame["q1_zero"] = frame["q1_aware"].astype(object).where(~zero, "No")
        cb = wave.survey.codebook
        extra = Question(id="aware_zero", column="q1_zero", text="Aware (zero)", kind="awareness", positive=["Yes"],
                         exclude=[], base_question="", base_label="")
        wave.survey.codebook = dataclasses.replace(cb, questions=[*cb.questions, extra])
        out.append(wave)
    return out


@pytest.mark.parametrize("test", ["rao-scott", "design"])
def test_change_by_rao_scott_equals_svychisq_with_the_waves_as_strata(test):
    before, after = _waves_with_a_zero_question()
    out = change(before, after, by=(("role",), ("region",)), small_base=SmallBase(0, 0), adjust="none", test=test)
    want = pd.read_csv(HERE / "change_rao_scott_expected.csv")
    j = want.merge(out, on=["question", "by", "group"], suffixes=("_r", ""), validate="one_to_one")
    assert len(j) == len(want) == 28
    edge = j[["p_before", "p_after"]].isin([0.0, 1.0]).any(axis=1)
    none = (j["p_before"] == 0) & (j["p_after"] == 0)
    assert none.sum() == 1 and j.loc[none, "p_value"].isna().all() and j.loc[none, "p_value_r"].isna().all()
    assert j.loc[none, "flag"].str.contains("[z]", regex=False).all()
    rs = ~none & ((j["test"] == "rao-scott") if test == "design" else True)
    assert (j.loc[~none, "test"] == np.where(edge[~none] | (test == "rao-scott"), "rao-scott", "wald")).all()
    assert rs.sum() == (27 if test == "rao-scott" else 1)  # Police: 0% in 2022 only
    np.testing.assert_allclose(j.loc[rs, "p_value"], j.loc[rs, "p_value_r"], rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(j.loc[rs, "z"] ** 2, j.loc[rs, "F"], rtol=1e-8)


def test_a_series_with_published_tables_is_not_crossed_role_by_region():
    from types import SimpleNamespace

    from feedback.survey.waves import Wave, grouping_for

    respondents = Wave("2021", SimpleNamespace(kind="respondents"))
    tables = Wave("2022", SimpleNamespace(kind="data tables"))
    assert grouping_for([respondents, respondents], "Role × region") == "Role × region"
    assert grouping_for([respondents, tables], "Role × region") == "Role and region"
    assert grouping_for([respondents, tables], "Role") == "Role"


def test_a_sample_knows_its_place_in_its_series_and_an_upload_has_none():
    from types import SimpleNamespace

    from feedback.survey.waves import sample_series, series_audiences, series_position

    frontline = sample_series("respondents")["frontline"]
    assert "frontline" in series_audiences() and "partners" in series_audiences()
    last = frontline[-1]
    samples, at = series_position(SimpleNamespace(kind="respondents", audience="frontline",
                                                  filename=last.data_file, name=last.name))
    assert samples == frontline and at == len(frontline) - 1
    upload = SimpleNamespace(kind="respondents", audience="frontline", filename=last.data_file, name="Your own")
    assert series_position(upload) == ([], -1)
