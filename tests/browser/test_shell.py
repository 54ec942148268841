"""The app shell in a real browser: a bookmarked page with a region opens as bookmarked,
even as the very first request to a freshly started server."""

from tests.browser.conftest import running_app, screenshot, wait_for_app


def test_bookmarked_region_page_on_a_fresh_server(browser, tmp_path):
    with running_app(tmp_path) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{url}/results?region=London")
        wait_for_app(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        # The app's own navigation (not Streamlit's legacy page list) and the region kept.
        assert "Results by role" in sidebar.inner_text()
        assert "common" not in sidebar.inner_text()
        page.get_by_text("Region: London").first.wait_for()
        assert "region=London" in page.url
        # No horizontal scrolling at 1280x800.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, "shell_deeplink_london", tmp_path)
        page.close()
