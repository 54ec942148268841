"""AppTest runs of the Trends page and the Overview's change since the previous wave,
on the embedded sample waves (2021 and the synthetic 2022)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from feedback.survey import trends, waves
from feedback.validation import markdown_literal
from tests.pages.helpers import goto


@pytest.fixture
def trends_app(app):
    """The app (the `app` fixture of tests/conftest.py: its own database) on the Trends page."""
    return goto(app, "trends")


def _rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _changed(at: AppTest):
    return next(d.value for d in at.dataframe if "Change (points)" in d.value.columns)


def test_trends_page_shows_chart_table_and_what_changed(trends_app):
    at = trends_app
    assert [s.value for s in at.header][:2] == ["Each question over the waves", "What changed"]
    assert at.selectbox(key="trends_series").value.startswith("Safeguarding partners")
    shown = _changed(at)
    expected = waves.change(*trends.sample_waves("partners"), by=(("role",),))
    assert len(shown) == len(expected)
    # largest change first, and the same number as the engine's
    top = expected.assign(size=expected["change"].abs()).sort_values("size", ascending=False).iloc[0]
    assert shown.iloc[0]["Question id"] == top["question"] and shown.iloc[0]["Group"] == top["group"]
    assert shown.iloc[0]["Change (points)"] == f"{100 * top['change']:+.1f}"
    assert shown.iloc[0]["Interval from (points)"] == f"{100 * top['ci_low']:+.1f}"
    assert any(m.label == r"Change, 2021 to 2022 \(synthetic\)" for m in at.metric)  # labels escaped
    assert any("synthetic" in i.value for i in at.info)


def test_significant_only_and_region(trends_app):
    at = trends_app
    at.toggle(key="trends_significant").set_value(True)
    _rerun(at)
    shown = _changed(at)
    assert len(shown) > 0 and set(shown["Significant"]) <= {"Yes, up", "Yes, down"}
    at.session_state["region"] = "London"
    _rerun(at)
    shown = _changed(at)
    london = waves.change(*trends.sample_waves("partners"), by=(("role",),), filter={"region": "London"})
    significant = london[london["sig"] != ""]
    assert len(shown) == len(significant) > 0
    assert set(shown["Question id"]) == set(significant["question"])
    assert any("London" in c.value for c in at.caption)


def test_frontline_series_question_new_and_reworded(trends_app):
    at = trends_app
    label = next(o for o in at.selectbox(key="trends_series").options
                 if o == "Frontline professionals, respondent-level data")
    at.selectbox(key="trends_series").set_value(label)
    _rerun(at)
    at.selectbox(key="trends_question").set_value("heard_of_panel")
    _rerun(at)
    metric = next(m for m in at.metric if m.label.startswith("Change"))
    assert metric.value == "+14.8 pts"
    assert any("significant" in c.value for c in at.caption)
    shown = _changed(at)
    assert (shown.loc[shown["Question id"] == "aware_panel_reviews", "Flag"].str.startswith("[b]")).all()
    assert "used_practice_guide" not in set(shown["Question id"])
    assert any("used" in c.value and "one wave only" in c.value for c in at.caption)
    at.selectbox(key="trends_question").set_value("used_practice_guide")
    _rerun(at)
    assert any("Asked in 2022" in c.value for c in at.caption)


def test_overview_card_says_change_since_previous_wave(trends_app):
    at = trends_app
    goto(at, "overview")
    assert any("later wave" in c.value for c in at.caption)
    at.selectbox(key="survey_choice").set_value("Frontline professionals 2022 (synthetic)")
    _rerun(at)
    texts = [m.value for m in at.markdown]
    assert any("Since 2021" in t and "▲ 15 pts, significant" in t for t in texts), texts
    assert any("no significant change" in t for t in texts)


def _upload(at: AppTest, codebook_text: str, name: str = "partners_2023.sav") -> None:
    """Next year's survey as the Upload page leaves it in the session (here: the 2022 data
    under another wave label, so the figures of the added wave are known)."""
    from feedback.survey import examples

    at.session_state["survey_upload"] = {"filename": name, "content": (examples.data_dir() / "surveys" /
                                                                       "partners_2022.sav").read_bytes(),
                                         "codebook_text": codebook_text, "kind": "auto", "name": name}


def _partners_codebook(wave: str, audience: str = "partners") -> str:
    from feedback.survey import examples

    text = (examples.data_dir() / "surveys" / "partners_2022.toml").read_text(encoding="utf-8")
    return (text.replace('wave = "2022 (synthetic)"', f'wave = "{wave}"')
            .replace('audience = "partners"', f'audience = "{audience}"'))


def test_an_uploaded_survey_joins_the_waves_and_the_change_is_against_it(trends_app):
    at = trends_app
    _upload(at, _partners_codebook("2023"))
    _rerun(at)
    assert at.toggle(key="trends_with_upload").value is True
    assert [o for o in at.selectbox(key="trends_before").options] == ["2021", "2022 (synthetic)"]
    assert at.selectbox(key="trends_after").value == "2023"
    # 2022 and "2023" hold the same records: from 2022 to 2023 nothing may change
    at.selectbox(key="trends_before").set_value("2022 (synthetic)")
    _rerun(at)
    shown = _changed(at)
    assert len(shown) > 0 and set(shown["Change (points)"]) == {"+0.0"}
    # switched off, the series is the embedded one again
    at.toggle(key="trends_with_upload").set_value(False)
    _rerun(at)
    assert at.selectbox(key="trends_after").value == "2022 (synthetic)"


@pytest.mark.parametrize("wave, audience, why", [
    ("2022 (synthetic)", "partners", "the same as a wave already shown"),
    ("2023", "frontline", "is a survey of frontline professionals (audience \"frontline\")"),
])
def test_an_upload_that_cannot_be_a_wave_says_why(trends_app, wave, audience, why):
    at = trends_app
    _upload(at, _partners_codebook(wave, audience))
    _rerun(at)
    assert not [t for t in at.toggle if t.key == "trends_with_upload"]
    assert any(why in i.value.replace("\\", "") for i in at.info), [i.value for i in at.info]


def _frontline_upload(at: AppTest, wave: str = "2023") -> None:
    """Next year's frontline survey from another supplier: the 2022 records, its questions under
    ids of its own (so that it shares no id with the series)."""
    from feedback.survey import codebook as cbmod
    from feedback.survey import examples

    surveys = examples.data_dir() / "surveys"
    cb = cbmod.load_codebook((surveys / "frontline_2022.toml").read_text(encoding="utf-8"))
    ids = {q.id: f"q{i + 1}" for i, q in enumerate(cb.questions)}
    cb.wave = wave
    for q in cb.questions:
        q.id, q.base_question = ids[q.id], ids.get(q.base_question, q.base_question)
    at.session_state["survey_upload"] = {"filename": "frontline_2023.xlsx",
                                         "content": (surveys / "frontline_2022.xlsx").read_bytes(),
                                         "codebook_text": cbmod.dump_codebook(cb), "kind": "auto",
                                         "name": "Frontline 2023"}


def test_a_frontline_upload_with_the_partners_series_names_its_own_series(trends_app):
    at = trends_app
    _frontline_upload(at)
    _rerun(at)
    info = " ".join(i.value.replace("\\", "") for i in at.info)
    assert "is a survey of frontline professionals" in info and 'set audience = "partners"' not in info
    at.button(key="trends_other_series").click()
    _rerun(at)
    assert at.selectbox(key="trends_series").value == "Frontline professionals, respondent-level data"
    assert not [w for w in at.warning if "Session State API" in w.value]


def test_an_upload_sharing_no_id_is_matched_by_text_and_joins_once_confirmed(trends_app):
    at = trends_app
    at.selectbox(key="trends_series").set_value("Frontline professionals, respondent-level data")
    _frontline_upload(at)
    _rerun(at)  # before: InputError "waves 2022 (synthetic) and 2023 share no question id" and an error page
    info = " ".join(i.value.replace("\\", "") for i in at.info)
    assert "shares no question id with these waves" in info
    assert not [t for t in at.toggle if t.key == "trends_with_upload"]
    links = [s for s in at.selectbox if str(s.key).startswith("trends_link_")]
    own = trends.sample_waves("frontline")[-1].survey.codebook.questions
    assert [s.value for s in links] == [q.id for q in own]  # each matched by its text to its series id
    links[0].set_value("")  # a person's correction: the first question is not in the series
    at.button(key="trends_link_confirm").click()
    _rerun(at)
    assert any("of your upload now carry the ids" in s.value for s in at.success)
    assert at.toggle(key="trends_with_upload").value is True
    assert at.selectbox(key="trends_after").value == "2023"
    at.selectbox(key="trends_before").set_value("2022 (synthetic)")
    _rerun(at)
    shown = _changed(at)
    assert len(shown) > 0 and set(shown["Change (points)"]) == {"+0.0"}  # the same records as 2022
    assert own[0].id not in set(shown["Question id"])  # left unlinked: in one wave only
    assert any("one wave only" in c.value for c in at.caption)


def test_trends_never_shows_an_error_page_when_two_waves_share_nothing(trends_app, monkeypatch):
    from feedback.errors import InputError
    from ui import trends_ui

    def no_shared(*args, **kwargs):
        raise InputError("waves 2021 and 2022 (synthetic) share no question id")

    monkeypatch.setattr(trends_ui, "change", no_shared)
    at = trends_app
    _rerun(at)
    assert any("share no question id" in e.value for e in at.error)
    assert any(h.value == "Roundtables and audits by year" for h in at.header)  # the rest of the page still works


def test_an_upload_naming_no_audience_can_be_added_to_the_series(trends_app):
    at = trends_app
    _upload(at, _partners_codebook("2023", audience=""))
    _rerun(at)
    assert any("names no audience" in i.value for i in at.info)
    at.button(key="trends_set_audience").click()
    _rerun(at)
    assert at.toggle(key="trends_with_upload").value is True
    assert at.selectbox(key="trends_after").value == "2023"


def test_trends_opens_on_the_series_of_the_upload(app):
    _frontline_upload(app)
    at = goto(app, "trends")
    assert at.selectbox(key="trends_series").value == "Frontline professionals, respondent-level data"
    assert any("shares no question id" in i.value for i in at.info)


# Labels from an uploaded codebook (here a wave label) reach the pages as plain text: an image,
# bold, a formula or HTML typed in the file is shown as typed, never rendered (a remote image
# would be fetched by every reader's browser).
HOSTILE = "2023 ![x](http://example.invalid/a.png) **bold** $x$ <b>b</b>"
RAW = ("![x](", "**bold**", "$x$", "<b>")


def rendered_texts(at) -> list[str]:
    """Every string the page gave an element that renders Markdown (text, alerts, headings, and
    the labels of metrics and widgets). Selectbox options and tables are shown as plain text."""
    texts = [e.value for kind in ("caption", "markdown", "info", "warning", "error", "success", "header",
                                  "subheader", "title") for e in getattr(at, kind)]
    texts += [m.label for m in at.metric]
    texts += [w.label for kind in ("toggle", "selectbox", "radio", "checkbox", "button", "multiselect")
              for w in getattr(at, kind)]
    return [str(t) for t in texts]


def test_an_uploaded_wave_label_is_shown_as_typed_on_the_trends_page(app):
    at = goto(app, "trends")
    _upload(at, _partners_codebook(HOSTILE))
    _rerun(at)
    assert at.selectbox(key="trends_after").value == HOSTILE  # the upload is the latest wave
    texts = rendered_texts(at)
    leaked = [t for t in texts if any(raw in t for raw in RAW)]
    assert not leaked, leaked
    literal = markdown_literal(HOSTILE)
    # where the label is shown: the toggle adding the upload, the caption naming the two waves
    # compared, and the change's metric
    assert any(literal in t.label for t in at.toggle), [t.label for t in at.toggle]
    assert any(f"to {literal}: Wald interval" in c.value for c in at.caption), [c.value for c in at.caption]
    assert any(m.label.endswith(f" to {literal}") for m in at.metric), [m.label for m in at.metric]
