"""The audits page in Streamlit's AppTest: it opens on the sample, and an audit entered in the form
is saved and counted (the browser test does the same through a real browser)."""

import pytest

from feedback.audits.framework import load_framework

FW = load_framework("wt2018")


@pytest.fixture
def app(page_app):
    return page_app("audits.py")


def metric(at, label_start):
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def test_opens_on_the_sample_with_the_published_figures(app):
    assert metric(app, "Reports audited") == "18"
    assert metric(app, "Received by 1 June 2022") == "49%"
    assert (metric(app, "Reports received by then"), metric(app, "Partnerships on the register")) == ("67", "137")
    assert any("Sample data built from the published figures" in i.value for i in app.info)


def test_entering_an_audit_changes_the_count(app):
    app.selectbox(key="aud_f_partnership_0").set_value("London sample partnership 01")
    app.text_input(key="aud_f_auditor_0").set_value("Page tester")
    for c in FW.criteria:
        app.radio(key=f"aud_f_{c.id}_0").set_value("Partly evidenced")
        app.text_input(key=f"aud_f_{c.id}_page_0").set_value("3")
    app.button[[b.label for b in app.button].index("Save the audit")].click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert [e.value for e in app.error] == []
    assert metric(app, "Reports audited") == "19"
    assert any("Saved the audit of London sample partnership 01" in s.value for s in app.success)


def test_a_bad_audit_is_refused_with_reasons_and_nothing_changes(app):
    app.selectbox(key="aud_f_partnership_0").set_value("London sample partnership 01")
    app.text_input(key="aud_f_auditor_0").set_value("Page tester")
    app.button[[b.label for b in app.button].index("Save the audit")].click()
    app.run()
    errors = " ".join(e.value for e in app.error)
    assert "The audit was not saved" in errors and "has no score" in errors
    assert metric(app, "Reports audited") == "18"


def test_problems_are_shown_beside_their_fields_once_and_what_was_typed_stays(app):
    app.selectbox(key="aud_f_partnership_0").set_value("London sample partnership 01")
    first, second, *rest = FW.criteria
    app.radio(key=f"aud_f_{first.id}_0").set_value("Fully evidenced")             # no page given
    app.radio(key=f"aud_f_{second.id}_0").set_value("Partly evidenced")
    app.text_input(key=f"aud_f_{second.id}_page_0").set_value("the end")          # not a page
    for c in rest:
        app.radio(key=f"aud_f_{c.id}_0").set_value("Not evidenced")
    app.button[[b.label for b in app.button].index("Save the audit")].click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    errors = [e.value for e in app.error]
    assert errors[0].startswith("The audit was not saved: 3 problems to fix, shown beside the fields"), errors
    beside = errors[1:]
    assert len(beside) == 3 and not any(e.startswith("The audit (") for e in beside), beside
    assert [sum(m in e for e in beside) for m in ("Say who carried out", "has no page reference",
                                                  "should be a page number")] == [1, 1, 1]
    # in the order of the form: the auditor, then the first criterion, then the second
    assert "auditor" in beside[0] and first.label in beside[1] and second.label in beside[2]
    assert app.text_input(key=f"aud_f_{second.id}_page_0").value == "the end"
    assert metric(app, "Reports audited") == "18"


def test_raising_a_finding_from_the_page_creates_a_tracker_item(app):
    app.button(key="aud_find_raise").click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    # Messages are Markdown-escaped (they can quote typed text): compare without the escapes.
    assert any("Raised tracker item YRA-2020-21-01" in s.value.replace("\\", "") for s in app.success)


def test_a_bad_spreadsheet_is_refused_and_changes_nothing(app):
    app.file_uploader(key="aud_upload").set_value(
        ("audits.csv", b"partnership,reporting_year\nLondon sample partnership 01,2020-21\n", "text/csv"))
    app.run()
    assert any("nothing was imported" in e.value or "missing the column" in e.value for e in app.error)
    assert [b.label for b in app.button if b.label.startswith("Import ")] == []
    assert metric(app, "Reports audited") == "18"


def test_correcting_a_score_is_saved_with_its_history(app):
    app.query_params["aud_tab"] = "Audits and history"  # the tab a person corrects from: its tables are drawn
    app.run()
    app.selectbox(key="aud_cor_crit").set_value(app.selectbox(key="aud_cor_crit").options[0])
    label = app.selectbox(key="aud_cor_crit").value
    app.radio(key="aud_cor_score").set_value("Not evidenced")
    app.text_input(key="aud_cor_page").set_value("12")
    app.text_input(key="aud_cor_reason").set_value("Second reading of the report")
    app.button[[b.label for b in app.button].index("Save the correction")].click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert [e.value for e in app.error] == []
    assert any(s.value.startswith("Corrected '") for s in app.success), [s.value for s in app.success]
    history = " ".join(df.value.to_csv() for df in app.dataframe)
    assert "Second reading of the report" in history and label
