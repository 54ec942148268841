"""The public progress record's page in Chromium, as published (a file on its own): axe-core
finds nothing serious or critical at 1280 and 390 px, the page asks for nothing over the
network, and it fits a phone's width (only its wide action tables scroll, inside themselves)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from feedback import db
from feedback.tracker import record, seed, service
from tests.browser.conftest import SCREENS

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("record")
    engine = db.get_engine(f"sqlite:///{folder / 'record.sqlite3'}")
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        seed.seed(session)
        # text that must stay text, and a link that must stay a plain https link
        action = session.scalar(db.select(service.Action).where(service.Action.reference == "SAMPLE-AC-09/1"))
        service.edit(session, action, action.version, {"evidence": "<img src=https://tracker.example/x.png> see "
                                                                   "https://example.org/evidence"}, "Ann")
        built = record.build(session)
    record.write(built, folder / "out")
    engine.dispose()
    return folder / "out" / "index.html"


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_record_page_is_accessible_standalone_and_fits(browser, published, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(published.as_uri())
    page.wait_for_load_state("networkidle")  # a page with no scripts: loaded means drawn
    assert requests == [published.as_uri()], "the page asked for something besides itself"

    results = Axe().run(page)
    bad = [f"{v['impact']} {v['id']}: {v['help']}" for v in results.response["violations"]
           if v["impact"] in ("serious", "critical") or v["id"] in ("heading-order", "page-has-heading-one")]
    assert bad == []
    assert requests == [published.as_uri()], "running axe made the page fetch something"

    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll of the page
    assert page.locator("h1").count() == 1 and page.title().startswith("You said, we did")
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    assert page.locator('a[href="https://example.org/evidence"]').count() == 1
    # every action table scrolls inside a region a keyboard can reach
    regions = page.locator('div.scroll[role="region"][tabindex="0"]')
    assert regions.count() == page.locator("table.actions").count() > 0
    hint = page.locator(".hint").first
    assert hint.is_visible() is (width < 640)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"public_record_{width}.png"))
    page.screenshot(path=str(SCREENS / f"public_record_{width}_full.png"), full_page=True)
    context.close()
