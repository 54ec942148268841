"""The access log: an append-only record of sign-ins and sign-outs, refused
actions, imports and exports (who, when, what, which region).

Like the history, the database itself refuses UPDATE and DELETE on this table
(triggers in migration 0005). Entries about a change (an import) are written in
the change's own transaction with :func:`add`; the others (a refusal, which
rolls its transaction back; a sign-in; an export) with :func:`record`.
Refusals reach the log through :func:`refusals`, the function that
``feedback.access.require`` is given as ``log``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
from sqlalchemy import DateTime, Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from feedback import db
from feedback.access import User, actor, display_name
from feedback.errors import Refused

SIGN_IN, SIGN_OUT, REFUSED, IMPORT, EXPORT = "sign-in", "sign-out", "refused", "import", "export"
EVENTS = (SIGN_IN, SIGN_OUT, REFUSED, IMPORT, EXPORT)
COLUMNS = ["when", "who", "email", "role", "event", "what", "region"]


class AccessEntry(db.Base):
    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=db.utcnow)
    who: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    event: Mapped[str] = mapped_column(String(20), nullable=False)
    what: Mapped[str] = mapped_column(Text, nullable=False, default="")
    region: Mapped[str] = mapped_column(String(200), nullable=False, default="")


def _entry(who: str | User, event: str, what: str, region: str | None) -> AccessEntry:
    if event not in EVENTS:
        raise ValueError(f"Unknown access-log event {event!r}; use one of {', '.join(EVENTS)}.")
    user = actor(who)
    return AccessEntry(at=db.utcnow(), who=_who(user), email=user.email[:200],
                       role=user.role_words[:40] if user.signed_in else "local mode",
                       event=event, what=" ".join(str(what).split()), region=(region or "")[:200])


def _who(user: User) -> str:
    """The "who" column: the name as labels show it (no "@" or round brackets, see
    ``feedback.access.display_name``), else the verified e-mail."""
    return (display_name(user.name) or user.email or "[no name given]")[:200]


def add(session: Session, who: str | User, event: str, what: str, region: str | None = None) -> None:
    """Add an entry to the session: it is kept only if the session's transaction commits."""
    session.add(_entry(who, event, what, region))


def record(bind: Engine | Session, who: str | User, event: str, what: str, region: str | None = None) -> None:
    """Write an entry in its own transaction (kept whatever happens to any other)."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    with db.session_scope(engine) as session:
        add(session, who, event, what, region)


def refusals(bind: Engine | Session) -> Callable[[Refused], None]:
    """The ``log`` for ``feedback.access.require``: writes each refusal to the log in its own
    transaction (the refused change's own transaction is rolled back)."""

    def write(err: Refused) -> None:
        record(bind, err.user or "", REFUSED, str(err), "; ".join(err.regions))

    return write


def signed_in_before(engine: Engine, who: User, what: str) -> bool:
    """Whether this sign-in (same person, same token) is already logged (a reload is not a new sign-in)."""
    with db.session_scope(engine) as session:
        stmt = select(AccessEntry.id).where(AccessEntry.event == SIGN_IN, AccessEntry.who == _who(who),
                                            AccessEntry.email == who.email[:200], AccessEntry.what == what)
        return session.scalar(stmt.limit(1)) is not None


def entries(engine: Engine, *, events: tuple[str, ...] = (), limit: int | None = None) -> pd.DataFrame:
    """The log, newest first (optionally only some events), as a frame with :data:`COLUMNS`."""
    stmt = select(AccessEntry.at, AccessEntry.who, AccessEntry.email, AccessEntry.role, AccessEntry.event,
                  AccessEntry.what, AccessEntry.region).order_by(AccessEntry.at.desc(), AccessEntry.id.desc())
    if events:
        stmt = stmt.where(AccessEntry.event.in_(events))
    if limit:
        stmt = stmt.limit(limit)
    with db.session_scope(engine) as session:
        rows = session.execute(stmt).all()
    return pd.DataFrame(rows, columns=COLUMNS)
