"""The embedded sample data of every area (tracker items, their survey targets, roundtable
notes, yearly-report audits), stored in an empty database so that a new installation
opens on something to look at. Each area is seeded only while it is empty, and two
processes seeding at once store it once.
"""

from __future__ import annotations

import importlib

from feedback import db

SEEDERS = ("feedback.tracker.seed", "feedback.tracker.targets", "feedback.roundtables.seed",
           "feedback.audits.seed")


def seed_if_empty(engine) -> None:
    """Load each area's embedded sample data into it while that area is empty (idempotent)."""
    for name in SEEDERS:
        importlib.import_module(name).seed_if_empty(engine)


def prepare(engine, *, owner_url: str | None = None) -> None:
    """The schema at the latest migration (run as the tables' owner when given) and the samples
    stored: what the app needs before its first database page, and what ``python -m feedback
    db prepare`` and ``serve.py`` do before the server listens."""
    db.upgrade(engine, owner_url=owner_url)
    seed_if_empty(engine)
