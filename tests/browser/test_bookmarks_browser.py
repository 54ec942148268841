"""Bookmarks in a real browser: a full view's address opened as the first request to a
freshly started server shows exactly that view, and changing a choice updates the address."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import expect

from feedback.survey import examples, loading
from tests.browser.conftest import LOADED_MS, after_rerun, running_app, screenshot, wait_for_app

pytestmark = pytest.mark.timeout(300)
FRONTLINE = "Frontline professionals 2021 (sample)"


def question_text(qid: str) -> str:
    sample = examples.EXAMPLES[1]
    content, codebook = examples.example_files(sample)
    questions = loading.load_survey(sample.data_file, content, codebook, name=sample.name).questions()
    return str(questions.loc[questions["question"] == qid, "question_text"].iloc[0])


def settle(page) -> None:
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=LOADED_MS)
    wait_for_app(page)


def code_block(page) -> str:
    return page.locator('[data-testid="stCode"]').first.inner_text()


def test_bookmarked_full_view_reopens_on_a_fresh_server(browser, tmp_path):
    view = [("region", "London"), ("survey_choice", FRONTLINE),
            ("survey_questions", question_text("know_thematic_reviews")),
            ("survey_questions", question_text("aware_ce_review")),
            ("survey_grouping", "Role and region"), ("survey_method", "Jeffreys"), ("survey_level", "90%")]
    with running_app(tmp_path) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(LOADED_MS)
        page.goto(f"{url}/results?{urllib.parse.urlencode(view)}")
        settle(page)
        page.wait_for_selector('[data-testid="stCode"]')
        assert page.locator("h1").first.inner_text().strip() == "Results by role: London"
        main = page.locator('[data-testid="stMain"]')
        assert "Region: London." in main.inner_text()
        chips = main.locator('[data-testid="stMultiSelect"]').nth(1).inner_text()
        assert "thematic reviews" in chips and "criminal exploitation" in chips
        assert main.get_by_role("radio", name="Role and region").is_checked()
        # The command line under the table restates every choice of the view.
        command = code_block(page)
        for part in ("frontline_2021.xlsx", "--by role", "--by region", "--filter region=London",
                     "--method jeffreys", "--level 0.9"):
            assert part in command, command
        screenshot(page, "bookmark_results_full_view", tmp_path)

        # Changing a choice writes it into the address; that address reopens the new view.
        after_rerun(page, lambda: main.get_by_text("Role × region", exact=True).click())
        page.wait_for_function("() => decodeURIComponent(location.search.replace(/\\+/g, ' '))"
                               ".includes('survey_grouping=Role × region')")
        settle(page)
        expect(page.locator('[data-testid="stCode"]').first).to_contain_text("--by 'role*region'")
        address = page.url
        context.close()

        again = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        again.set_default_timeout(LOADED_MS)
        again.goto(address)
        settle(again)
        again.wait_for_selector('[data-testid="stCode"]')
        command = code_block(again)
        assert "--by 'role*region'" in command and "--method jeffreys" in command and "London" in command
        again.context.close()
