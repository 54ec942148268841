"""A file that crashes its parser costs only that upload: the server keeps running and
another session still loads (real `streamlit run` + Chromium)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import LOADED_MS, screenshot, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "untrusted"

pytestmark = pytest.mark.timeout(300)


def _upload(page, url: str, path: Path) -> None:
    page.goto(url)
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(path))


def test_crashing_uploads_leave_the_server_and_other_sessions_running(app_url, browser, page, tmp_path):
    page.goto(app_url)  # the root first: app.py's router takes over deep links
    wait_for_app(page)
    # A SAV that makes pyreadstat's C code crash (SIGSEGV), and a workbook whose grid would need
    # billions of cells: each costs its upload one line.
    _upload(page, f"{app_url}/upload", FIXTURES / "pyreadstat_segfault.sav")
    page.wait_for_selector("text=made the reader stop abruptly", timeout=LOADED_MS)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="stop abruptly").inner_text()
    assert "pyreadstat_segfault.sav made the reader stop abruptly" in alert
    assert "Traceback" not in page.locator('[data-testid="stMain"]').inner_text()
    screenshot(page, "upload_crashing_file", tmp_path)

    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=10) as r:
        assert r.status == 200  # the server process is alive

    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    other.set_default_timeout(LOADED_MS)
    other.goto(app_url)
    wait_for_app(other)
    other.goto(f"{app_url}/overview")
    wait_for_app(other)
    other.wait_for_selector("text=Survey overview")
    assert "Who answered" in other.locator('[data-testid="stMain"]').inner_text()
    other.context.close()
