"""Plain helpers for the roundtable tests: where the sample and the notes corpus are, a small
.docx builder, and two of the Panel's responses the corpus uses (the fixtures are in conftest.py)."""

from __future__ import annotations

import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "data" / "roundtables"
CORPUS = ROOT / "tests" / "fixtures" / "notes_corpus"

TIMESCALES = ("The Panel recognise it is a challenge but overall, timescales are improving and more safeguarding "
              "partnerships are now managing to meet the 15 day timeframe.")
SHARING = ("The Panel is keen to identify barriers to timely and appropriate information sharing and will raise "
           "them with government.")


def make_docx(build) -> bytes:
    """Run ``build(document)`` on a fresh python-docx Document and return the bytes."""
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
