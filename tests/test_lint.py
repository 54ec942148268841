"""The code is ruff-clean: `ruff check` with the rules in pyproject.toml ([tool.ruff]) finds nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> str:
    """The ruff of the Python running the tests (the project's venv), else one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.exists() else shutil.which("ruff")
    assert found, "ruff is missing: pip install -r requirements-test.txt"
    return found


def test_ruff_finds_no_problem():
    done = subprocess.run([_ruff(), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
