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
