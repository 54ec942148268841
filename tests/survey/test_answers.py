"""How the results engine reads answers (feedback.survey.answers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from feedback.errors import InputError
from feedback.survey.answers import answer_key, column_for, display_label, factorize, respondent_weights


class _Codebook:
    role, region, weight = "Role", "", "w"


def test_one_matching_rule_for_labels():
    assert display_label(1.0) == "1" and display_label("  Very   good ") == "Very good"
    assert answer_key(" Very  GOOD") == answer_key("very good") == "very good"
    assert answer_key(2.0) == answer_key("2")


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]"])
def test_factorize_is_pandas_factorize_on_arrow_text_too(dtype):
    series = pd.Series(["b", None, "a", "b"], dtype=dtype)
    codes, uniques = factorize(series)
    assert codes.tolist() == [0, -1, 1, 0] and list(uniques) == ["b", "a"]


def test_weights_and_grouping_columns_come_from_the_codebook():
    frame = pd.DataFrame({"Role": ["x", "y"], "w": ["1.5", "0"], "Area": ["n", "s"]})
    assert np.array_equal(respondent_weights(frame, _Codebook()), [1.5, 0.0])
    assert column_for("role", frame, _Codebook()) == "Role" and column_for("Area", frame, _Codebook()) == "Area"
    with pytest.raises(InputError, match="names no region column"):
        column_for("region", frame, _Codebook())
    with pytest.raises(InputError, match=r"weight column 'w'.*data row 1: the weight is 'minus'"):
        respondent_weights(frame.assign(w=["minus", "1"]), _Codebook())
