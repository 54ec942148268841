"""The database backup download (feedback.backup): admins and the local mode only, refusals logged."""

from __future__ import annotations

import sqlite3

import pytest

from feedback import access, access_log
from feedback.access import User
from feedback.backup import backup_bytes
from feedback.errors import Refused


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_an_admin_gets_a_working_copy_and_an_editor_is_refused_and_logged(engine, tmp_path):
    admin = User("Ada Admin", "ada@example.org", access.ADMIN, signed_in=True)
    editor = User("Ed Editor", "ed@example.org", access.EDITOR, signed_in=True)
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(backup_bytes(engine, admin))
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM access_log").fetchone() == (0,)
    assert backup_bytes(engine, "Local Person")[:16] == b"SQLite format 3\x00"  # a typed name: local mode
    with pytest.raises(Refused, match="Only admins can download or restore a backup"):
        backup_bytes(engine, editor)
    refused = access_log.entries(engine, events=(access_log.REFUSED,))
    assert refused["who"].tolist() == ["Ed Editor"]
