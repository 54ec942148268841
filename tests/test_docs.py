"""The docs stay true: every module, function and file that docs/architecture.md,
docs/contracts.md and CONTRIBUTING.md name in backticks exists.

Checked: dotted names starting with ``feedback.`` or ``ui.``, or with one of the package's own
modules (`survey.rates.rates_by_group` is read as `feedback.survey.rates.rates_by_group`): the
module must import and each further part be an attribute. Paths of files or folders in the
project's folders (`src/feedback/survey/rates.py`, `pages/upload.py`, `tests/pages/`), and file
names such as `export.py` found at the root or in src/feedback. Fenced code blocks are left out
(they show commands, not names).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["docs/architecture.md", "docs/contracts.md", "CONTRIBUTING.md"]

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
SPAN = re.compile(r"`([^`\n]+)`")
PACKAGE = ROOT / "src" / "feedback"
#: The package's own modules and sub-packages: `survey.read.read_survey` means feedback.survey.read....
OWN = sorted(({p.stem for p in PACKAGE.glob("*.py")}
              | {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()})
             - {"__init__", "__main__"})
#: `feedback.survey.rates.rates_by_group`, `feedback.download_pack.survey_annex(...)`: the name before any call.
DOTTED = re.compile(r"^((?:feedback|ui|" + "|".join(OWN) + r")(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?:\(.*\))?$")
FOLDERS = ("src", "pages", "ui", "tests", "docs", "data", "scripts", "tools", ".streamlit", ".ci")
#: A path in one of the project's folders: letters, digits, dots, dashes and underscores only.
PATH = re.compile(r"^(?:" + "|".join(re.escape(f) for f in FOLDERS) + r")/(?:[A-Za-z0-9_.-]+/?)*$")
#: `annex.docx`, `export.py`: a file's name, not a module's attribute.
FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.(?:py|md|toml|txt|csv|xlsx|docx|ods|zip|json|sav|sqlite3|png|svg)$")
#: A file named on its own (`export.py`, `app.py`, `pyproject.toml`): at the root or in the package.
FILE = re.compile(r"^[A-Za-z0-9_]+\.(?:py|md|toml)$")


def spans(doc: str) -> list[str]:
    text = FENCE.sub("", (ROOT / doc).read_text(encoding="utf-8"))
    return SPAN.findall(text)


def names_and_paths(doc: str) -> tuple[list[str], list[str]]:
    names, paths = [], []
    for span in spans(doc):
        span = span.strip()
        if (m := DOTTED.match(span)) and not FILE_NAME.match(span):
            name = m.group(1)
            names.append(name if name.startswith(("feedback.", "ui.")) else f"feedback.{name}")
        elif PATH.match(span) or FILE.match(span):
            paths.append(span)
    return sorted(set(names)), sorted(set(paths))


def resolves(dotted: str) -> bool:
    """The longest importable module prefix of DOTTED, then each remaining part as an attribute."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS)
def test_every_named_module_and_function_exists(doc):
    names, _ = names_and_paths(doc)
    missing = [n for n in names if not resolves(n)]
    assert not missing, f"{doc} names what does not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_named_file_exists(doc):
    _, paths = names_and_paths(doc)
    missing = [p for p in paths if not (ROOT / p).exists() and not (FILE.match(p) and (PACKAGE / p).exists())]
    assert not missing, f"{doc} names files that do not exist: {missing}"


def test_the_checks_find_names_and_paths_and_catch_a_wrong_one(tmp_path, monkeypatch):
    """The parser sees through a call and leaves fenced blocks out; a missing name fails."""
    doc = tmp_path / "doc.md"
    doc.write_text("`feedback.survey.rates.rates_by_group(frame)` and `pages/upload.py`, `feedback.nothing_here`,\n"
                   "`survey.read.read_survey`, `C11-1/1` (a reference, not a path)\n"
                   "```\n`feedback.in_a_fence`\n```\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    names, paths = names_and_paths("doc.md")
    assert names == ["feedback.nothing_here", "feedback.survey.rates.rates_by_group",
                     "feedback.survey.read.read_survey"]
    assert paths == ["pages/upload.py"]
    assert resolves("feedback.survey.rates.rates_by_group") and not resolves("feedback.nothing_here")
    assert not resolves("feedback.survey.rates.no_such_function")


def test_the_figure_traced_in_the_architecture_map_is_what_the_code_gives():
    """docs/architecture.md follows one figure from the file to the annex: its count, percentage,
    interval and annex reference are worked out again here, so the map cannot drift from the code."""
    from feedback.report import build
    from feedback.survey import examples, loading, views
    from feedback.survey.settings import Settings

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    m = re.search(r"Traced: `(\w+)`, Total, n = (\d+), (\d+)% \(([\d.]+)% to ([\d.]+)%\), \[(D\d+)\]", text)
    assert m, "the traced figure's line is missing from docs/architecture.md"
    question, n, pct, low, high, ref = m.groups()
    example = next(e for e in examples.EXAMPLES if e.data_file == "partners_2021.sav")
    content, codebook = examples.example_files(example)
    survey = loading.load_survey(example.data_file, content, codebook)
    res = views.results(survey, grouping="Role", settings=Settings())
    row = res[(res["question"] == question) & (res["group"] == "Total")].iloc[0]
    assert (int(row["n"]), round(100 * row["p"])) == (int(n), int(pct))
    assert (round(100 * row["ci_low"], 1), round(100 * row["ci_high"], 1)) == (float(low), float(high))
    figures = build.build_annex(parts=("survey",)).figures  # the default annex: every example survey
    found = figures[(figures["Reference"] == ref)].iloc[0]
    assert found["As written in the annex"] == f"{pct}%" and found["Base (number)"] == int(n)
    assert "remit" in found["Question or criterion"]
