"""Start the app: ``python serve.py [streamlit options]`` is ``python -m streamlit run app.py``
after the app's warm-up (``ui/warmup.py``: the pages' modules, the parsing forkserver and the
database), so no visitor of a fresh server waits for them. ``make run`` and the browser tests
start the app this way.
"""

from __future__ import annotations

import ctypes
import runpy
import sys
import threading
import time
from pathlib import Path

from ui import warmup

APP = Path(__file__).resolve().with_name("app.py")


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
    warmup.warm_up(argv)
    sys.argv = ["streamlit", "run", str(APP), *argv]
    runpy.run_module("streamlit", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
