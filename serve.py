"""Start the app: ``python serve.py [streamlit options]`` is ``python -m streamlit run app.py``
with the app's heavy modules already loaded.

Streamlit imports a page's modules during the first visitor's first run, so on a freshly
started server that visitor waited for pandas, numpy, pyarrow and the survey engine before
the first figure. Loading them before the server listens moves that wait to start-up. Only
modules that do not use Streamlit are loaded here: the page helpers in ``ui/`` need a
running session. ``make run`` and the browser tests start the app this way.

The database is migrated and the sample data stored here too, before the server listens (as a
deployment runs its migrations before serving), so the first visit of a database page, or a
bookmark to one as a fresh server's first request, does not wait for it; and the forkserver
that parses uploads is started.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import runpy
import sys
import threading
import time
import tomllib
from pathlib import Path

APP = Path(__file__).resolve().with_name("app.py")
# What the first run (app.py and the Overview) imports, found by comparing sys.modules before and
# after it (tests/test_app_shell.py fails when the first page needs more); none of them imports
# Streamlit. narwhals is what st.dataframe converts frames with.
PRELOAD = (
    "numpy", "pandas", "pyarrow", "pyarrow.pandas_compat", "pyarrow.vendored.version", "scipy.special",
    "pyreadstat", "narwhals", "narwhals._namespace", "narwhals._pandas_like.dataframe",
    "narwhals._pandas_like.namespace",
    "feedback.access", "feedback.isolation", "feedback.validation", "feedback.export", "feedback.survey.read",
    "feedback.survey.codebook", "feedback.survey.rates", "feedback.survey.loading", "feedback.survey.waves",
    "feedback.survey.wave_join", "feedback.survey.platforms", "feedback.survey.views",
    "feedback.charts",
)


# Before the server listens, so no visitor waits for them: what the other pages import (the
# background warm-up, ui/warmup.py, would otherwise import them while the first visitor moves on).
LATER = ("altair",)


def preload(names: tuple[str, ...] = PRELOAD) -> None:
    for name in names:
        importlib.import_module(name)


def preload_other_pages() -> None:
    from ui.warmup import page_modules

    preload((*LATER, *page_modules()))


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
    """Migrations and sample data before the server listens. On failure (say, PostgreSQL is not
    up yet) one line is printed and the app does the same on its first database page."""
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


def release_freed_memory(every_s: float = 30.0) -> bool:
    """Every half minute, collect what only reference cycles keep alive and hand freed memory back
    to the system, away from anyone's click. Each run of a page leaves a cycle (the page's
    functions and its globals, where the Upload page holds the file and what was read from it),
    which only a full collection frees: Streamlit's collection after every run is off
    (``runner.postScriptGC``: about 0.1 s added to each click), and without this a closed
    session's upload stayed in memory. The C library then keeps what was freed for reuse
    unless told to trim (a few milliseconds). False where there is no ``malloc_trim``."""
    import gc

    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        trim = None

    def loop() -> None:
        while True:
            time.sleep(every_s)
            gc.collect()
            if trim is not None:
                trim(0)

    threading.Thread(target=loop, name="feedback-release-memory", daemon=True).start()
    return trim is not None


def main(argv: list[str]) -> None:
    release_freed_memory()
    preload()
    # The parsing forkserver (a process of its own, importing the readers: 1-2 s of CPU) starts
    # now, beside what follows, instead of at the first request while the first visitor moves on.
    from feedback import isolation

    isolation.warm_up()
    preload_other_pages()
    prepare_database(argv)
    sys.argv = ["streamlit", "run", str(APP), *argv]
    runpy.run_module("streamlit", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
