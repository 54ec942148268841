"""First use and speed, measured in a real browser (Playwright + Debian's Chromium).

    .venv/bin/python scripts/measure_first_use.py [--runs 3]

Each run starts a fresh `streamlit run app.py` with an empty database and measures:

- cold start: from the first request for ``/`` to the first headline figure on the
  Overview (the first number a user sees), and to the page having finished;
- deep link: a fresh server whose first request is a bookmarked page
  (``/audits?region=London``): time to that page, and whether a list of the app's
  Python files was ever drawn (every DOM change is checked as it happens);
- page switches: clicking each page in the sidebar in turn, twice (the first visit
  of a page pays for its imports and caches; the second is what a user sees after).

A page counts as shown when its heading is there, nothing on it is stale and the
app is no longer running the script. Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DRAWN, running_app, watch_for_file_list  # noqa: E402

# (sidebar link, page heading): the order a user might visit them in.
PAGES = [
    ("Results by role", "Results by role"),
    ("Compare", "Compare"),
    ("Upload a survey", "Upload a survey"),
    ("Roundtable notes", "Regional roundtable notes"),
    ("Response tracker", "Panel response tracker"),
    ("Import, export and backup", "Tracker: import, export and backup"),
    ("Yearly-report audits", "Yearly-report audits"),
    ("Overview", "Survey overview"),
]
SHOWN = """
(heading) => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  const h1 = main.querySelector('h1');
  if (!h1 || !h1.innerText.includes(heading)) return false;
  if (main.querySelector('[data-testid="stSpinner"]')) return false;
  return (DRAWN)();
}
""".replace("DRAWN", DRAWN)


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(90_000)
    return context, page


def _shown(page, heading: str) -> None:
    page.wait_for_function(SHOWN, arg=heading, polling=50, timeout=90_000)


def cold_start(browser) -> dict:
    with tempfile.TemporaryDirectory() as folder, running_app(Path(folder)) as url:
        context, page = _new_page(browser)
        watch_for_file_list(page)
        start = time.monotonic()
        page.goto(url + "/")
        page.wait_for_selector('[data-testid="stMain"] [data-testid="stMetricValue"]', timeout=90_000)
        _shown(page, "Survey overview")
        done = time.monotonic() - start
        # performance.now() counts from the start of the navigation.
        result = {"first_figure": page.evaluate("window.__firstFigure") / 1000, "overview_done": done,
                  "file_list": page.evaluate("window.__fileList")}
        switches = page_switches(page)
        context.close()
    return {**result, **switches}


def page_switches(page) -> dict:
    out = {}
    for visit in ("first", "again"):
        for link, heading in PAGES:
            start = time.monotonic()
            page.locator('[data-testid="stSidebar"] a', has_text=link).first.click()
            _shown(page, heading)
            out[(visit, link)] = time.monotonic() - start
    return out


def deep_link(browser, path: str = "/audits?region=London", heading: str = "Yearly-report audits") -> dict:
    with tempfile.TemporaryDirectory() as folder, running_app(Path(folder)) as url:
        context, page = _new_page(browser)
        watch_for_file_list(page)
        start = time.monotonic()
        page.goto(url + path)
        _shown(page, heading)
        done = time.monotonic() - start
        result = {"deep_link_done": done, "deep_link_file_list": page.evaluate("window.__fileList"),
                  "deep_link_url": page.url.replace(url, "")}
        context.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers per measurement (default 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        colds = [cold_start(browser) for _ in range(args.runs)]
        deeps = [deep_link(browser) for _ in range(args.runs)]
        browser.close()
    print(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def row(name, values, aim=None):
        values = sorted(values)
        text = " / ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {statistics.median(values):.2f} | {text} |" + (f" {aim} |" if aim else " |"))

    print("\n| Measure (seconds) | median | each run | aim |")
    print("|---|---:|---|---|")
    row("Fresh server: first request to the first headline figure", [c["first_figure"] for c in colds], "3 s")
    row("Fresh server: first request to the Overview finished", [c["overview_done"] for c in colds])
    row("Fresh server, deep link `/audits?region=London`: to the page", [d["deep_link_done"] for d in deeps])
    for visit in ("first", "again"):
        for link, _ in PAGES:
            row(f"Switch to {link} ({'first visit' if visit == 'first' else 'again'})",
                [c[(visit, link)] for c in colds], "1 s")
    lists = [c["file_list"] for c in colds] + [d["deep_link_file_list"] for d in deeps]
    print(f"\nFile list of the app's Python files seen: {[x for x in lists if x] or 'never'}; "
          f"deep link ended at {sorted({d['deep_link_url'] for d in deeps})}")


if __name__ == "__main__":
    main()
