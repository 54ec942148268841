"""Tiny surveys (one respondent, an empty group, everything suppressed) go through every
survey computation and export without an error, and their pages render."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from feedback import download_pack
from feedback.errors import InputError
from feedback.export import to_xlsx_bytes
from feedback.survey import loading, views
from feedback.survey import notes as survey_notes
from feedback.survey.settings import Settings

ONE = b"role,region,q1,q2\nHealth,London,Yes,No\n"
TWO_GROUPS = b"role,region,q1,q2\nHealth,London,Yes,No\nPolice,London,No,Yes\n"
EMPTY_ANSWERS = b"role,region,q1,q2\nHealth,London,,\nPolice,London,,\n"  # a question nobody answered


def _survey(content: bytes):
    return loading.load_survey("tiny.csv", content, name="tiny")


@pytest.mark.parametrize("content", [ONE, TWO_GROUPS, EMPTY_ANSWERS], ids=["one", "two", "unanswered"])
@pytest.mark.parametrize("grouping", list(views.GROUPINGS))
@pytest.mark.parametrize("region", [None, "London", "North East"], ids=["england", "london", "empty region"])
def test_results_and_exports_of_tiny_surveys(content, grouping, region):
    survey = _survey(content)
    settings = Settings(method="wilson", level=0.95, suppress=10, flag=30, adjust="holm")
    if region == "North East":  # nobody there: one plain message, which the pages show
        with pytest.raises(InputError, match="no respondents match"):
            views.results(survey, grouping=grouping, region=region, settings=settings)
        return
    res = views.results(survey, grouping=grouping, region=region, settings=settings)
    assert set(res["flag"]) <= {"[c]", "[u]", ""}
    assert len(res) or content is EMPTY_ANSWERS  # a question nobody answered is not suggested
    assert res.loc[res["n"] < 10, "p"].isna().all()  # suppressed, never a division by zero
    views.bases(survey, region)
    views.table_for_display(res)
    notes = survey_notes.table_notes(survey, res, region=region, grouping=grouping, settings=settings)
    book = to_xlsx_bytes({"Results": res}, notes=notes)
    assert book[:2] == b"PK"


def test_everything_suppressed_and_the_annex_pack():
    survey = _survey(TWO_GROUPS)
    settings = Settings(method="beta", level=0.95, suppress=1000, flag=1000, adjust="holm")
    res = views.results(survey, grouping="Role", settings=settings)
    assert (res["flag"] == "[c]").all() and res["p"].isna().all()
    pack = download_pack.survey_annex(survey, res, region=None, grouping="Role", mark="bar", ppi=72, settings=settings)
    assert {"table" in n.lower() or "results" in n.lower() for n in zipfile.ZipFile(io.BytesIO(pack)).namelist()}


def test_compare_with_one_respondent_per_group():
    survey = _survey(TWO_GROUPS)
    res = views.results(survey, grouping="Role", settings=Settings(suppress=1, flag=1))
    diff = views.compare_two_groups(res[res["by"] == "role"], "Health", "Police")
    assert len(diff) == 2 and isinstance(diff, pd.DataFrame)


@pytest.mark.parametrize("page", ["overview.py", "results.py", "compare.py"])
@pytest.mark.parametrize("content", [ONE, EMPTY_ANSWERS], ids=["one", "unanswered"])
@pytest.mark.parametrize("region", [None, "North East"], ids=["england", "empty region"])
def test_survey_pages_render_a_one_respondent_upload(page, content, region):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "pages" / page), default_timeout=120)
    at.session_state["survey_upload"] = {"filename": "tiny.csv", "content": content, "codebook_text": None,
                                         "kind": "auto", "name": "tiny"}
    at.session_state["survey_choice"] = "Your upload: tiny"
    if region:
        at.session_state["region"] = region
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "could not be shown" in e.value]
