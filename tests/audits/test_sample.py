"""The sample register and audits reproduce the published figures exactly."""

from datetime import date

import pytest

from feedback.audits import summaries
from feedback.audits.framework import load_framework
from feedback.audits.register import submission_rate
from feedback.audits.sample import sample_frames


@pytest.fixture(scope="module")
def sample():
    return sample_frames()


@pytest.fixture(scope="module")
def fw():
    return load_framework("wt2018")


def _criterion(sample, fw, year, criterion):
    table = summaries.criterion_summary(sample, fw, year=year)
    return table.set_index("criterion").loc[criterion]


def test_2020_21_audits(sample, fw):
    audits = summaries.select_audits(sample, year="2020-21")
    assert len(audits) == 18
    assert _criterion(sample, fw, "2020-21", "independent_scrutiny")["evidenced"] == 13
    assert _criterion(sample, fw, "2020-21", "impact")["not_evidenced"] == 11
    assert _criterion(sample, fw, "2020-21", "review_actions")["evidenced"] == 17
    assert _criterion(sample, fw, "2020-21", "partner_activity")["not_evidenced"] == 0


def test_2020_21_priorities_and_practice_themes(sample, fw):
    prio = summaries.code_frequencies(sample, fw, "priorities", year="2020-21").set_index("code")
    assert prio.loc["neglect", "count"] == 11 and prio.loc["neglect", "rank"] == 1
    assert (prio.drop(index="neglect")["count"] < 11).all()     # the most common, alone
    assert prio.loc["domestic_abuse", "count"] == 9
    themes = summaries.code_frequencies(sample, fw, "practice_themes", year="2020-21")
    assert list(themes.head(3)[["code", "count"]].itertuples(index=False, name=None)) == [
        ("learning_from_reviews", 6), ("information_sharing", 3), ("trauma_informed", 2)]
    assert themes["count"].iloc[3:].max() < 2                   # the top three are the top three


def test_2019_20_guidance_requirements(sample, fw):
    row = _criterion(sample, fw, "2019-20", "wt_requirements")
    assert (row["n"], row["evidenced"]) == (68, 49)


def test_2020_21_submission_rate_by_1_june_2022(sample):
    rate = submission_rate(sample["register"], "2020-21", date(2022, 6, 1))
    england = rate.iloc[-1]
    assert england["region"] == "England"
    assert (england["received"], england["partnerships"]) == (67, 137)
    assert round(england["rate"] * 100) == 49
    assert rate.iloc[:-1]["received"].sum() == 67
    later = submission_rate(sample["register"], "2020-21", date(2022, 12, 31)).iloc[-1]
    assert later["received"] > 67


def test_audited_reports_were_received_by_the_cut_off(sample):
    reg = sample["register"]
    audited = summaries.select_audits(sample, year="2020-21")["partnership"]
    received = reg[(reg["reporting_year"] == "2020-21") & (reg["received_on"] <= date(2022, 6, 1))]
    assert set(audited) <= set(received["partnership"])
    assert sample["audits"].query("reporting_year == '2020-21'")["region"].value_counts().eq(2).all()


def test_published_check_matches_every_published_figure(sample, fw):
    check = summaries.published_check(sample, fw, sample["register"])
    assert len(check) == len(summaries.load_published()) == 11
    assert check["matches"].all(), check[~check["matches"]].to_string()


def test_published_check_notices_a_difference(sample, fw):
    audits = sample["audits"]
    first_2020 = audits.index[audits["reporting_year"] == "2020-21"][0]
    fewer = {**sample, "audits": audits.drop(index=first_2020)}
    check = summaries.published_check(fewer, fw, sample["register"]).set_index("figure")
    row = check.loc["18 annual reports for 2020-21 audited"]
    assert (row["published"], row["computed"], row["matches"]) == ("18", "17", False)


def test_sample_is_marked_as_built_from_the_published_figures():
    from feedback.audits.sample import SAMPLE_AUDITS, SAMPLE_REGISTER

    assert "SAMPLE built from the published figures" in SAMPLE_AUDITS.read_text(encoding="utf-8")
    assert all(" sample partnership " in line for line in SAMPLE_REGISTER.read_text().splitlines()[1:])


def test_sample_script_is_deterministic(tmp_path, monkeypatch):
    import importlib.util
    from pathlib import Path

    from feedback.audits.sample import SAMPLE_AUDITS, SAMPLE_REGISTER

    script = Path(__file__).resolve().parents[2] / "scripts" / "make_sample_audits.py"
    spec = importlib.util.spec_from_file_location("make_sample_audits", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path)
    module.main()
    assert (tmp_path / "sample_audits.csv").read_bytes() == SAMPLE_AUDITS.read_bytes()
    assert (tmp_path / "sample_register.csv").read_bytes() == SAMPLE_REGISTER.read_bytes()
