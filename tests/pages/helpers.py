"""Plain helpers for driving the app in Streamlit's AppTest (the ``app`` and ``page_app``
fixtures are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def goto(at: AppTest, page: str) -> AppTest:
    """Switch the running app to pages/PAGE.py and run it; fail on an exception."""
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def opened(page: str, params: dict, tmp_path, monkeypatch, region: str | None = None) -> AppTest:
    """A first visit to PAGE from an address carrying PARAMS (a bookmark or an e-mailed link)."""
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    if region:
        at.session_state["region"] = region
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
