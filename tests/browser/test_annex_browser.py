"""Annex builder in a real browser: build the annex for a region and download the Word
document and the figures workbook from the page."""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from tests.browser.conftest import tall_screenshot, wait_for_app


def test_build_and_download_the_annex(app_url, page, tmp_path):
    page.goto(app_url)  # the app's root first, so deep links run through app.py
    wait_for_app(page)
    page.goto(f"{app_url}/annex?region=London")
    wait_for_app(page)
    page.wait_for_selector("text=Annex builder")
    page.get_by_role("button", name="Build the annex").click()
    page.wait_for_selector("text=Annex drafted for London", timeout=300_000)
    wait_for_app(page)
    tall_screenshot(page, "annex_builder", tmp_path, height=1600)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download the annex (Word)").click()
    assert info.value.suggested_filename == "annex_london.docx"
    doc = Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert doc.core_properties.title.endswith(": London")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Region: London" in text and "Annex D: Summary of the survey findings" in text
    refs = set(re.findall(r"\[([CDR]\d+(?:\.\d+|w)?)\]", text + "\n".join(c.text for t in doc.tables for r in t.rows
                                                               for c in r.cells)))

    with page.expect_download() as info:
        page.get_by_role("button", name="Download the figures workbook (XLSX)").click()
    wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert wb.sheetnames == ["Cover", "Contents", "Notes", "Table 1"]
    listed = {row[0] for row in wb["Table 1"].iter_rows(min_row=3, values_only=True)}
    assert refs and refs == listed
