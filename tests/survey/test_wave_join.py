"""An upload as one more wave of a series: why it cannot join (in words naming the right
audience), and questions matched between waves by their text when no id is shared."""

from __future__ import annotations

import pytest

from feedback.errors import InputError
from feedback.survey import codebook as cbmod
from feedback.survey import examples, loading, trends, wave_join, waves

SURVEYS = examples.data_dir() / "surveys"


@pytest.fixture(scope="module")
def frontline():
    return trends.sample_waves("frontline")


def _upload(audience="frontline", wave="2023", rename=True, data="frontline_2022.xlsx",
            book="frontline_2022.toml"):
    """The frontline 2022 records under another wave label, with ids of another supplier."""
    cb = cbmod.load_codebook((SURVEYS / book).read_text(encoding="utf-8"))
    ids = {q.id: f"s{i + 1}_{q.id[:6]}" if rename else q.id for i, q in enumerate(cb.questions)}
    cb.audience, cb.wave = audience, wave
    for q in cb.questions:
        q.id, q.base_question = ids[q.id], ids.get(q.base_question, q.base_question)
    return loading.load_survey(data, (SURVEYS / data).read_bytes(), cbmod.dump_codebook(cb), name="My survey")


def test_an_upload_sharing_ids_joins(frontline):
    join = wave_join.assess(_upload(rename=False), audience="frontline", kind="respondents", series=frontline)
    assert join.joins and join.wave.label == "2023" and join.message == ""


def test_another_audience_is_named_and_pointed_at_its_series(frontline):
    partners = trends.sample_waves("partners")
    join = wave_join.assess(_upload(), audience="partners", kind="respondents", series=partners,
                            series_audiences=["partners", "frontline"])
    assert join.status == wave_join.OTHER_AUDIENCE and join.audience == "frontline"
    assert "is a survey of frontline professionals" in join.message
    assert "Show the Frontline professionals series" in join.message
    assert 'audience = "partners"' not in join.message and "set its Audience" not in join.message
    alone = wave_join.assess(_upload(audience="youth"), audience="partners", kind="respondents", series=partners,
                             series_audiences=["partners", "frontline"])
    assert "no earlier wave of that audience" in alone.message


def test_no_audience_same_wave_and_other_kind_say_what_to_do(frontline):
    join = wave_join.assess(_upload(audience=""), audience="frontline", kind="respondents", series=frontline)
    assert join.status == wave_join.NO_AUDIENCE and "frontline professionals" in join.message
    join = wave_join.assess(_upload(wave="2022 (synthetic)", rename=False), audience="frontline",
                            kind="respondents", series=frontline)
    assert join.status == wave_join.SAME_WAVE
    join = wave_join.assess(_upload(), audience="frontline", kind="data tables", series=frontline)
    assert join.status == wave_join.OTHER_KIND


def test_no_shared_id_offers_matches_by_text_and_the_mapping_joins(frontline):
    upload = _upload()
    join = wave_join.assess(upload, audience="frontline", kind="respondents", series=frontline)
    assert join.status == wave_join.NO_SHARED_IDS and "shares no question id" in join.message
    matches = join.matches
    own = {q.id: q for q in cbmod.load_codebook((SURVEYS / "frontline_2022.toml").read_text()).questions}
    # the same texts: each matched back to the id it has in the series
    expected = {f"s{i + 1}_{qid[:6]}": qid for i, qid in enumerate(own)}
    assert dict(zip(matches["upload_id"], matches["series_id"])) == expected
    assert (matches["score"] == 100).all()
    assert join.series_questions == wave_join.series_texts(frontline) and len(join.series_questions) >= len(own)
    mapped = wave_join.apply_mapping(upload.codebook, dict(zip(matches["upload_id"], matches["series_id"])))
    assert [q.id for q in mapped.questions] == list(own)
    assert [q.base_question for q in mapped.questions] == [q.base_question for q in own.values()]
    joined = loading.load_survey("frontline_2022.xlsx", (SURVEYS / "frontline_2022.xlsx").read_bytes(), mapped)
    join = wave_join.assess(joined, audience="frontline", kind="respondents", series=frontline)
    assert join.joins
    change = waves.change(frontline[-1], join.wave, by=(("role",),))
    assert len(change) > 0 and (change["change"].dropna().abs() < 1e-12).all()  # the same records


def test_matching_is_by_wording_one_to_one_and_leaves_unlike_questions_out():
    upload = {"a": "Overall, how would you rate the Panel's communication?",
              "b": "Have you heard of the Child Safeguarding Practice Review Panel?",
              "c": "What is your favourite colour?"}
    series = {"heard": "Had you heard of the Child Safeguarding Practice Review Panel before today?",
              "rate_comms": "How would you rate the Panel's communication overall?",
              "heard_again": "Have you heard of the Panel?"}
    got = wave_join.match_questions(upload, series).set_index("upload_id")
    assert got.loc["a", "series_id"] == "rate_comms"
    assert got.loc["b", "series_id"] == "heard"
    assert got.loc["c", "series_id"] == "" and got.loc["c", "series_text"] == ""
    assert wave_join.match_questions({}, series).empty


def test_a_mapping_that_gives_two_questions_one_id_is_refused():
    cb = cbmod.Codebook(questions=[cbmod.Question("a", "A", positive=["Yes"]),
                                   cbmod.Question("b", "B", positive=["Yes"])])
    with pytest.raises(InputError, match="matched to the series question 'x'"):
        wave_join.apply_mapping(cb, {"a": "x", "b": "x"})
    with pytest.raises(InputError, match="already the id"):
        wave_join.apply_mapping(cb, {"a": "b"})
    assert [q.id for q in wave_join.apply_mapping(cb, {"a": "x", "b": ""}).questions] == ["x", "b"]


def test_an_upload_that_cannot_be_read_says_so_and_one_that_can_is_assessed():
    from feedback.errors import InputError

    def unreadable():
        raise InputError("the file is damaged")

    join = wave_join.assess_upload(unreadable, name="staff.csv", audience="frontline", kind="respondents", series=[])
    assert join.status == wave_join.UNREADABLE and not join.joins
    assert join.message == f"{loading.YOUR_UPLOAD} staff.csv could not be read: the file is damaged"
    survey = _upload(audience="")
    join = wave_join.assess_upload(lambda: survey, name="staff.csv", audience="frontline", kind="respondents",
                                   series=[])
    assert join.status == wave_join.NO_AUDIENCE and join.message.startswith(f"{loading.YOUR_UPLOAD} staff.csv ")
