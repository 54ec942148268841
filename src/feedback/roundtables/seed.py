"""Load the sample roundtable notes and the seeded codebook into an empty database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from feedback import db
from feedback.errors import InputError
from feedback.isolation import in_process
from feedback.roundtables.models import RoundtableEvent
from feedback.roundtables.store import import_files, seed_codebook

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "data" / "roundtables"
SAMPLE_USER = "sample data"


def sample_files() -> list[Path]:
    return sorted(SAMPLE_DIR.glob("*.docx"))


def seed_if_empty(engine) -> int:
    """Import the 10 sample events when no event is stored; returns how many were imported."""
    with db.session_scope(engine) as session:
        if session.execute(select(func.count()).select_from(RoundtableEvent)).scalar_one():
            return 0
        seed_codebook(session, SAMPLE_USER)
    try:
        with in_process():  # the app's own files: read without a child process
            return len(import_files(engine, [(p.name, p.read_bytes()) for p in sample_files()], SAMPLE_USER))
    except InputError:
        # Another process seeded the same files a moment ago (content hashes are unique).
        return 0
