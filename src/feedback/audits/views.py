"""The yearly-report audits page's model (no Streamlit): the headline figures, every table
the page shows (named for people, shares marked as percentages), an audit's scores and
its history, and the two corrections the page offers, with a refusal in plain words.

The figures themselves come from :mod:`feedback.audits.summaries` and
:mod:`feedback.audits.register`; the page caches those calls and draws what comes back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from feedback import access, db
from feedback.audits import figures, store, summaries
from feedback.audits.entry import AuditRecord, record_to_row
from feedback.audits.framework import (
    DEFAULT_EDITION,
    SCORES,
    Framework,
    load_framework,
    reporting_years,
)
from feedback.audits.register import default_cutoff, submission_rate
from feedback.errors import InputError
from feedback.regions import REGIONS

COLUMN_NAMES = {
    "reporting_year": "Reporting year", "region": "Region", "theme": "Theme", "label": "Criterion",
    "n": "Reports audited", "fully": "Fully", "partly": "Partly", "not_evidenced": "Not evidenced",
    "evidenced": "Fully or partly", "p": "Share fully or partly", "ci_low": "Interval from", "ci_high": "Interval to",
    "p_fully": "Share fully", "fully_ci_low": "Fully: interval from", "fully_ci_high": "Fully: interval to",
    "flag": "Flag ([c] under 10 reports, [u] under 30)",
    "england_evidenced": "England: fully or partly", "england_n": "England: reports audited",
    "england_p": "England: share fully or partly", "england_ci_low": "England: interval from",
    "england_ci_high": "England: interval to", "england_flag": "England: flag"}
PERCENT = ("Share fully or partly", "Interval from", "Interval to", "England: share fully or partly",
           "England: interval from", "England: interval to")
FULLY_PERCENT = ("Share fully", "Fully: interval from", "Fully: interval to")
CODES_PERCENT = ("Share", "Interval from", "Interval to", "England: share")
RATE_PERCENT = ("Rate",)
BY_REGION = ["region", "label", "n", "fully", "partly", "not_evidenced", "evidenced", "p", "ci_low", "ci_high", "flag"]


def year_choices(frames: dict, today: dt.date) -> tuple[list[str], list[str]]:
    """(the reporting years to choose from, newest first: those with data, else every year allowed;
    the years an audit may be entered for, oldest first)."""
    in_data = sorted(set(frames["audits"]["reporting_year"]) | set(frames["register"]["reporting_year"]),
                     reverse=True)
    allowed = reporting_years(load_framework(DEFAULT_EDITION).first_year, today)
    return in_data or allowed[::-1], allowed


@dataclass(frozen=True)
class Headline:
    """The four numbers at the top of the page."""

    audited: int
    cutoff: dt.date
    partnerships: int
    received: int
    rate: float | None  # None: nobody on the register


def headline(frames: dict, year: str, region: str | None) -> Headline:
    """Reports audited for ``year`` and the submission rate by the default cut-off."""
    cutoff = default_cutoff(year)
    total = submission_rate(frames["register"], year, cutoff, region=region).iloc[-1]
    partnerships = int(total["partnerships"])
    return Headline(len(summaries.select_audits(frames, year=year, region=region)), cutoff, partnerships,
                    int(total["received"]), float(total["rate"]) if partnerships else None)


def summary_table(summary: pd.DataFrame, england: pd.DataFrame | None = None) -> pd.DataFrame:
    """The criteria table: a region's figures with England's beside them when ``england`` is given."""
    if england is not None:
        summary = summaries.with_england(summary, england)
    return summary.drop(columns=["criterion"]).rename(columns=COLUMN_NAMES)


def percent_columns(table: pd.DataFrame) -> tuple[str, ...]:
    """The columns of a table that hold shares (shown and exported as percentages)."""
    shares = dict.fromkeys((*PERCENT, *FULLY_PERCENT, *CODES_PERCENT, *RATE_PERCENT))
    return tuple(c for c in shares if c in table.columns)


def codes_table(freq: pd.DataFrame, list_name: str, england: pd.DataFrame | None = None) -> pd.DataFrame:
    """How often each code of a coded list was ticked, most common first; with ``england`` (the same
    list's frequencies for all regions), England's count, base and share beside the region's."""
    table = freq[["reporting_year", "code", "label", "count", "n", "p", "ci_low", "ci_high", "rank", "flag"]]
    extra = []
    if england is not None:
        extra = ["england_count", "england_n", "england_p", "england_flag"]
        table = table.merge(england[["reporting_year", "code", "count", "n", "p", "flag"]].rename(
            columns=lambda c: c if c in ("reporting_year", "code") else f"england_{c}"),
            on=["reporting_year", "code"], how="left")
    return table[["label", "count", "n", "p", "ci_low", "ci_high", "rank", "flag", *extra]].rename(columns={
        "label": list_name, "count": "Reports", "n": "Reports audited", "p": "Share", "ci_low": "Interval from",
        "ci_high": "Interval to", "rank": "Rank", "flag": COLUMN_NAMES["flag"], "england_count": "England: reports",
        "england_n": "England: reports audited", "england_p": "England: share", "england_flag": "England: flag"})


def regions_in(by_region: pd.DataFrame) -> list[str]:
    """The regions with audits in a by-region summary, in the Panel's order (England last, when there)."""
    found = set(by_region["region"])
    return [r for r in (*REGIONS, figures.ENGLAND) if r in found]


def by_region_with_england(by_region: pd.DataFrame, england: pd.DataFrame) -> pd.DataFrame:
    """A region's criteria by region (its one column) with England's as a second column, the
    criteria the region has, for the region view's table chart."""
    eng = england.merge(by_region[["reporting_year", "criterion"]].drop_duplicates(),
                        on=["reporting_year", "criterion"])
    return pd.concat([by_region, eng.assign(region=figures.ENGLAND)[by_region.columns]], ignore_index=True)


def rate_with_england(rate: pd.DataFrame, all_rates: pd.DataFrame) -> pd.DataFrame:
    """A region's submission rate with England's (the last row of ``all_rates``) below it."""
    return pd.concat([rate, all_rates[all_rates["region"] == figures.ENGLAND]], ignore_index=True)


def region_table(by_region: pd.DataFrame) -> pd.DataFrame:
    """The criteria by region."""
    return by_region[BY_REGION].rename(columns=COLUMN_NAMES)


def years_table(yoy: pd.DataFrame, england: pd.DataFrame | None = None) -> pd.DataFrame:
    """The criteria year against year, with England's figures beside a region's when given."""
    extra = []
    if england is not None:
        yoy, extra = summaries.with_england(yoy, england), list(summaries.ENGLAND_COLUMNS.values())
    return yoy[["reporting_year", *BY_REGION[1:], *extra]].rename(columns=COLUMN_NAMES)


def rate_table(rate: pd.DataFrame) -> pd.DataFrame:
    """The submission rate by region."""
    return rate.rename(columns={"reporting_year": "Reporting year", "by": "Received by", "region": "Region",
                                "partnerships": "Partnerships", "received": "Reports received", "rate": "Rate"})


def register_rows(register: pd.DataFrame, year: str, region: str | None) -> pd.DataFrame:
    """The register's rows for one reporting year (and region), with ids and versions for edits."""
    return register[(register["reporting_year"] == year) & ((register["region"] == region) if region else True)]


def register_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The register as people read it."""
    return rows[["partnership", "region", "reporting_year", "received_on"]].rename(columns={
        "partnership": "Partnership", "region": "Region", "reporting_year": "Reporting year",
        "received_on": "Received on"})


def audits_of(frames: dict, framework: Framework, year: str, region: str | None) -> pd.DataFrame:
    """One row per audit of the year (and region), its scores in words, with ``audit_id``."""
    table = store.audit_table(frames, framework)
    return table[(table["reporting_year"] == year) & ((table["region"] == region) if region else True)]


def audits_table(audits: pd.DataFrame) -> pd.DataFrame:
    """The audits as people read them."""
    return audits.drop(columns=["audit_id"]).rename(columns={
        "partnership": "Partnership", "region": "Region", "reporting_year": "Reporting year", "auditor": "Auditor",
        "audited_on": "Audited on"})


def import_preview(records: list[AuditRecord], framework: Framework) -> pd.DataFrame:
    """Audits read from a spreadsheet, one row each as in the template, before they are imported."""
    return pd.DataFrame([record_to_row(r, framework) for r in records])


def scores_of(frames: dict, audit_id: int) -> pd.DataFrame:
    """One audit's score rows (with ``score_id`` and ``version`` for a correction)."""
    return frames["scores"][frames["scores"]["audit_id"] == audit_id]


def score_table(scores: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """One audit's scores as people read them."""
    return pd.DataFrame({"Criterion": scores["criterion"].map(lambda c: framework.criterion(c).label),
                         "Score": scores["score"].map(SCORES), "Page": scores["page"], "Quote": scores["quote"]})


def audit_history(engine, audit_id: int, scores: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Every change to an audit and its scores, oldest first, each named (the audit, or its criterion)."""
    what = {("audit", int(audit_id)): "audit"} | {
        ("audit_score", int(s)): framework.criterion(c).label for s, c in zip(scores["score_id"], scores["criterion"],
                                                                              strict=True)}
    found = store.histories(engine, list(what))
    found["what"] = [what[key] for key in zip(found["entity"], found["entity_id"], strict=True)]
    return found.sort_values("changed_at", kind="stable")[[
        "changed_at", "changed_by", "what", "field", "old_value", "new_value", "reason"]].rename(columns={
            "changed_at": "When", "changed_by": "Who", "what": "What", "field": "Field", "old_value": "Old value",
            "new_value": "New value", "reason": "Reason"})


def findings_table(engine) -> pd.DataFrame:
    """Findings already raised as tracker items."""
    return store.findings(engine).rename(columns={
        "tracker_item_id": "Tracker item", "reporting_year": "Reporting year", "criterion": "Criterion",
        "raised_by": "Raised by", "raised_at": "Raised at"})


def set_received(engine, rows: pd.DataFrame, report_id: int, received: dt.date | None,
                 who: str | access.User, reason: str = "") -> None:
    """Record the date a report arrived, against the version shown in ``rows``; a change made
    meanwhile by someone else is refused (InputError) with what the register now says."""
    seen = int(rows.set_index("report_id").loc[report_id, "version"])
    try:
        store.set_received(engine, int(report_id), seen, received, who, reason)
    except db.StaleEdit as err:
        raise InputError(f"{err} It now says: received on {err.current.get('received_on') or 'not yet'}.") from None


def correct_score(engine, scores: pd.DataFrame, criterion: str, changes: dict, framework: Framework,
                  who: str | access.User, reason: str = "") -> None:
    """Correct one criterion's score, page or quote against the version shown in ``scores``; a
    change made meanwhile by someone else is refused (InputError) with what the audit now says."""
    row = scores.set_index("criterion").loc[criterion]
    try:
        store.edit_score(engine, int(row["score_id"]), int(row["version"]), changes, framework, who, reason)
    except db.StaleEdit as err:
        raise InputError(f"{err} It now says: {SCORES.get(err.current.get('score'))},"
                         f" page {err.current.get('page') or '-'}.") from None
