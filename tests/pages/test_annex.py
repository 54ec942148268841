"""The Annex builder page builds the annex with the survey pages' current settings
(in AppTest: the browser test covers downloading it)."""

import io

import openpyxl

from feedback.survey.significance import TEST_NAMES


def test_build_button_drafts_the_annex_with_the_current_settings(page_app):
    at = page_app("annex.py")
    at.session_state["survey_test"] = "effective-base"
    at.session_state["survey_flag_on"] = "n_eff"
    at.session_state["annex_compare_waves"] = True
    at.run()
    assert any("--test effective-base" in c.value and "--small-base-on unweighted,effective" in c.value
               and "--compare-waves" in c.value for c in at.code), [c.value for c in at.code]
    [build] = [b for b in at.button if b.label == "Build the annex"]
    build.click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Annex drafted for") for s in at.success), [s.value for s in at.success]
    wb = openpyxl.load_workbook(io.BytesIO(at.session_state["annex_files"]["xlsx"]))
    rows = list(wb["Table 1"].iter_rows(min_row=2, values_only=True))
    header, body = rows[0], rows[1:]
    tests = [r[header.index("Test")] for r in body if str(r[header.index("Group")]).startswith("role:")]
    assert tests and all(TEST_NAMES["effective-base"] in t for t in tests)
    changes = [r for r in body if "2022 (synthetic)" in str(r[header.index("Group")])]
    assert changes and all(str(r[header.index("Test")]).startswith("change 2021 to 2022 (synthetic)") for r in changes)
    notes = " ".join(str(v) for r in wb["Notes"].iter_rows(values_only=True) for v in r if v)
    assert "[u] low reliability: effective base below 30" in notes
    assert at.session_state["annex_files"]["ods"][:2] == b"PK"  # the ODS twin is offered beside the XLSX
