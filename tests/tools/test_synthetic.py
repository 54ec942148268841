"""The synthetic data the benchmarks and tests measure: the same data from the same seed, and
the shapes the benchmarks' figures describe."""

from __future__ import annotations

import pandas as pd

from tools.synthetic import AGREE, as_text, synthetic, text_answers, wide_csv


def test_a_seed_gives_the_same_survey_and_routed_questions_are_asked_of_those_aware():
    frame, codebook = synthetic(500, questions=10, seed=3)
    again, _ = synthetic(500, questions=10, seed=3)
    pd.testing.assert_frame_equal(frame, again)
    assert not frame.equals(synthetic(500, questions=10, seed=4)[0])
    assert len(frame) == 500 and [q.id for q in codebook.questions] == [f"q{i:02d}" for i in range(1, 11)]
    routed = codebook.questions[1]
    assert routed.base_question == "q01" and routed.base_label == "Those aware"
    # Those not aware were not asked the routed question.
    assert frame.loc[frame["q01"] != "Yes", "q02"].isna().all()
    assert set(frame["q03"].dropna()) <= set(AGREE)


def test_text_copies_keep_the_answers_as_text():
    frame, _ = synthetic(50, questions=5, seed=1)
    for copy in (as_text(frame), text_answers(frame)):
        assert not any(isinstance(t, pd.CategoricalDtype) for t in copy.dtypes)
        assert list(copy["q02"].dropna()) == list(frame["q02"].dropna().astype(str))
    assert as_text(frame)["q01"].isna().sum() == frame["q01"].isna().sum()


def test_a_wide_csv_has_the_columns_asked_for():
    content = wide_csv(columns=300, rows=3)
    lines = content.decode().splitlines()
    assert len(lines) == 4 and len(lines[0].split(",")) == 300 and lines[0].startswith("q0,q1,")
