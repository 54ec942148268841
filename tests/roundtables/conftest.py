"""Fixtures shared by the roundtable tests: the sample generator and the sample files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.roundtables.helpers import ROOT, SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_generator():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_sample_roundtables
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return make_sample_roundtables


@pytest.fixture(scope="session")
def sample_files() -> list[Path]:
    return sorted(SAMPLE_DIR.glob("*.docx"))
