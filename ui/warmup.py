"""Get every page ready in the background once the first page of a fresh server is drawn.

The first visit of a page used to pay for its imports (python-docx, rapidfuzz,
SQLAlchemy, Alembic…), for opening the database (migrations, sample data) and
for reading the sample surveys: 5-7 s for the audits page. One daemon thread per
server process does that work right after the first page has been sent, at a
lower CPU priority, so a user moving on finds the page ready. Nothing personal
is touched: only the embedded samples, the shared database engine and modules.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import os
import threading
from pathlib import Path

PAGES = Path(__file__).resolve().parents[1] / "pages"
_started = False
_lock = threading.Lock()
_done = threading.Event()
log = logging.getLogger(__name__)


def start() -> None:
    """Start the warm-up thread (once per process; later calls do nothing). Not under
    AppTest: tests open their own databases, and a thread outliving a test would race them."""
    global _started
    from streamlit import config

    with _lock:
        if _started or config.get_option("global.appTest"):
            return
        _started = True
    threading.Thread(target=_warm, name="feedback-warmup", daemon=True).start()


def wait(timeout: float | None = None) -> bool:
    """Block until the warm-up has finished (for measurements); True when it has."""
    return _done.wait(timeout)


def page_modules(folder: Path = PAGES) -> list[str]:
    """The ``feedback`` modules the page scripts import, in the order they appear."""
    names: list[str] = []
    for page in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            names += [n for n in found if n.split(".")[0] == "feedback" and n not in names]
    return [n for n in names if _is_module(n)]


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class _QuietWarmup(logging.Filter):
    """Streamlit warns once per cached call made outside a page run ("missing
    ScriptRunContext"): expected for this thread, so those lines are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == "feedback-warmup" and "ScriptRunContext" in record.getMessage())


def _warm() -> None:
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_QuietWarmup())
    try:
        try:  # below the user's own requests for CPU (Linux: per-thread nice value)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        from ui import common, survey_ui
        from feedback.survey import examples

        for sample in examples.available_examples():
            survey_ui.load_sample(sample)
        for name in page_modules():
            importlib.import_module(name)
        common.db_engine()
        import altair  # noqa: F401 - every chart needs it (feedback.charts imports it when a chart is built)
        import feedback.charts  # noqa: F401 - the chart downloads need it
    except Exception:  # noqa: BLE001 - a failed warm-up only means the page does the work itself
        log.warning("Background warm-up stopped early", exc_info=True)
    finally:
        _done.set()
