"""Start the app: ``python serve.py [streamlit options]`` is ``python -m streamlit run app.py``
with the app's heavy modules already loaded.

Streamlit imports a page's modules during the first visitor's first run, so on a freshly
started server that visitor waited for pandas, numpy, pyarrow and the survey engine before
the first figure. Loading them before the server listens moves that wait to start-up. Only
modules that do not use Streamlit are loaded here: the page helpers in ``ui/`` need a
running session. ``make run`` and the browser tests start the app this way.
"""

from __future__ import annotations

import importlib
import runpy
import sys
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
    "feedback.survey.codebook", "feedback.survey.rates", "feedback.survey.explorer", "feedback.survey.waves",
    "feedback.charts",
)


def preload(names: tuple[str, ...] = PRELOAD) -> None:
    for name in names:
        importlib.import_module(name)


def main(argv: list[str]) -> None:
    preload()
    sys.argv = ["streamlit", "run", str(APP), *argv]
    runpy.run_module("streamlit", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
