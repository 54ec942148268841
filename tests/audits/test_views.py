"""The audits page model: the default cut-off shared with the annex, the headline figures,
the tables as people read them, an audit's history, and corrections refused in words."""

import datetime as dt

import pandas as pd
import pytest

from feedback.audits import seed, store, summaries, views
from feedback.audits.framework import load_framework
from feedback.audits.register import default_cutoff, submission_rate
from feedback.audits.sample import sample_frames
from feedback.errors import InputError
from feedback.report import audit_findings

FW = load_framework("wt2018")


@pytest.fixture(scope="module")
def sample():
    return sample_frames()


@pytest.fixture
def seeded(engine):
    seed.seed_if_empty(engine)
    return engine


def test_the_default_cut_off_is_the_published_one_and_shared_with_the_annex():
    published = [f for f in summaries.load_published() if f["kind"] == "submission_rate"]
    assert published
    for fig in published:  # "49% of partnerships had sent a 2020-21 report by 1 June 2022"
        assert default_cutoff(fig["year"]) == dt.date.fromisoformat(fig["by"])
    assert default_cutoff("2019/2020") == dt.date(2021, 6, 1)  # any way of writing the year
    with pytest.raises(InputError):
        default_cutoff("2020")  # not a reporting year: refused, not read as 2020-21
    assert audit_findings.default_cutoff is default_cutoff  # the annex counts by the same day


def test_headline_gives_the_published_figures(sample):
    top = views.headline(sample, "2020-21", None)
    assert (top.audited, top.cutoff, top.received, top.partnerships) == (18, dt.date(2022, 6, 1), 67, 137)
    assert round(top.rate * 100) == 49
    london = views.headline(sample, "2020-21", "London")
    assert london.partnerships < 137 and london.audited == len(summaries.select_audits(sample, year="2020-21",
                                                                                         region="London"))


def test_year_choices_newest_first_and_entry_years_oldest_first(sample):
    shown, allowed = views.year_choices(sample, dt.date(2024, 6, 1))
    assert shown == sorted(shown, reverse=True) and "2020-21" in shown
    assert allowed == sorted(allowed) and allowed[-1] == "2023-24"


def test_summary_table_puts_england_beside_a_region(sample):
    region = summaries.criterion_summary(sample, FW, year="2020-21", region="London")
    england = summaries.criterion_summary(sample, FW, year="2020-21")
    alone = views.summary_table(region)
    beside = views.summary_table(region, england)
    assert "England: reports audited" not in alone.columns
    assert (beside["England: reports audited"] == 18).all()
    assert views.percent_columns(beside)[:6] == views.PERCENT and "Share fully" in views.percent_columns(beside)
    # England's interval and flag are in the table too: the region view's chart draws them.
    assert (beside["England: flag"] == "[u]").all() and beside["England: interval from"].notna().all()
    assert beside["Share fully or partly"].isna().all()  # London's suppressed [c] share stays blank
    years = views.years_table(summaries.year_on_year(sample, FW, region="London"), summaries.year_on_year(sample, FW))
    assert list(years.columns[-6:]) == ["England: fully or partly", "England: reports audited",
                                        "England: share fully or partly", "England: interval from",
                                        "England: interval to", "England: flag"]


def test_codes_by_region_and_rate_tables_put_england_beside_a_region(sample):
    freq = summaries.code_frequencies(sample, FW, "priorities", year="2020-21", region="London")
    eng = summaries.code_frequencies(sample, FW, "priorities", year="2020-21")
    table = views.codes_table(freq, "Priorities", eng)
    assert (table["England: reports audited"] == 18).all() and table["England: share"].notna().all()
    assert table["Share"].isna().all() and (table["Flag ([c] under 10 reports, [u] under 30)"] == "[c]").all()
    assert "England: share" in views.percent_columns(table)
    by_region = summaries.criterion_summary(sample, FW, year="2020-21", region="London", by_region=True)
    both = views.by_region_with_england(by_region, summaries.criterion_summary(sample, FW, year="2020-21"))
    assert list(pd.unique(both["region"])) == ["London", "England"]
    assert both.groupby("region")["criterion"].count().tolist() == [len(by_region)] * 2
    rate = views.rate_with_england(submission_rate(sample["register"], "2020-21", dt.date(2022, 6, 1), region="London"),
                                   submission_rate(sample["register"], "2020-21", dt.date(2022, 6, 1)))
    assert rate["region"].tolist() == ["London", "England"] and rate["partnerships"].tolist()[1] == 137


def test_register_rows_are_the_year_and_region(sample):
    rows = views.register_rows(sample["register"], "2020-21", "London")
    assert len(rows) and set(rows["region"]) == {"London"} and set(rows["reporting_year"]) == {"2020-21"}
    assert list(views.register_table(rows).columns) == ["Partnership", "Region", "Reporting year", "Received on"]


def test_an_audits_history_names_each_change_and_a_stale_correction_is_refused_in_words(seeded):
    frames = store.load_frames(seeded)
    audits = views.audits_of(frames, FW, "2020-21", None)
    assert len(audits) == 18 and "audit_id" in audits and "Partnership" in views.audits_table(audits)
    unmet = frames["scores"].query("score == 'not'").iloc[0]
    audit_id, criterion = int(unmet["audit_id"]), unmet["criterion"]
    scores = views.scores_of(frames, audit_id)
    views.correct_score(seeded, scores, criterion, {"score": "Fully evidenced", "page": "9", "quote": ""}, FW,
                        "Reviewer", "second reading")
    history = views.audit_history(seeded, audit_id, scores, FW)
    assert list(history.columns) == ["When", "Who", "What", "Field", "Old value", "New value", "Reason"]
    assert history["When"].is_monotonic_increasing
    corrected = history[history["Who"] == "Reviewer"]
    assert set(corrected["What"]) == {FW.criterion(criterion).label} and "score" in set(corrected["Field"])
    assert history["What"].iloc[0] == "audit"  # the audit's own entry comes first
    with pytest.raises(InputError, match="It now says: Fully evidenced, page 9"):
        views.correct_score(seeded, scores, criterion, {"score": "Not evidenced", "page": "", "quote": ""}, FW,
                            "Other")  # still the version shown before the correction


def test_regions_in_keeps_the_panels_order_and_only_regions_with_audits(sample):
    by_region = summaries.criterion_summary(sample, FW, year="2020-21", by_region=True)
    shown = views.regions_in(by_region)
    assert shown and set(shown) == set(by_region["region"])
    assert views.regions_in(by_region.iloc[::-1]) == shown  # the Panel's order, not the table's


def test_import_preview_is_one_row_per_audit_with_the_template_columns():
    from feedback.audits.entry import read_audits, template_frame

    partnerships = {"London sample partnership 01": "London"}
    row = {c: "" for c in template_frame(FW).columns} | {
        "partnership": "London sample partnership 01", "reporting_year": "2020-21", "auditor": "A",
        "audited_on": "2022-07-01"}
    row |= {c.id: "Not evidenced" for c in FW.criteria}
    csv = ",".join(row) + "\n" + ",".join(f'"{v}"' for v in row.values()) + "\n"
    records = read_audits("audits.csv", csv.encode(), FW, partnerships)
    preview = views.import_preview(records, FW)
    assert len(preview) == 1 and preview.loc[0, "partnership"] == "London sample partnership 01"
    assert set(preview.columns) <= set(template_frame(FW).columns)
