"""Database tables for roundtable notes (migration 0002).

Documents -> segments -> codes, as in Taguette/QualCoder: an event (with its
details as attributes), its points, and one coding per point per coder. The
rules are stored as a coder ("rules") so their suggestions and a person's
decisions sit side by side and can be compared. Lists are stored as JSON text
so SQLite and PostgreSQL hold them the same way.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db import Base, Versioned, utcnow


class RoundtableEvent(Versioned, Base):
    __tablename__ = "roundtable_event"
    __table_args__ = (CheckConstraint("attendees >= 0 AND partnerships >= 0", name="ck_roundtable_event_counts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    region: Mapped[str] = mapped_column(String(60), index=True)
    event_date: Mapped[dt.date] = mapped_column(Date)
    attendees: Mapped[int] = mapped_column(Integer)
    partnerships: Mapped[int] = mapped_column(Integer)
    panel_lead: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    points: Mapped[list[RoundtablePoint]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                         order_by="RoundtablePoint.seq")


class RoundtablePoint(Versioned, Base):
    __tablename__ = "roundtable_point"
    __table_args__ = (UniqueConstraint("event_id", "seq", name="uq_roundtable_point_event_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("roundtable_event.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20), default="paragraph")
    text: Mapped[str] = mapped_column(Text)
    merged_texts: Mapped[str] = mapped_column(Text, default="[]")
    # The database (migration 0002) holds the foreign key to tracker_item.id; it is left out of the
    # model so this module does not depend on the tracker's models being imported.
    tracker_item_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    event: Mapped[RoundtableEvent] = relationship(back_populates="points")
    codings: Mapped[list[RoundtableCoding]] = relationship(back_populates="point", cascade="all, delete-orphan")

    @property
    def merged(self) -> list[str]:
        return json.loads(self.merged_texts or "[]")


class RoundtableCoding(Versioned, Base):
    """One coder's codes for one point; edited only through ``feedback.db.apply_edit``."""

    __tablename__ = "roundtable_coding"
    __table_args__ = (UniqueConstraint("point_id", "coder", name="uq_roundtable_coding_point_coder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("roundtable_point.id", ondelete="CASCADE"), index=True)
    coder: Mapped[str] = mapped_column(String(200))
    codes: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of sub-theme ids
    matched: Mapped[str] = mapped_column(Text, default="{}")  # JSON {code: [words]} (rules only)
    coded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    point: Mapped[RoundtablePoint] = relationship(back_populates="codings")

    @property
    def code_list(self) -> list[str]:
        return json.loads(self.codes or "[]")


class RoundtableCodebook(Versioned, Base):
    """The theme codebook in force (one row), so edits in the app are shared and versioned."""

    __tablename__ = "roundtable_codebook"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    toml: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
