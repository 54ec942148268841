"""Two app processes on one PostgreSQL database, as behind a load balancer: an edit made
through one is visible through the other, and a conflicting edit made through the other
on the values it showed before is refused, with the newer values shown."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LOADED_MS, after_rerun, running_app, tall_screenshot

pytestmark = [pytest.mark.timeout(600), pytest.mark.postgres]

REFERENCE = "SAMPLE-LDN-1"
SOURCE_DETAIL = 'input[aria-label="Source detail"]:visible'


def main(page):
    return page.locator('[data-testid="stMain"]')


def open_item(page, url: str, name: str) -> None:
    field = page.locator('[data-testid="stSidebar"] input[aria-label="Your name"]')
    page.goto(url)
    field.wait_for(timeout=LOADED_MS)
    page.goto(f"{url}/tracker?region=London")
    field.wait_for(timeout=LOADED_MS)
    main(page).get_by_text("Panel response tracker").first.wait_for(timeout=LOADED_MS)
    field.fill(name)
    after_rerun(page, lambda: field.press("Enter"))
    box = main(page).locator('[data-testid="stSelectbox"]').filter(has_text="Open an item")
    box.click(timeout=LOADED_MS)
    page.keyboard.type(REFERENCE)
    page.keyboard.press("Enter")
    main(page).get_by_role("heading", name=REFERENCE).wait_for(timeout=LOADED_MS)
    main(page).get_by_text("Edit this item").click()


def save_detail(page, text: str) -> None:
    form = main(page).locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="Save item"))
    form.locator(SOURCE_DETAIL).fill(text)
    form.get_by_role("button", name="Save item").click()


def test_two_processes_share_edits_and_refuse_a_stale_one(postgres_engine, browser, tmp_path):
    from feedback.sample_data import seed_if_empty

    seed_if_empty(postgres_engine)  # once, before either process starts (they would race to seed)
    url = postgres_engine.url.render_as_string(hide_password=False)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with running_app(tmp_path / "a", database_url=url) as url_a, \
            running_app(tmp_path / "b", database_url=url) as url_b:
        assert url_a != url_b
        ctx_a, ctx_b = (browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(2))
        page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
        for page in (page_a, page_b):
            page.set_default_timeout(LOADED_MS)
        open_item(page_a, url_a, "Process A tester")
        open_item(page_b, url_b, "Process B tester")
        before = main(page_b).locator(SOURCE_DETAIL).input_value()

        save_detail(page_a, "Changed through process A")
        main(page_a).get_by_text("Saved: source detail.").wait_for(timeout=LOADED_MS)

        # B still shows the form as it was: its change is refused, with A's newer value beside it.
        assert main(page_b).locator(SOURCE_DETAIL).input_value() == before
        save_detail(page_b, "Changed through process B")
        refusal = main(page_b).locator('[data-testid="stAlert"]').filter(has_text="was changed by Process A tester")
        refusal.wait_for(timeout=LOADED_MS)
        assert "Your edit was not saved" in refusal.inner_text()
        main(page_b).get_by_text("Changed through process A").first.wait_for()
        tall_screenshot(page_b, "two_processes_refused", tmp_path)
        # ... and the form in B, now on the newer version read from the shared database, still holds what
        # B typed, to compare with A's value above and save again if still wanted.
        main(page_b).get_by_text("still holds what you typed").wait_for()
        assert main(page_b).locator(SOURCE_DETAIL).input_value() == "Changed through process B"

        open_item(page_b, url_b, "Process B tester")  # a fresh load through B shows A's edit
        assert main(page_b).locator(SOURCE_DETAIL).input_value() == "Changed through process A"
        ctx_a.close()
        ctx_b.close()
