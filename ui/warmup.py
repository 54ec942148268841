"""The app's one warm-up: what a server gets ready before a visitor needs it.

- The modules the pages import: pandas, numpy, pyarrow and the survey engine for the first
  page, then python-docx, rapidfuzz, SQLAlchemy, Altair... for the others. Streamlit imports a
  page's modules during its first run, so on a fresh server the first visitor of each page
  waited for them (5-7 s for the audits page).
- The forkserver that parses uploads (``feedback.isolation``): it imports the readers once
  (1-2 s of CPU), so the first upload does not wait for it.
- The database: migrations and the sample data, as a deployment migrates before serving, so
  the first visit of a database page (or a bookmark to one) does not wait for them.
- The app's caches shared by every user: the sample surveys read, the database engine.

``serve.py`` (``make run``) calls :func:`warm_up` before the server listens. app.py calls
:func:`start` after the first page is drawn: in a background thread at a lower CPU priority, it
fills the caches (they need the running server), after the rest of the warm-up when serve.py
did not run it. Nothing personal is touched: only the embedded samples, the shared database
engine and modules. This module imports no Streamlit itself, so serve.py can use it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import os
import sys
import threading
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "pages"
# What the first run (app.py and the Overview) imports, found by comparing sys.modules before and
# after it (tests/test_app_shell.py fails when the first page needs more).
FIRST_PAGE = (
    "numpy", "pandas", "pyarrow", "pyarrow.pandas_compat", "pyarrow.vendored.version", "scipy.special",
    "pyreadstat", "narwhals",
    "feedback.access", "feedback.isolation", "feedback.validation", "feedback.export", "feedback.survey.read",
    "feedback.survey.codebook", "feedback.survey.rates", "feedback.survey.loading", "feedback.survey.waves",
    "feedback.survey.wave_join", "feedback.survey.platforms", "feedback.survey.views",
    "feedback.charts",
)
# Every chart needs it (feedback.charts imports it when the first chart is built).
OTHER_PAGES = ("altair",)

_warmed = False  # warm_up() has run in this process
_started = False  # start() has run in this process
_lock = threading.Lock()
log = logging.getLogger(__name__)


def warm_up(argv: list[str] | None = None) -> None:
    """Load the pages' modules, start the parsing forkserver and, when ``argv`` (the server's
    options) is given, prepare the database the secrets name. Blocks until done, except the
    forkserver, which starts beside the rest."""
    global _warmed
    with _lock:
        _warmed = True
    _import(FIRST_PAGE)
    _convert_a_frame_for_display()
    from feedback import isolation

    isolation.start_forkserver()
    _import((*OTHER_PAGES, *page_modules()))
    if argv is not None:
        prepare_database(argv)


def start() -> None:
    """Fill the shared caches in a background thread at a lower CPU priority, after
    :func:`warm_up` (without the database) when serve.py did not run it. Once per process."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_in_background, name="feedback-warm-up", daemon=True).start()


def _in_background() -> None:
    try:  # below the user's own requests for CPU (Linux: per-thread nice value)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass
    try:
        if not _warmed:
            warm_up()
        _fill_caches()
    except Exception:  # noqa: BLE001 - a failed warm-up only means a page does the work itself
        log.warning("The warm-up stopped early", exc_info=True)


def _fill_caches() -> None:
    """What the pages read through Streamlit's caches, shared by every user. Streamlit logs that
    each call has no ScriptRunContext ("can be ignored"): this thread draws nothing."""
    from feedback.survey import examples
    from ui import common, survey_ui

    for example in examples.available_examples():
        survey_ui.load_sample(example)
    common.db_engine()


def _import(names) -> None:
    for name in names:
        importlib.import_module(name)


def _convert_a_frame_for_display() -> None:
    """st.dataframe converts frames with narwhals, which loads its pandas support on the first
    conversion: one small conversion through narwhals' public API does that now."""
    import narwhals
    import pandas as pd

    narwhals.from_native(pd.DataFrame({"a": [1]}), eager_only=True)


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


def secrets(argv: list[str]) -> dict:
    """The app's secrets as Streamlit will read them: the files given with ``--secrets.files``,
    else ~/.streamlit/secrets.toml and .streamlit/secrets.toml (the later file wins)."""
    given = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--secrets.files"]
    given += [arg.split("=", 1)[1] for arg in argv if arg.startswith("--secrets.files=")]
    files = [Path(p) for p in given] or [Path.home() / ".streamlit" / "secrets.toml",
                                         Path.cwd() / ".streamlit" / "secrets.toml"]
    found: dict = {}
    for path in files:
        if path.is_file():
            found |= tomllib.loads(path.read_text(encoding="utf-8"))
    return found


def prepare_database(argv: list[str]) -> None:
    """Migrations and sample data. On failure (say, PostgreSQL is not up yet) one line is
    printed and the app does the same on its first database page."""
    from feedback import db, sample_data

    try:
        found = secrets(argv)
        engine = db.get_engine(db.database_url(found.get("database_url")))
        try:
            sample_data.prepare(engine, owner_url=os.environ.get(db.OWNER_ENV_VAR) or found.get("owner_database_url"))
        finally:
            engine.dispose()
    except Exception as err:  # noqa: BLE001 - start anyway: the app prepares the database on first use
        print(f"serve.py: the database was not prepared before start ({type(err).__name__}); "
              "the app will prepare it on its first database page.", file=sys.stderr)
