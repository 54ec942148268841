"""Database tables for the register and the audits (migration 0003).

Register: a partnership (with its region) and, per reporting year, the date
its yearly report arrived. Audit: one per partnership and reporting year,
scored against one framework edition; its scores (one per criterion) and the
codes ticked in the framework's coded lists hang off it. Scores and register
rows are ``Versioned`` so corrections go through ``feedback.db.apply_edit``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.db import Base, Versioned, utcnow


class Partnership(Versioned, Base):
    __tablename__ = "audit_partnership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    region: Mapped[str] = mapped_column(String(60), index=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)

    reports: Mapped[list[YearlyReport]] = relationship(back_populates="partnership", cascade="all, delete-orphan")


class YearlyReport(Versioned, Base):
    """A partnership's yearly report for one reporting year; ``received_on`` empty until it arrives."""

    __tablename__ = "audit_yearly_report"
    __table_args__ = (UniqueConstraint("partnership_id", "reporting_year", name="uq_audit_yearly_report"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("audit_partnership.id", ondelete="CASCADE"), index=True)
    reporting_year: Mapped[str] = mapped_column(String(7), index=True)
    received_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    partnership: Mapped[Partnership] = relationship(back_populates="reports")


class Audit(Versioned, Base):
    """One audit of one yearly report against one edition of the framework."""

    __tablename__ = "audit"
    __table_args__ = (UniqueConstraint("partnership_id", "reporting_year", name="uq_audit_report"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("audit_partnership.id", ondelete="RESTRICT"), index=True)
    reporting_year: Mapped[str] = mapped_column(String(7), index=True)
    framework: Mapped[str] = mapped_column(String(32))
    auditor: Mapped[str] = mapped_column(String(300))
    audited_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_by: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    scores: Mapped[list[AuditScore]] = relationship(back_populates="audit", cascade="all, delete-orphan")
    codes: Mapped[list[AuditCode]] = relationship(back_populates="audit", cascade="all, delete-orphan")


class AuditScore(Versioned, Base):
    __tablename__ = "audit_score"
    __table_args__ = (UniqueConstraint("audit_id", "criterion", name="uq_audit_score"),
                      CheckConstraint("score IN ('fully', 'partly', 'not')", name="ck_audit_score_score"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(64))
    score: Mapped[str] = mapped_column(String(10))
    page: Mapped[str] = mapped_column(String(30), default="")
    quote: Mapped[str] = mapped_column(Text, default="")

    audit: Mapped[Audit] = relationship(back_populates="scores")


class AuditCode(Base):
    """A code ticked in one of the framework's coded lists (priorities, practice themes)."""

    __tablename__ = "audit_code"
    __table_args__ = (UniqueConstraint("audit_id", "list", "code", name="uq_audit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    list: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))

    audit: Mapped[Audit] = relationship(back_populates="codes")


class AuditFinding(Base):
    """A finding from the audits raised as a tracker item (the item holds the text and its progress)."""

    __tablename__ = "audit_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The foreign key to tracker_item.id is in migration 0003; left out of the model so this module
    # does not import the tracker's models.
    tracker_item_id: Mapped[int] = mapped_column(Integer, index=True)
    reporting_year: Mapped[str] = mapped_column(String(7))
    criterion: Mapped[str] = mapped_column(String(64), default="")
    raised_by: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
