"""The corpus scorer itself (``feedback.survey.scoring``): what it counts, on codebooks made to differ."""

from __future__ import annotations

import copy

from feedback.survey import scoring
from feedback.survey.codebook import load_codebook
from tests.survey.supplier_helpers import SUPPLIERS


def expected(name: str):
    return load_codebook(SUPPLIERS / f"{name}.expected.toml")


def test_the_expected_codebook_scores_perfectly():
    cb = expected("qualtrics_partners")
    s = scoring.score(cb, copy.deepcopy(cb), file="q.csv")
    assert (s.columns_right, s.found, s.positive_exact, s.unfavourable, s.extra) == (3, 12, 12, [], [])
    assert (s.routed, s.routed_right, s.sets, s.sets_right) == (1, 1, 2, 2)


def test_wrong_suggestions_are_counted():
    cb = expected("qualtrics_partners")
    bad = copy.deepcopy(cb)
    bad.region = ""
    grid = bad.question("communication_newsletters")
    grid.positive = ["Very good", "Fairly good", "Fairly poor", "very poor"]  # the "very / fairly" rule
    bad.question("know_national_reviews").base_question = ""
    bad.question("read_none").question_set = "something else"
    bad.questions = [q for q in bad.questions if q.id != "reviews_change_practice"]
    s = scoring.score(cb, bad, file="q.csv")
    assert s.columns_right == 2 and s.columns["region"] == ("Q2", "")
    assert (s.found, s.missed) == (11, ["Q7"])
    assert s.positive_exact == 10
    assert s.unfavourable == [("Q6_1", "Fairly poor"), ("Q6_1", "very poor")]
    assert (s.routed, s.routed_right, s.sets_right) == (1, 0, 1)
    text = scoring.report([s])
    assert "| **Unfavourable answers counted positive (must be 0)** | **2** |" in text
    assert "- positive for 'Q6_1': expected ['Very good', 'Fairly good'], suggested" in text


def test_scores_every_corpus_file_through_the_reader():
    scores = scoring.score_corpus(SUPPLIERS)
    assert [s.file for s in scores] == sorted(p.name for p in SUPPLIERS.iterdir() if p.suffix != ".toml")
    assert all(s.layout for s in scores) and sum(s.questions for s in scores) == 84
