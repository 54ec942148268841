"""The Open answers page in a real browser: upload the synthetic survey with a free-text column,
accept the suggestions for the first page of answers, see the theme rates chart and table; axe-core
finds nothing serious on either tab, and a hostile answer would show as plain text."""

from __future__ import annotations

import pytest

from tests.browser.conftest import after_rerun, open_expanders, problems, ready, screenshot, tall_screenshot
from tests.pages.helpers import ROOT

pytestmark = pytest.mark.timeout(600)
FIXTURE = ROOT / "tests" / "fixtures" / "open_answers"


def test_code_answers_and_see_theme_rates(app_url, page, tmp_path):
    page.goto(f"{app_url}/upload")
    ready(page)
    page.locator(".st-key-upload_codebook input[type=file]").set_input_files(
        files=[{"name": "staff_comments.toml", "mimeType": "application/toml",
                "buffer": (FIXTURE / "staff_comments.toml").read_bytes()}])
    ready(page)
    page.locator(".st-key-upload_file input[type=file]").set_input_files(
        files=[{"name": "staff_comments.csv", "mimeType": "text/csv",
                "buffer": (FIXTURE / "staff_comments.csv").read_bytes()}])
    page.wait_for_selector("text=160 respondents", timeout=90_000)
    ready(page)
    button = page.get_by_role("button", name="Use this survey in every page")
    button.scroll_into_view_if_needed()
    button.click()
    page.get_by_text("Every survey page now offers it").wait_for(timeout=60_000)
    ready(page)

    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Open answers", exact=True).first.click()
    ready(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Column of free-text answers").wait_for()
    found = problems(page, "Open answers, before coding")
    after_rerun(page, lambda: main.get_by_role("button", name="Accept the suggestions for the answers shown").click())
    ready(page)
    assert main.get_by_text("Respondent", exact=False).count() >= 20
    tall_screenshot(page, "open_answers_coded", tmp_path, height=5200)
    found += problems(page, "Open answers, coded")

    main.get_by_role("tab", name="Theme rates").click()
    ready(page)
    main.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    main.get_by_text("Only 20 answer(s) are coded").wait_for()
    open_expanders(page, main.locator('[role="tabpanel"]:visible').first)
    found += problems(page, "Open answers, theme rates")
    tall_screenshot(page, "open_answers_rates", tmp_path, height=3400)
    screenshot(page, "open_answers_rates_top", tmp_path)
    assert not found, "\n".join(found)
