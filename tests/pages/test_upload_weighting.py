"""The Upload page's "Weight to population" step (ui/weighting_ui.py), run with Streamlit's AppTest."""

from streamlit.testing.v1 import AppTest

from feedback.survey import loading
from tests.survey.engine_helpers import FIXTURES


def _app():
    import pandas as pd
    import streamlit as st

    from tests.survey.engine_helpers import FIXTURES, make_codebook
    from ui import weighting_ui

    frame = pd.read_csv(FIXTURES / "api" / "apiclus1_rake.csv")
    codebook = make_codebook([{"id": "awards", "positive": ["Yes"]}], role="stype", region="", weight="pw")
    st.session_state["chosen"] = weighting_ui.weight_step(frame, codebook)


def test_weighting_step_rakes_shows_diagnostics_and_returns_the_targets():
    at = AppTest.from_function(_app, default_timeout=60).run()
    assert not at.exception and at.session_state["chosen"] == {}
    at.toggle[0].set_value(True).run()
    assert at.session_state["chosen"] == {}  # nothing filled in yet
    targets = FIXTURES / "api" / "apiclus1_targets.csv"
    at.text_area[0].set_value(targets.read_text(encoding="utf-8")).run()
    assert not at.exception and not at.error
    chosen = at.session_state["chosen"]
    assert chosen["cap"] is None and "stype" in chosen["targets"]
    labels = [m.label for m in at.metric]
    assert labels == ["Iterations", "Weighting efficiency", "Kish design effect", "Weights"]
    assert at.metric[1].value == "88.3%"  # as python -m feedback weight prints for the same file
    assert len(at.dataframe) == 1 and any("calfun" in c.value for c in at.caption)


def test_a_target_missing_from_the_data_is_shown_not_used():
    at = AppTest.from_function(_app, default_timeout=60).run()
    at.toggle[0].set_value(True).run()
    at.text_area[0].set_value("variable,category,target\nstype,E,0.5\nstype,H,0.2\nstype,M,0.2\nstype,X,0.1\n").run()
    assert at.session_state["chosen"] == {} and "target category 'X' is not in the data" in at.error[0].value


def test_the_command_shown_under_a_raked_table_rakes_too():
    from feedback.survey import cli as survey_cli
    from feedback.survey.settings import Settings

    content = (FIXTURES / "api" / "apiclus1_rake.csv").read_bytes()
    codebook = ('[columns]\nrole = "stype"\nregion = ""\nweight = "pw"\n'
                '[[questions]]\nid = "awards"\ncolumn = "awards"\npositive = ["Yes"]\n')
    targets = (FIXTURES / "api" / "apiclus1_targets.csv").read_text(encoding="utf-8")
    survey = loading.load_survey("apiclus1_rake.csv", content, codebook, targets=targets, cap=4)
    command = survey_cli.cli_command(survey, grouping="Role", region=None, settings=Settings())
    assert "--targets apiclus1_rake_targets.csv --cap 4" in command
    plain = loading.load_survey("apiclus1_rake.csv", content, codebook)
    assert "--targets" not in survey_cli.cli_command(plain, grouping="Role", region=None, settings=Settings())
