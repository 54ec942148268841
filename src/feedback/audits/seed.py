"""Load the sample register and audits into an empty database (first run of the app)."""

from __future__ import annotations

from sqlalchemy import func, select

from feedback import db
from feedback.audits.models import Partnership
from feedback.audits.sample import sample_records, sample_register
from feedback.audits.store import add_audits, save_register
from feedback.errors import InputError

SAMPLE_USER = "sample data"
SAMPLE_REASON = "sample built from the published figures"


def seed_if_empty(engine) -> int:
    """Store the sample when no partnership is on the register; returns how many audits were stored."""
    with db.session_scope(engine) as session:
        if session.execute(select(func.count()).select_from(Partnership)).scalar_one():
            return 0
    register = sample_register()
    try:
        save_register(engine, register, SAMPLE_USER, reason=SAMPLE_REASON, is_sample=True)
        return len(add_audits(engine, sample_records(register), SAMPLE_USER, reason=SAMPLE_REASON, is_sample=True))
    except InputError:
        return 0  # another process seeded the sample a moment ago
