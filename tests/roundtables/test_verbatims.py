"""Open-ended survey answers coded with the theme codebook (suggest, then a person accepts), and
theme rates by role and region from the survey engine equal to the rates on the coded column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from feedback.errors import InputError
from feedback.roundtables import suggest, verbatims
from feedback.roundtables.themes import load_themes
from feedback.survey.rates import rates_by_group
from tests.survey.engine_helpers import frontline_like


@pytest.fixture
def survey():
    frame, codebook = frontline_like(n=300, seed=5, weighted=True)
    texts = [e.text for e in suggest.load_examples()]
    rng = np.random.default_rng(3)
    answers = np.array(texts, dtype=object)[rng.integers(0, len(texts), len(frame))]
    answers[rng.random(len(frame)) < 0.2] = ""  # some leave the box empty
    frame["comments"] = answers
    return frame, codebook


def test_answers_get_ranked_suggestions_with_reasons(survey):
    frame, _ = survey
    table = verbatims.suggest_answers(frame, "comments", load_themes())
    answered = frame.index[frame["comments"] != ""]
    assert set(table["row"]) == set(answered)
    assert list(table.columns) == ["row", "answer", "rank", "code", "sub_theme", "score", "suggested", "reason",
                                   "coder"]
    assert (table["coder"] == "suggester tfidf-1").all()
    again = verbatims.suggest_answers(frame, "comments", load_themes())
    pd.testing.assert_frame_equal(table, again)
    with pytest.raises(InputError, match="no column"):
        verbatims.suggest_answers(frame, "nope", load_themes())


def test_coded_answers_give_theme_rates_equal_to_rates_on_the_coded_column(survey):
    frame, codebook = survey
    themes = load_themes()
    table = verbatims.suggest_answers(frame, "comments", themes)
    # A person accepts the suggestions, rejects one code on every fifth answer, and leaves 10 rows uncoded.
    accepted = {}
    for i, (row, group) in enumerate(table.groupby("row", sort=True)):
        codes = list(group.loc[group["suggested"], "code"])
        accepted[row] = codes[1:] if i % 5 == 0 else codes
    for row in list(accepted)[:10]:
        del accepted[row]
    out, cb = verbatims.theme_questions(frame, codebook, "comments", accepted, themes)
    assert len(cb.questions) == len(codebook.questions) + len(themes.codes)
    res = rates_by_group(out, cb, by=(("role",), ("region",)))
    weights = out[codebook.weight].to_numpy()
    checked = 0
    for code in themes.codes:
        col = f"comments: {code.name}"
        coded_rows = out[col] != ""
        assert coded_rows.sum() == len(accepted)
        yes = (out[col] == "Yes").to_numpy()
        for by, column in (("role", codebook.role), ("region", codebook.region)):
            for group in out[column].dropna().unique():
                inside = (coded_rows & (out[column] == group)).to_numpy()
                if not inside.any():
                    continue
                row = res[(res["question"] == f"theme_{code.id}") & (res["by"] == by) & (res["group"] == group)]
                assert len(row) == 1
                assert int(row["n"].iloc[0]) == inside.sum()
                assert row["p"].iloc[0] == pytest.approx((weights * yes)[inside].sum() / weights[inside].sum())
                assert row["ci_low"].iloc[0] <= row["p"].iloc[0] <= row["ci_high"].iloc[0]
                checked += 1
    assert checked > 50
    with pytest.raises(InputError, match="Unknown sub-theme"):
        verbatims.theme_questions(frame, codebook, "comments", {frame.index[0]: ["nope"]}, themes)


def test_cli_suggests_for_a_survey_s_free_text_column(capsys, tmp_path):
    import io

    from feedback.__main__ import main

    data = tmp_path / "survey.csv"
    data.write_text("role,region,comments\nHealth,London,Young people in crisis wait weeks for a psychiatric bed.\n"
                    "Police,North East,\nSocial care,London,The Panel newsletter is useful\n", encoding="utf-8")
    assert main(["roundtables", "suggest-themes", str(data), "--column", "comments", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out.lstrip("\ufeff")))
    assert table[table["rank"] == 1][["point", "code", "suggested"]].values.tolist() == [
        [1, "mental_health_suicide", True], [3, "panel_engagement", True]]  # the empty answer (row 2) left out
    assert main(["roundtables", "suggest-themes", str(data), "--column", "comments"]) == 0
    assert "survey.csv answer 3: The Panel newsletter is useful" in capsys.readouterr().out
