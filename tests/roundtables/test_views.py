"""Sample notes: totals reconcile to the annual report, counts are right, generator is deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

from feedback.regions import REGIONS
from feedback.roundtables import views
from feedback.roundtables.read import read_notes
from feedback.roundtables.themes import load_themes


@pytest.fixture(scope="module")
def sample(sample_files):
    cb = load_themes()
    notes = [read_notes(f.name, f.read_bytes()) for f in sample_files]
    return notes, views.frames_from_notes(notes, cb), cb


def test_sample_totals_reconcile_to_chapter_11(sample):
    notes, frames, _ = sample
    totals = views.event_totals(frames.events)
    overall = totals.iloc[-1]
    assert (overall["Events"], overall["Attendees"], overall["Partnerships"]) == (10, 448, 148)
    assert totals.iloc[:-1]["Attendees"].sum() == 448
    assert set(frames.events["region"]) == set(REGIONS)
    assert frames.events["region"].value_counts().max() == 2
    assert all(n.missing == [] and n.problems == [] for n in notes)
    assert all("sample built from the published summary" in (n.meta.note or "") for n in notes)


def test_sample_files_are_what_the_generator_writes(sample_generator, sample_files):
    assert [f.name for f in sample_files] == [e["file"] for e in sample_generator.EVENTS]
    for event, path in zip(sample_generator.EVENTS, sample_files, strict=True):
        assert sample_generator.build_event(event) == path.read_bytes(), path.name


def test_every_annex_c_theme_raised_somewhere_and_in_partnerships_words(sample, sample_generator):
    _, frames, cb = sample
    table = views.themes_by_region(frames, cb)
    for code, text in sample_generator.ANNEX_C.items():
        assert table.loc[code, "Total"] >= 3, code
        assert text not in set(frames.points["text"])  # reworded, not copied from Annex C


def test_themes_by_region_counts_distinct_points(sample):
    _, frames, cb = sample
    table = views.themes_by_region(frames, cb)
    assert list(table.columns) == ["Theme", "Sub-theme", *REGIONS, "Total"]
    assert (table[list(REGIONS)].sum(axis=1) == table["Total"]).all()
    coded = views.coded_points(frames, cb)
    assert table["Total"].sum() == len(coded.drop_duplicates(["point_id", "code"]))
    # a hand count: London's two events raised extra-familial harm twice, information sharing once
    assert table.loc["extra_familial_harm", "London"] == 2
    assert table.loc["information_sharing", "London"] == 1
    # East of England's duplicated tier 4 point is merged and counted once
    assert table.loc["mental_health_suicide", "East of England"] == 1
    themes = views.themes_by_region(frames, cb, level="theme")
    assert themes.loc["Practice themes", "Total"] == coded.loc[coded["theme"] == "Practice themes",
                                                               "point_id"].nunique()


def test_region_filter_and_points_behind_a_cell(sample):
    _, frames, cb = sample
    london = views.themes_by_region(frames, cb, region="London")
    assert list(london.columns) == ["Theme", "Sub-theme", "London", "Total"]
    behind = views.points_behind(frames, cb, code="extra_familial_harm", region="London")
    assert len(behind) == 2 and set(behind["region"]) == {"London"}
    assert behind["event_date"].is_monotonic_increasing
    per_event = views.themes_by_event(frames, cb, region="London")
    assert list(per_event.columns[2:]) == ["London, 24 Jun 2021", "London, 07 Oct 2021", "Total"]
    totals = views.event_totals(frames.events, region="London")
    assert totals.iloc[-1][["Events", "Attendees", "Partnerships"]].tolist() == [2, 99, 33]


def test_a_person_overrides_the_rules_and_the_latest_person_wins():
    codings = pd.DataFrame({
        "point_id": [1, 1, 1, 2],
        "coder": ["rules", "Ann", "Ben", "rules"],
        "codes": [("a",), ("b",), ("c", "d"), ()],
        "matched": [{"a": ["x"]}, {}, {}, {}],
        "coded_at": [pd.NaT, pd.Timestamp("2021-01-02", tz="UTC"), pd.Timestamp("2021-01-01", tz="UTC"), pd.NaT],
    })
    got = views.current_codes(codings)
    assert got[["point_id", "code", "coder"]].values.tolist() == [[1, "b", "Ann"]]


# ------------------------------------------------------------------ the page's tables


def test_the_points_behind_a_count_as_the_page_shows_them(sample):
    _, frames, cb = sample
    shown = views.behind_table(views.points_behind(frames, cb, code="mental_health_suicide", region="East of England"))
    assert list(shown.columns) == ["Region", "Event", "Date", "Point", "Sub-themes", "Matched words", "Coded by",
                                   "Merged texts"]
    assert len(shown) == 1 and shown["Merged texts"].iloc[0] != ""  # the duplicated tier 4 point, merged
    assert shown["Date"].str.fullmatch(r"\d\d [A-Z][a-z]{2} \d{4}").all()


def test_region_narrows_events_points_and_codings_together(sample):
    _, frames, _ = sample
    london = views.for_region(frames, "London")
    assert set(london.events["region"]) == {"London"} and len(london.events) == 2
    assert set(london.points["event_id"]) <= set(london.events["event_id"])
    assert set(london.codings["point_id"]) == set(london.points["point_id"])
    assert views.for_region(frames, None) is frames


def test_a_coding_starts_from_the_persons_own_codes_else_those_in_force():
    codings = pd.DataFrame({"point_id": [1, 1, 2], "coder": ["rules", "Ann", "rules"],
                            "codes": [("a",), ("b", "c"), ("d",)], "matched": [{}, {}, {}],
                            "coded_at": [pd.NaT, pd.Timestamp("2021-01-02", tz="UTC"), pd.NaT], "version": [1, 3, 1]})
    assert views.coding_start(codings, 1, "Ann") == (["b", "c"], 3)
    assert views.coding_start(codings, 1, "Ben") == (["b", "c"], None)  # Ann's coding is in force
    assert views.coding_start(codings, 2, "Ann") == (["d"], None)


def test_agreement_tables_write_undefined_measures_as_z(sample):
    _, frames, cb = sample
    rules = frames.codings
    ann = rules.assign(coder="Ann")
    both = pd.concat([rules, ann], ignore_index=True)
    n, table = views.agreement_table(both, "rules", "Ann", cb)
    assert n == len(frames.points)
    assert set(table["Observed agreement"]) == {1.0} and list(table.columns)[5:7] == ["Only rules", "Only Ann"]
    assert table["Cohen's kappa"].isin(["1.00", "[z]"]).all() and (table["Cohen's kappa"] == "1.00").any()
    alpha = views.alpha_table(both, ["rules", "Ann"], cb)
    assert alpha["Sub-theme"].iloc[-1] == "All sub-themes" and alpha["Percent agreement"].iloc[-1] == 100.0
    assert views.review_table(frames, both, ["rules", "Ann"], cb).empty


def test_codebook_and_removal_choices(sample):
    _, frames, cb = sample
    book = views.codebook_table(cb)
    assert len(book) == len(cb.codes) and list(book.columns) == ["Theme", "Sub-theme", "Description", "Keywords",
                                                                  "Phrases"]
    events = frames.events.assign(version=7)
    choices, versions = views.removal_choices(events)
    assert list(choices) == list(events.sort_values(["event_date", "event_id"])["event_id"])
    first = next(iter(choices))
    assert choices[first].endswith(": " + events.set_index("event_id").loc[first, "filename"])
    assert set(versions.values()) == {7}
    assert views.is_sample(events.assign(imported_by="sample data"))
    assert not views.is_sample(events.assign(imported_by=["sample data"] * 9 + ["Ann"]))
    assert views.linked_item(pd.Series({"tracker_item_id": float("nan")})) is None
    assert views.linked_item(pd.Series({"tracker_item_id": 4.0})) == 4
