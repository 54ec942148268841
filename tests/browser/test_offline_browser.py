"""The app works on an intranet without internet access: every request a page makes (its
scripts, styles, fonts, icons, favicon, data) goes to the app's own server, 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.conftest import LOADED_MS, wait_for_app


def test_every_request_goes_to_the_app_server(app_url, page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(app_url)
    wait_for_app(page)
    page.locator('[data-testid="stMain"] [data-testid="stMetricValue"]').first.wait_for(timeout=LOADED_MS)
    # the favicon the page asks for is the app's own, and it has loaded
    icon = page.locator("link[rel='shortcut icon']")
    page.wait_for_function("() => { const l = document.querySelector(\"link[rel='shortcut icon']\");"
                           " return !!l && !l.href.endsWith('/favicon.png'); }", timeout=LOADED_MS)
    href = icon.get_attribute("href")
    assert href and (href.startswith("data:") or urlsplit(page.evaluate("u => new URL(u, location).href", href))
                     .hostname == "127.0.0.1"), href
    for title in ("Trends", "Response tracker"):  # pages with other icons, charts and tables
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title, exact=True).first.click()
        wait_for_app(page)
    outside = sorted({u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(u).hostname != "127.0.0.1"})
    assert requests and not outside, outside
