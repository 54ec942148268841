"""Loading a survey: from bytes and a codebook file, or from data already read and a
codebook object (the Upload page's way, which parses nothing again)."""

from __future__ import annotations

import dataclasses

import pytest

from feedback.errors import InputError
from feedback.survey import codebook as cbmod
from feedback.survey import examples, loading, read, views

SURVEYS = examples.data_dir() / "surveys"
CSV = b"role,region,q1\nPolice,London,Yes\nHealth,North East,No\nHealth,London,Yes\n"


def _frontline():
    return (SURVEYS / "frontline_2021.xlsx").read_bytes(), (SURVEYS / "frontline_2021.toml").read_text()


def test_a_codebook_object_loads_the_same_survey_as_its_file():
    content, text = _frontline()
    from_file = loading.load_survey("frontline_2021.xlsx", content, text)
    from_object = loading.load_survey("frontline_2021.xlsx", content, cbmod.load_codebook(text))
    assert from_object.codebook == from_file.codebook and from_object.title == from_file.title
    assert from_object.frame.equals(from_file.frame)
    res = views.results(from_object, grouping="Role")
    assert res.equals(views.results(from_file, grouping="Role"))


def test_data_already_read_is_not_parsed_again(monkeypatch):
    data = read.read_survey("staff.csv", CSV)
    monkeypatch.setattr(read, "read_survey", lambda *a: pytest.fail("parsed a second time"))
    survey = loading.load_survey("staff.csv", CSV, None, data=data, name="Staff")
    assert survey.n == 3 and survey.name == "Staff" and survey.kind == "respondents"
    built = loading.survey_from(data, survey.codebook, filename="staff.csv")
    assert built.frame.equals(survey.frame) and built.codebook == survey.codebook


def test_a_codebook_that_does_not_fit_is_refused_in_plain_words():
    data = read.read_survey("staff.csv", CSV)
    cb = loading.load_survey("staff.csv", CSV).codebook
    wrong = dataclasses.replace(cb, role="job")
    with pytest.raises(InputError, match="staff.csv: the codebook does not fit the data"):
        loading.survey_from(data, wrong, filename="staff.csv")


def test_keys_follow_the_content():
    assert loading.content_hash(b"a", "b") == loading.content_hash(b"a", b"b")
    assert loading.content_hash(b"ab", None) != loading.content_hash(b"a", b"b")  # parts are length-prefixed
    cb = loading.load_survey("staff.csv", CSV).codebook
    assert loading.codebook_key(cb) == loading.codebook_key(dataclasses.replace(cb))
    assert loading.codebook_key(cb) != loading.codebook_key(dataclasses.replace(cb, title="Another"))
    assert loading.codebook_key(None) == ""


def test_a_data_tables_workbook_is_told_from_respondent_rows():
    tables = (SURVEYS / "frontline_2021_tables.xlsx").read_bytes()
    assert loading.is_data_tables("t.xlsx", tables)
    assert not loading.is_data_tables("frontline_2021.xlsx", _frontline()[0])
    assert not loading.is_data_tables("staff.csv", CSV)
    survey = loading.load_survey("t.xlsx", tables)
    assert survey.kind == "data tables" and survey.n > 0


def test_the_upload_is_named_in_one_way():
    assert loading.upload_label("Staff 2024") == f"{loading.YOUR_UPLOAD}: Staff 2024"
    assert set(loading.FILE_KINDS) == {"auto", "respondents", "data tables"}
