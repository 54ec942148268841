"""Merging near-identical points (feedback.roundtables.merging): what is folded into what,
what is kept of the folded points, and the helpers the reader shares with it."""

from feedback.roundtables.merging import (
    MERGE_THRESHOLD,
    merge_near_duplicates,
    normalised,
    similarity,
    word_entries,
)
from feedback.roundtables.read import Point


def test_normalised_drops_case_and_punctuation():
    assert normalised("  Rapid-Review   TIMESCALES, again! ") == "rapid review timescales again"


def test_word_entries_give_each_new_word_the_next_column():
    vocab = {"delays": 0}
    rows, cols = word_entries([["delays", "courts"], ["courts"]], vocab)
    assert (rows, cols) == ([0, 0, 1], [0, 1, 1])
    assert vocab == {"delays": 0, "courts": 1}


def test_similarity_is_one_for_the_same_words_and_zero_for_an_empty_text():
    assert similarity("Delays in rapid reviews.", "delays in rapid reviews") == 1.0
    assert similarity("", "delays") == 0.0
    assert similarity("Delays in rapid reviews", "Beds for children in tier 4") < MERGE_THRESHOLD


def test_a_repeated_point_is_folded_into_the_first_with_its_response_and_actions():
    points = [
        Point(1, "Rapid reviews are late because police data arrive late.", line=3),
        Point(2, "Schools were not invited to the strategy meeting.", line=4),
        Point(3, "Rapid reviews are late because police data arrive late!", response="We will ask the police.",
              actions=["Write to the police"], line=7),
    ]
    merged = merge_near_duplicates(points)
    assert [p.text for p in merged] == [points[0].text, points[1].text]
    assert [p.seq for p in merged] == [1, 2]
    first = merged[0]
    assert first.merged == [points[2].text]
    assert first.response == "We will ask the police."
    assert first.actions == ["Write to the police"]
    assert first.line == 3
    assert points[0].merged == []  # the points given are not changed


def test_only_the_same_words_merge_at_a_threshold_of_one():
    points = [Point(1, "Delays in rapid reviews"), Point(2, "Delays in rapid reviews."),
              Point(3, "Delays in rapid reviews today")]
    assert [p.text for p in merge_near_duplicates(points, threshold=1.0)] == [points[0].text, points[2].text]
    assert merge_near_duplicates([]) == []
