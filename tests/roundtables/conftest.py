"""Shared helpers for roundtable tests: small .docx builders and the sample."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "data" / "roundtables"


def make_docx(build) -> bytes:
    """Run ``build(document)`` on a fresh python-docx Document and return the bytes."""
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
