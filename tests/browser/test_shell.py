"""The app shell in a real browser: a bookmarked page with a region opens as bookmarked,
even as the very first request to a freshly started server, and never shows a list of
the app's Python files on the way."""

from tests.browser.conftest import running_app, screenshot, wait_for_app, watch_for_file_list


def test_bookmarked_region_page_on_a_fresh_server(browser, tmp_path):
    with running_app(tmp_path) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        watch_for_file_list(page)
        page.goto(f"{url}/results?region=London")
        wait_for_app(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        # The app's own page links (not Streamlit's legacy page list) and the region kept.
        assert "Results by role" in sidebar.inner_text()
        assert "tracker data" not in sidebar.inner_text()
        page.get_by_text("Region: London").first.wait_for()
        assert "region=London" in page.url
        # The heading names the region shown.
        assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Results by role: London"
        # Not for a moment did the sidebar list the app's files (checked on every DOM change).
        assert page.evaluate("window.__fileList") is False
        # No horizontal scrolling at 1280x800.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, "shell_deeplink_london", tmp_path)
        page.close()


def test_first_request_to_the_overview_shows_no_file_list(browser, tmp_path):
    with running_app(tmp_path) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        watch_for_file_list(page)
        page.goto(url)
        wait_for_app(page)
        page.locator('[data-testid="stMain"] [data-testid="stMetricValue"]').first.wait_for()
        assert page.evaluate("window.__fileList") is False
        # The first page says what the app is for and where to start.
        assert "Start with the headline figures" in page.locator('[data-testid="stMain"]').inner_text()
        page.close()
