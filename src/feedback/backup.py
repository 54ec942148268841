"""The database backup as a download, for admins only: the backup holds everything,
the access log included.

It sits above ``db`` (which copies the file) and ``access`` (which says who may
have it), so that neither of those imports the other.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import Engine

from feedback import access, access_log, db


def backup_bytes(engine: Engine, who: str | access.User) -> bytes:
    """The SQLite backup as bytes, for a download button, if ``who`` may download it
    (a refusal is written to the access log); see ``db.backup_sqlite``."""
    access.require(who, access.BACKUP, log=access_log.refusals(engine))
    with tempfile.TemporaryDirectory() as folder:
        return db.backup_sqlite(engine, Path(folder) / "backup.sqlite3").read_bytes()
