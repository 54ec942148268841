"""Yearly-report audits in a real browser: enter one audit in the form and see the
summary change (18 -> 19 reports audited, the new audit counted in the criteria).
Screenshots go to /tmp/screens/."""

from __future__ import annotations

import re

import pytest

from feedback.audits.framework import load_framework
from tests.browser.conftest import LOADED_MS, choose_option, choose_region, screenshot, tall_screenshot, wait_for_app

pytestmark = pytest.mark.timeout(300)

FW = load_framework("wt2018")
PARTNERSHIP = "London sample partnership 01"   # has no 2020-21 audit in the sample


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_enter_an_audit_and_the_summary_changes(app_url, page, tmp_path):
    page.goto(app_url)
    # The first run seeds the database and can outlast wait_for_app; leaving before app.py has called
    # st.navigation leaves the next session on Streamlit's legacy page list. Wait for the shared sidebar.
    page.wait_for_selector('[data-testid="stSidebar"] input[aria-label="Your name"]', timeout=LOADED_MS)
    wait_for_app(page)
    page.goto(f"{app_url}/audits")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stSidebar"] input[aria-label="Your name"]', timeout=LOADED_MS)
    page.wait_for_selector("text=Yearly-report audits")
    page.wait_for_selector('[data-testid="stMetric"]')
    wait_for_app(page)
    assert metric(page, "Reports audited") == "18"
    assert metric(page, "Received by 1 June 2022") == "49%"
    assert metric(page, "Reports received by then") == "67"
    assert metric(page, "Partnerships on the register") == "137"
    assert "Sample data built from the published figures" in main_text(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"]')
    tall_screenshot(page, "audits_summary_before", tmp_path)

    name = page.locator('[data-testid="stSidebar"] input[aria-label="Your name"]')
    name.fill("Browser Tester")
    name.press("Enter")
    wait_for_app(page)

    tab(page, "Enter an audit")
    form = page.locator('[data-testid="stForm"]:visible').first
    box = form.locator('[data-testid="stSelectbox"]').filter(has_text="Partnership").first
    box.click()
    page.keyboard.type(PARTNERSHIP)
    page.get_by_role("option", name=PARTNERSHIP, exact=True).click()
    form.locator('input[aria-label="Auditor"]').fill("Browser Tester")
    radios = form.locator('[data-testid="stRadio"]')
    pages = form.locator('input[aria-label="Page"]')
    assert radios.count() == len(FW.criteria) and pages.count() == len(FW.criteria)
    for i, criterion in enumerate(FW.criteria):
        # impact not evidenced (no page needed); everything else fully evidenced on a page
        choice = "Not evidenced" if criterion.id == "impact" else "Fully evidenced"
        radios.nth(i).get_by_text(choice, exact=True).click()
        if choice != "Not evidenced":
            pages.nth(i).fill(str(10 + i))
    # A look at another tab (which reruns the page and draws only the open tab's figures) keeps
    # what was typed: the forms are drawn in every run.
    tab(page, "Summary")
    assert page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]:visible').count() >= 1
    tab(page, "Enter an audit")
    form = page.locator('[data-testid="stForm"]:visible').first
    assert form.locator('input[aria-label="Auditor"]').input_value() == "Browser Tester"
    assert form.locator('[data-testid="stRadio"]').first.locator("input:checked").count() == 1
    # (Streamlit's front end clears a form's select box that has not been submitted when a tab
    # switch reruns the page; it did so before the figures were drawn only in the open tab too.)
    partnership = form.locator('[data-testid="stSelectbox"]').filter(has_text="Partnership").first
    if partnership.get_by_role("combobox").input_value() != PARTNERSHIP:  # (the box's text is its label)
        choose_option(page, partnership, PARTNERSHIP)
    tall_screenshot(page, "audits_form_filled", tmp_path, height=4200)
    form.get_by_role("button", name="Save the audit").click()
    wait_for_app(page)
    page.wait_for_selector(f"text=Saved the audit of {PARTNERSHIP}")
    wait_for_app(page)

    assert metric(page, "Reports audited") == "19"
    tab(page, "Summary")
    page.wait_for_selector('[data-testid="stVegaLiteChart"]')
    tall_screenshot(page, "audits_summary_after", tmp_path)
    # the criteria chart's alt text carries the new base and counts
    page.get_by_text("Alt text for this chart").first.click()
    alt = page.locator('[data-testid="stExpanderDetails"]:visible').first.inner_text()
    assert "Impact on children and families: 7 of 19" in alt
    assert "Independent scrutiny: 14 of 19" in alt
    assert re.search(r"What the partners have done: 19 of 19", alt)

    # the sidebar's region selector applies: London has the sample's 2 audits plus the new one
    page.keyboard.press("Escape")  # nothing left open over the sidebar
    choose_region(page, "London")
    page.wait_for_function("() => document.body.innerText.includes('Region: London')")
    wait_for_app(page)
    assert metric(page, "Reports audited") == "3"
    assert "region=London" in page.url
    screenshot(page, "audits_london", tmp_path)
