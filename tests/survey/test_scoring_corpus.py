"""The suggested codebook on the supplier corpus (tests/fixtures/suppliers), scored against the
hand-written expected codebooks by ``feedback.survey.scoring`` (docs/supplier_corpus.md)."""

from __future__ import annotations

import pytest

from feedback.survey import scoring
from tests.survey.supplier_helpers import SUPPLIERS


@pytest.fixture(scope="module")
def scores():
    return scoring.score_corpus(SUPPLIERS)


def test_no_unfavourable_answer_counted_positive(scores):
    """A negative, neutral or "don't know" answer counted positive is a wrong headline figure."""
    wrong = [f"{s.file}: {column!r} counts {answer!r} positive" for s in scores for column, answer in s.unfavourable]
    assert not wrong, f"{len(wrong)} unfavourable answer(s) counted positive:\n" + "\n".join(wrong)
