"""The notes of an exported results table name only the columns the export holds, by their headers."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from feedback import download_pack
from feedback.survey import examples, loading, notes, views
from feedback.survey.settings import Settings

NOT_EXPORTED = ("Standard error", "Design effect (variance ratio)", "Weighting effect", "Test statistic",
                "Degrees of freedom", "In no group")
INTERNAL = ("se", "deff", "deff_kish", "t_vs_rest", "df_vs_rest", "n_eff", "ci_low", "ci_high", "higher_than",
            "sig_vs_rest", "n_not_grouped", "base_weighted", "p_adj_vs_rest")


@pytest.fixture(scope="module", params=[0, 1], ids=["partners", "frontline weighted"])
def exported(request):
    sample = examples.EXAMPLES[request.param]
    content, codebook = examples.example_files(sample)
    survey = loading.load_survey(sample.data_file, content, codebook)
    res = views.results(survey, grouping="Role", region=None)
    table_notes = notes.table_notes(survey, res, region=None, grouping="Role", settings=Settings())
    book = openpyxl.load_workbook(io.BytesIO(download_pack.survey_workbook(survey, res, region=None, grouping="Role",
                                                                           notes=table_notes)))
    headers = [c.value for c in book[book.sheetnames[-1]][2]]
    return res, table_notes, headers


def test_table_notes_describe_only_exported_columns_by_their_headers(exported):
    res, table_notes, headers = exported
    text = " ".join(table_notes)
    assert set(notes.EXPORTED_HEADERS.values()) <= set(headers)
    for name in INTERNAL:
        assert not re.search(rf"\b{name}\b", text), name
    for header in NOT_EXPORTED:
        assert header not in text, header
    for header in ("Positive (%)", "Interval from (%)", "Unweighted n", "Weighted base", "Effective n",
                   "Versus rest of sample", "Column letter", "Significantly higher than"):
        assert f"'{header}'" in text, header
    assert download_pack.published_notes(table_notes) == table_notes  # already in the workbook's words


def test_letters_legend_in_the_table_headers_words(exported):
    res = exported[0]
    legend = notes.letters_legend(res, headers=notes.EXPORTED_HEADERS)
    assert "Letters in 'Significantly higher than'" in legend[0] and "'Column letter'" in legend[0]
    assert legend[1].startswith("Column letters (role): A = ")
    assert "'higher_than'" in notes.letters_legend(res)[0]  # the command line's notes keep the model's names


def test_command_line_test_notes_keep_the_model_names(exported):
    res = exported[0]
    cli = " ".join(notes.test_notes(res, level=0.95, adjust="holm"))
    assert "sig_vs_rest" in cli and "the test column says which" in cli
