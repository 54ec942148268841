"""What a person changes on the roundtables page (feedback.roundtables.edits): each change
returns the sentence the page shows, refusals included, and only a successful one writes."""

from __future__ import annotations

import pytest

from feedback.roundtables import edits, links, seed, store
from feedback.roundtables.read import read_notes
from tests.roundtables.helpers import make_docx


@pytest.fixture
def seeded(engine):
    seed.seed_if_empty(engine)
    return engine


def _first_point(engine) -> int:
    points = store.load_frames(engine).points.sort_values(["event_id", "seq"])
    return int(points["point_id"].iloc[0])


def test_a_saved_coding_names_the_point_by_its_number_and_its_codes(seeded):
    point = _first_point(seeded)
    names = {"panel_engagement": "Engagement with the Panel"}
    done = edits.save_coding(seeded, point, ["panel_engagement"], "Ann", None, "why", number=4, names=names)
    assert done == edits.Outcome("success", "Saved your coding of point 4: Engagement with the Panel. "
                                            "Your reason is in the coding history.")
    codings = store.load_frames(seeded).codings
    assert list(codings[(codings["point_id"] == point) & (codings["coder"] == "Ann")]["codes"].iloc[0]) == \
        ["panel_engagement"]
    empty = edits.save_coding(seeded, point, [], "Bob", None, "", number=4, names=names)
    assert empty.message == "Saved your coding of point 4: no sub-theme."


def test_a_stale_coding_is_refused_with_the_other_persons_codes(seeded):
    point = _first_point(seeded)
    edits.save_coding(seeded, point, ["panel_engagement"], "Ann", None, "", number=1, names={})
    again = edits.save_coding(seeded, point, ["information_sharing"], "Ann", None, "", number=1, names={})
    assert again.kind == "error" and not again.ok
    assert again.message.endswith('Their codes now: ["panel_engagement"].')


def test_a_refused_coding_names_the_point_by_its_number_not_its_id(seeded):
    point = _first_point(seeded)
    refused = edits.save_coding(seeded, point, ["no_such_code"], "Ann", None, "", number=7, names={})
    assert refused.kind == "error"
    assert f"Point {point} " not in refused.message


def test_linking_without_an_item_chosen_is_refused_and_raising_one_says_its_reference(seeded):
    if not links.available():
        pytest.skip("the response tracker is not installed")
    point = _first_point(seeded)
    version = int(store.load_frames(seeded).points.set_index("point_id").loc[point, "version"])
    assert edits.link_item(seeded, point, None, "Ann", version).kind == "error"
    raised = edits.raise_item(seeded, point, "Ann", version)
    assert raised.kind == "success" and raised.message.startswith("Raised tracker item RT-")
    stale = edits.raise_item(seeded, point, "Ann", version)  # the point changed when it was linked
    assert stale.kind == "error"


def test_saving_a_codebook_that_is_not_toml_is_refused_and_changes_nothing(seeded):
    _, text, version = store.current_codebook(seeded)
    assert edits.save_codebook(seeded, "this is [not toml", "Ann", version, "").kind == "error"
    assert store.current_codebook(seeded)[1] == text
    saved = edits.save_codebook(seeded, text, "Ann", version, "no change")
    assert saved == edits.Outcome("success", "Saved the codebook; the rules now code 0 point(s) differently.")


def test_removing_an_event_seen_at_an_old_version_is_refused(seeded):
    events = store.load_frames(seeded).events
    event, version = int(events["event_id"].iloc[0]), int(events["version"].iloc[0])
    assert edits.remove_event(seeded, event, version + 1, "Ann", "").kind == "error"
    assert event in set(store.load_frames(seeded).events["event_id"])
    assert edits.remove_event(seeded, event, version, "Ann", "") == edits.Outcome(
        "success", "Removed the event with its points and codings.")
    assert event not in set(store.load_frames(seeded).events["event_id"])


def test_importing_previewed_notes_fills_the_form_details_and_says_what_it_did(seeded):
    def build(document):
        for line in ("Region: North East", "Attendees: 20", "Partnerships: 5", "Panel lead: Test Lead"):
            document.add_paragraph(line)
        document.add_paragraph("Information sharing with schools is poor.", style="List Bullet")

    content = make_docx(build)
    notes = read_notes("ne.docx", content)
    assert notes.missing == ["event_date"]
    offer = links.responses_offered(notes)
    before = len(store.load_frames(seeded).events)
    done = edits.import_previewed(seeded, [edits.PreviewedFile(notes, {"event_date": "1 December 2021"}, content,
                                                               offer)], "Ann", store.current_codebook(seeded)[0])
    assert done == edits.Outcome("success", "Imported 1 event(s) with their points, coded by the rules.")
    assert len(store.load_frames(seeded).events) == before + 1
