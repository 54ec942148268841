"""The Annex builder page builds the annex with the survey pages' current settings
(in AppTest: the browser test covers downloading it)."""


def test_build_button_drafts_the_annex_with_the_current_settings(page_app):
    at = page_app("annex.py")
    at.session_state["survey_test"] = "effective-base"  # settings the annex does not take must not break it
    [build] = [b for b in at.button if b.label == "Build the annex"]
    build.click().run(timeout=240)
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Annex drafted for") for s in at.success), [s.value for s in at.success]
