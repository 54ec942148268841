"""London's views of Compare, Trends and Audits in a real browser: England beside the region,
London against the rest of England by default, and axe-core finding nothing serious."""

from __future__ import annotations

import pytest

from tests.browser.conftest import laid_out, problems, ready, tall_screenshot, wait_for_app

pytestmark = pytest.mark.timeout(900)

VIEWS = [
    ("compare", "Rest of England (all regions but London)"),
    ("trends", "England"),
    ("audits", "England's figures are beside London's"),  # the table itself is a canvas
]


@pytest.mark.parametrize("path,expected", VIEWS, ids=[p for p, _ in VIEWS])
def test_london_view_shows_england_and_axe_is_clean(app_url, page, tmp_path, path, expected):
    page.goto(f"{app_url}/{path}?region=London")
    ready(page)
    main = page.locator('[data-testid="stMain"]')
    main.locator("h1").first.wait_for()
    wait_for_app(page)
    assert "London" in main.locator("h1").first.inner_text()
    assert main.get_by_text(expected).count() or expected in main.inner_text() or \
        expected in page.content(), f"{expected!r} not on {path}"
    tall_screenshot(page, f"london_{path}", tmp_path)
    found = problems(page, f"{path} in London")
    assert not found, "\n".join(found)


def test_charts_fit_a_phone_screen(app_url, page, tmp_path):
    """At 390 px a chart is no wider than its column (it was drawn 793 px wide)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app_url}/results")
    ready(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for()
    wait_for_app(page)
    laid_out(page)
    drawn = chart.locator("canvas, svg.marks").first
    column = page.locator('[data-testid="stMain"] [data-testid="stVerticalBlock"]').first
    assert drawn.bounding_box()["width"] <= column.bounding_box()["width"] + 1
    assert drawn.bounding_box()["width"] <= 390
    drawn.scroll_into_view_if_needed()
    laid_out(page)
    page.screenshot(path=str(tmp_path / "phone_results.png"), full_page=False)
    import shutil
    from pathlib import Path
    Path("/tmp/screens").mkdir(exist_ok=True)
    shutil.copy(tmp_path / "phone_results.png", "/tmp/screens/phone_results.png")
