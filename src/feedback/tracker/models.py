"""Tracker tables (migration 0001): an item raised, the Panel's response, the actions.

The response decision is kept apart from the actions and their status, as in
government responses to recommendations. Every row is ``Versioned`` so edits
go through :func:`feedback.db.apply_edit` and are never lost.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db import Base, Versioned, utcnow
from feedback.tracker.choices import (  # noqa: F401 - the lists and list storage, as the models use them
    DECISIONS,
    LIST_SEPARATOR,
    OPEN_STATUSES,
    RAGS,
    SOURCES,
    STATUSES,
    join_list,
    split_list,
)


class _Audited(Versioned):
    is_sample: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class Item(_Audited, Base):
    """A point raised or a recommendation. ``regions``/``themes`` are "; "-separated lists
    (empty regions = national, shown under every region)."""

    __tablename__ = "tracker_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))
    source_detail: Mapped[str] = mapped_column(String(300), default="")
    date_raised: Mapped[dt.date | None] = mapped_column(Date)
    regions: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[Response | None] = relationship(back_populates="item", uselist=False,
                                                     cascade="all, delete-orphan")
    actions: Mapped[list[Action]] = relationship(back_populates="item", cascade="all, delete-orphan",
                                                 order_by="Action.id")


class Response(_Audited, Base):
    """The Panel's decision on an item (one per item) and its wording."""

    __tablename__ = "tracker_response"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("tracker_item.id", ondelete="CASCADE"), unique=True)
    decision: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    # Shown in the public progress record (migration 0006); setting it is an edit, in history.
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    item: Mapped[Item] = relationship(back_populates="response")


class Action(_Audited, Base):
    """What will be done about an item; complete only with evidence recorded.

    ``due_date`` is the original target date, ``revised_due_date`` the revised one (the
    current target is the revised date when there is one); a new target date is saved
    only with a reason (``revision_reason``), see ``feedback.tracker.service.edit``."""

    __tablename__ = "tracker_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("tracker_item.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    revised_due_date: Mapped[dt.date | None] = mapped_column(Date)
    completion_criteria: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default="not started")
    rag: Mapped[str] = mapped_column(String(10), default="")
    # Migration 0006: the public reason for the current revised target date (every earlier
    # one is in the history), and the day the action was completed (for "on time").
    revision_reason: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[dt.date | None] = mapped_column(Date)

    item: Mapped[Item] = relationship(back_populates="actions")
