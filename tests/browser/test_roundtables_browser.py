"""Roundtable notes in a real browser: import a .docx, recode its point, and see
the regional count behind the heat table change. Screenshots go to /tmp/screens/."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LOADED_MS, after_rerun, choose_option, screenshot, tall_screenshot, wait_for_app

pytestmark = pytest.mark.timeout(300)

POINT = "Information sharing between the hospital and the school broke down at weekends."


def notes_docx(path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Roundtable: North East (browser test)", level=0)
    for line in ("Region: North East", "Attendees: 21", "Partnerships: 6", "Panel lead: Dale Simon"):
        document.add_paragraph(line)  # the date is left out on purpose: the form must ask for it
    document.add_heading("Practice themes", level=1)
    document.add_paragraph(POINT, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)


def choose(page, label: str, option: str) -> None:
    """Pick an option in the visible selectbox with this label."""
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]:visible').filter(has_text=label).first
    choose_option(page, box, option)


def count_behind(page, theme: str, region: str) -> int:
    choose(page, "Sub-theme", theme)
    choose(page, "Region", region)
    text = page.get_by_text(re.compile(rf"\d+ point\(s\) on {theme} in {region}\.")).inner_text()
    return int(text.split()[0])


def test_import_docx_recode_point_and_regional_count_changes(app_url, page, tmp_path):
    name = page.locator('[data-testid="stSidebar"] input[aria-label="Your name"]')
    page.goto(app_url)  # the app's entry script first, so its navigation and sidebar are in place
    name.wait_for(timeout=LOADED_MS)
    page.goto(f"{app_url}/roundtables")
    name.wait_for(timeout=LOADED_MS)
    wait_for_app(page)
    page.wait_for_selector("text=Regional roundtable notes")
    page.locator('[data-testid="stMetricValue"]', has_text="448").wait_for(timeout=LOADED_MS)
    wait_for_app(page)
    assert "448" in main_text(page) and "148" in main_text(page)  # the sample's totals
    tall_screenshot(page, "roundtables_overview", tmp_path)

    name.fill("Test Coder")
    after_rerun(page, lambda: name.press("Enter"))
    wait_for_app(page)

    before = count_behind(page, "Information sharing", "North East")

    # Import: the date is missing, so the form asks for it.
    tab(page, "Import notes")
    docx_path = tmp_path / "north_east_extra.docx"
    notes_docx(docx_path)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(docx_path))
    page.wait_for_selector("text=Missing from the notes: date", timeout=LOADED_MS)
    wait_for_app(page)
    day = page.locator('[data-testid="stDateInput"]:visible [role="spinbutton"]').first
    day.click()
    page.keyboard.type("01122021")  # day, month, year: the field moves on by itself
    page.keyboard.press("Tab")
    expect(page.locator('[data-testid="stDateInput"]:visible input').first).to_have_value("2021-12-01")
    screenshot(page, "roundtables_import_form", tmp_path)
    page.get_by_role("button", name="Import 1 file(s)").click()
    page.wait_for_selector("text=Imported 1 event(s)", timeout=LOADED_MS)
    wait_for_app(page)

    tab(page, "Themes by region")
    assert count_behind(page, "Information sharing", "North East") == before + 1
    screenshot(page, "roundtables_after_import", tmp_path)

    # Recode the imported point: not information sharing, but Panel engagement.
    tab(page, "Points and coding")
    choose(page, "Event", "North East, 01 Dec 2021")
    screenshot(page, "roundtables_points_tab", tmp_path)
    page.locator('[data-testid="stText"]:visible', has_text=POINT).first.wait_for()
    codes = page.locator('[data-testid="stMultiSelect"]:visible').first
    assert "Information sharing" in codes.inner_text()  # starts from the rules' code
    codes.locator("input").first.click()
    page.keyboard.press("Backspace")  # remove the last (only) code
    screenshot(page, "roundtables_recoding", tmp_path)
    page.keyboard.type("Panel communication")
    page.get_by_role("option", name="Panel communication and engagement").click()
    page.keyboard.press("Escape")
    assert "Information sharing" not in codes.inner_text()
    page.get_by_role("button", name="Save my coding").click()
    # The confirmation names the new code (it may be cleared by a later rerun, so wait for it, then go on).
    page.wait_for_selector("text=Saved your coding of point", timeout=LOADED_MS)
    screenshot(page, "roundtables_recoded", tmp_path)
    wait_for_app(page)

    tab(page, "Themes by region")
    assert count_behind(page, "Information sharing", "North East") == before
    assert count_behind(page, "Panel communication and engagement", "North East") >= 1
    tall_screenshot(page, "roundtables_after_recode", tmp_path)

    # From the point, raise a tracker item; its Panel response shows beside the point.
    tab(page, "Points and coding")
    choose(page, "Event", "North East, 01 Dec 2021")
    page.get_by_role("button", name="Raise a new tracker item from this point").click()
    page.wait_for_selector("text=Raised tracker item RT-", timeout=LOADED_MS)
    page.wait_for_selector("text=Linked to tracker item RT-", timeout=LOADED_MS)
    assert "Panel decision no response yet" in main_text(page)
    wait_for_app(page)
    tall_screenshot(page, "roundtables_tracker_link", tmp_path)

    # The other views, for a look: agreement (Test Coder against the rules), per event, codebook.
    tab(page, "Coder agreement")
    page.wait_for_selector("text=coded by both", timeout=LOADED_MS)
    assert re.search(r"1 point\(s\) coded by both Test Coder and rules", main_text(page))
    tall_screenshot(page, "roundtables_agreement", tmp_path)
    tab(page, "Themes per event")
    tall_screenshot(page, "roundtables_per_event", tmp_path)
    tab(page, "Theme codebook")
    tall_screenshot(page, "roundtables_codebook", tmp_path)


def test_import_of_annex_c_layout_shows_roles_and_records_the_panels_responses(app_url, page, tmp_path):
    """A Feedback | Panel response table (Annex C's layout): the preview says what each line is, only the
    feedback column becomes points, and the responses go to the tracker items raised from them."""
    from tests.roundtables.helpers import CORPUS

    name = page.locator('[data-testid="stSidebar"] input[aria-label="Your name"]')
    page.goto(app_url)
    name.wait_for(timeout=60_000)
    page.goto(f"{app_url}/roundtables")
    name.wait_for(timeout=60_000)
    wait_for_app(page)
    page.locator('[data-testid="stMetric"]', has_text="Feedback points").wait_for(timeout=60_000)
    points_before = int(page.locator('[data-testid="stMetric"]', has_text="Feedback points")
                        .locator('[data-testid="stMetricValue"]').inner_text())
    name.fill("Test Importer")
    after_rerun(page, lambda: name.press("Enter"))
    tab(page, "Import notes")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(CORPUS / "annex_c_table.docx"))
    page.wait_for_selector("text=annex_c_table.docx: read 15 line(s): 4 feedback point(s), 3 Panel response(s)",
                           timeout=60_000)
    wait_for_app(page)
    assert "To import: 4 feedback point(s)." in main_text(page)
    assert "Other details (kept in the event's note): Chair: Annie Hudson" in main_text(page)
    screenshot(page, "roundtables_import_roles", tmp_path)
    page.get_by_role("button", name="Import 1 file(s)").click()
    page.wait_for_selector("text=Recorded the Panel's responses and actions on 3 tracker item(s)", timeout=60_000)
    wait_for_app(page)
    after = int(page.locator('[data-testid="stMetric"]', has_text="Feedback points")
                .locator('[data-testid="stMetricValue"]').inner_text())
    assert after == points_before + 4  # the responses are not points
    tab(page, "Points and coding")
    choose(page, "Event", "South West, 02 Dec 2021")
    page.wait_for_selector("text=Linked to tracker item RT-", timeout=30_000)
    assert "Panel decision noted" in main_text(page)
    screenshot(page, "roundtables_imported_response", tmp_path)
