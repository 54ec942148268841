"""The Annex builder page builds the annex with the survey pages' current settings and for the
sidebar's region, in AppTest (clicking a download is covered by the browser tests of other pages)."""

import io
import re

import openpyxl
from docx import Document

from feedback import export
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


def test_a_regional_annex_is_built_with_its_figures_workbook_and_named_for_the_region(page_app):
    """The annex for London: the Word document names the region, and every reference it gives is a
    row of the figures workbook (downloading a file is covered by the browser tests of other pages)."""
    at = page_app("annex.py")
    at.session_state["region"] = "London"
    at.run()
    assert any("Annex builder" in t.value for t in at.title), [t.value for t in at.title]
    [build] = [b for b in at.button if b.label == "Build the annex"]
    build.click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Annex drafted for London") for s in at.success), [s.value for s in at.success]
    built = at.session_state["annex_files"]
    assert export.file_stem("annex", built["region"]) == "annex_london"  # the download is annex_london.docx

    doc = Document(io.BytesIO(built["docx"]))
    assert doc.core_properties.title.endswith(": London")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Region: London" in text and "Annex D: Summary of the survey findings" in text
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    refs = set(re.findall(r"\[([CDR]\d+(?:\.\d+|w)?)\]", text + cells))

    wb = openpyxl.load_workbook(io.BytesIO(built["xlsx"]))
    assert wb.sheetnames == ["Cover", "Contents", "Notes", "Table 1"]
    listed = {row[0] for row in wb["Table 1"].iter_rows(min_row=3, values_only=True)}
    assert refs and refs == listed


def test_the_annex_takes_survey_results_from_the_pages_cache(page_app, monkeypatch):
    """The annex's survey figures come through the survey pages' cached call: building it again
    (or after the Results page showed the same survey) works out no survey results again."""
    from feedback.survey import views

    worked_out = []
    real = views.results
    monkeypatch.setattr(views, "results", lambda survey, **kw: worked_out.append(survey.name) or real(survey, **kw))
    at = page_app("annex.py")
    at.session_state["annex_part_roundtables"] = False
    at.session_state["annex_part_audits"] = False
    at.run()
    [build] = [b for b in at.button if b.label == "Build the annex"]
    build.click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    first = list(worked_out)
    [build] = [b for b in at.button if b.label == "Build the annex"]
    build.click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Annex drafted for") for s in at.success)
    assert worked_out == first  # nothing worked out again


def test_a_raked_upload_goes_into_the_annex_raked_and_the_notes_say_so(page_app):
    """An upload weighted on the Upload page is reported on its raked design: the figures workbook
    states the raked rates, its notes and the Word annex say how it was raked, and the command shown
    rakes it too."""
    from pathlib import Path

    from feedback.survey import loading, views

    waves = Path(__file__).resolve().parents[1] / "fixtures" / "waves"
    content, codebook = (waves / "wave_2021.csv").read_bytes(), (waves / "wave_2021.toml").read_text("utf-8")
    targets = (waves / "targets.csv").read_text("utf-8")
    at = page_app("annex.py")
    at.session_state["survey_upload"] = {"filename": "wave_2021.csv", "content": content, "codebook_text": codebook,
                                         "kind": "respondents", "name": "Fixture survey 2021", "targets": targets,
                                         "cap": 2.5}
    at.session_state["annex_surveys"] = ["Your upload: Fixture survey 2021"]
    at.session_state["annex_part_roundtables"] = False
    at.session_state["annex_part_audits"] = False
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("--survey wave_2021.csv --codebook wave_2021.toml --targets wave_2021_targets.csv" in c.value
               and "--cap 2.5" in c.value for c in at.code), [c.value for c in at.code]
    [build] = [b for b in at.button if b.label == "Build the annex"]
    build.click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    built = at.session_state["annex_files"]
    raked = loading.load_survey("wave_2021.csv", content, codebook, targets=targets, cap=2.5)
    expected = views.results(raked, grouping="Role")
    total = expected[expected["by"] == "total"].set_index("question_text")["p"]
    wb = openpyxl.load_workbook(io.BytesIO(built["xlsx"]))
    rows = list(wb["Table 1"].iter_rows(min_row=2, values_only=True))
    header, body = rows[0], rows[1:]
    stated = {r[header.index("Question or criterion")]: r[header.index("Percentage (%)")] for r in body
              if r[header.index("Group")] == "Total" and r[header.index("Percentage (%)")] != "[z]"}
    assert stated and all(abs(v - 100 * total[q]) < 1e-9 for q, v in stated.items()), (stated, total)
    notes = " ".join(str(v) for r in wb["Notes"].iter_rows(values_only=True) for v in r if v)
    assert "Weighted to population margins by raking (role, region)" in notes and "capped at 2.5" in notes
    text = "\n".join(p.text for p in Document(io.BytesIO(built["docx"])).paragraphs)
    assert "weighted to the population by role and region (raking)" in text
