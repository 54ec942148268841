"""Checking audits before they are stored: one from the form, or many from a spreadsheet.

Both paths go through :func:`validate_audit` with the same field names (the
spreadsheet's column headers), so a rule is written once. A spreadsheet is
checked row by row in full before anything is stored; any bad row stops the
whole import, with every problem listed by row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from feedback.audits.framework import EVIDENCED, SCORES, Framework, normalise_year, score_id
from feedback.audits.register import MAX_ERRORS, parse_date, read_table
from feedback.errors import InputError

MAX_PAGE = 30
MAX_QUOTE = 1000
MAX_NOTES = 4000
_PAGE = re.compile(r"^(pp?\.?\s*)?\d{1,4}(\s*[-–,]\s*\d{1,4})*$", re.IGNORECASE)


class Problem(str):
    """One problem found in an audit: the whole sentence, naming the audit (as messages and imports
    show it), which also knows the field it is about and the sentence without the audit's name, so
    that the entry form can show it beside that field."""

    field: str | None
    detail: str

    def __new__(cls, where: str, detail: str, field: str | None = None):
        problem = super().__new__(cls, f"{where}: {detail}")
        problem.field, problem.detail = field, detail
        return problem


def by_field(problems: list[str]) -> dict[str | None, list[str]]:
    """Problems grouped by the field they are about (None: the audit as a whole), each once."""
    out: dict[str | None, list[str]] = {}
    for problem in problems:
        key, detail = (problem.field, problem.detail) if isinstance(problem, Problem) else (None, str(problem))
        if detail not in out.setdefault(key, []):
            out[key].append(detail)
    return out


@dataclass
class CriterionScore:
    score: str          # "fully" | "partly" | "not"
    page: str = ""
    quote: str = ""


@dataclass
class AuditRecord:
    """One validated audit of one partnership's yearly report."""

    partnership: str
    reporting_year: str
    framework: str
    auditor: str
    audited_on: date | None
    scores: dict[str, CriterionScore]
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: str = ""


def columns(framework: Framework) -> list[str]:
    """The spreadsheet's columns, in order: who and when, the scores, the coded lists, notes."""
    cols = ["partnership", "reporting_year", "auditor", "audited_on"]
    for c in framework.criteria:
        cols += [c.id, f"{c.id}_page", f"{c.id}_quote"]
    return cols + [lst.id for lst in framework.lists] + ["notes"]


def template_frame(framework: Framework) -> pd.DataFrame:
    """An empty audit spreadsheet with one example-free header row, for people to fill in."""
    return pd.DataFrame(columns=columns(framework))


def _split_codes(value) -> list[str]:
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    parts = [p.strip() for p in re.split(r"[;\n]", str(value or "")) if p.strip()]
    return parts


def _codes(value, lst, where: str, errors: list[str]) -> tuple[str, ...]:
    by_key = {c.id.casefold(): c.id for c in lst.codes} | {c.label.casefold(): c.id for c in lst.codes}
    found: list[str] = []
    for part in _split_codes(value):
        pieces = [part] if part.casefold() in by_key else [p.strip() for p in part.split(",") if p.strip()]
        for piece in pieces:
            code = by_key.get(piece.casefold())
            if code is None:
                errors.append(Problem(where, f"'{piece}' is not in the list of {lst.name.lower()} "
                                             f"({'; '.join(c.label for c in lst.codes)}).", lst.id))
            elif code not in found:
                found.append(code)
    return tuple(found)


def validate_audit(values: dict, framework: Framework, partnerships: dict[str, str] | None = None,
                   where: str = "The audit") -> tuple[AuditRecord | None, list[str]]:
    """Check one audit's values; return (record, []) or (None, plain-English problems).

    ``partnerships`` maps register names to regions; when given, the
    partnership must be on it (matched ignoring case and spacing).
    """
    errors: list[str] = []
    v = {k: ("" if (not isinstance(x, (list, tuple)) and pd.isna(x)) else x) for k, x in values.items()}
    name = " ".join(str(v.get("partnership", "")).split())
    label = f"{where} ({name})" if name else where
    if not name:
        errors.append(Problem(where, "the partnership is empty.", "partnership"))
    elif partnerships is not None:
        lookup = {p.casefold(): p for p in partnerships}
        if name.casefold() not in lookup:
            errors.append(Problem(label, "this partnership is not on the register; add it to the register first "
                                         "or correct the spelling.", "partnership"))
        else:
            name = lookup[name.casefold()]
    year = ""
    try:
        year = normalise_year(v.get("reporting_year", ""))
        if not framework.covers(year):
            errors.append(Problem(label, f"{year} reports are not audited against {framework.short_name} "
                                         f"(it covers {framework.first_year} to {framework.last_year or 'now'}).",
                                  "reporting_year"))
    except InputError as err:
        errors.append(Problem(label, str(err), "reporting_year"))
    auditor = " ".join(str(v.get("auditor", "")).split())
    if not auditor:
        errors.append(Problem(label, "say who carried out the audit (auditor).", "auditor"))
    audited_on = None
    try:
        audited_on = parse_date(v.get("audited_on", ""))
        if audited_on and audited_on > date.today():
            errors.append(Problem(label, f"the audit date {audited_on:%d %B %Y} is in the future.", "audited_on"))
    except ValueError:
        errors.append(Problem(label, f"audit date '{v.get('audited_on')}' is not a date; write it as 2022-07-15 "
                                     "or 15/07/2022, or leave it empty.", "audited_on"))
    scores: dict[str, CriterionScore] = {}
    for c in framework.criteria:
        raw = str(v.get(c.id, "")).strip()
        page = str(v.get(f"{c.id}_page", "")).strip()
        quote = " ".join(str(v.get(f"{c.id}_quote", "")).split())
        score = score_id(raw)
        if not raw:
            errors.append(Problem(label, f"'{c.label}' has no score; choose {', '.join(SCORES.values())}.", c.id))
            continue
        if score is None:
            errors.append(Problem(label, f"'{c.label}' is scored '{raw}'; use {', '.join(SCORES.values())}.", c.id))
            continue
        if score in EVIDENCED and not page:
            errors.append(Problem(label, f"'{c.label}' is {SCORES[score].lower()} but has no page reference; "
                                         "give the page of the report where the evidence is.", f"{c.id}_page"))
        elif page and not _PAGE.match(page):
            errors.append(Problem(label, f"page reference '{page[:MAX_PAGE]}' for '{c.label}' should be a page "
                                         "number or range, like 12, 12-14 or pp. 3, 7.", f"{c.id}_page"))
        if len(quote) > MAX_QUOTE:
            errors.append(Problem(label, f"the quote for '{c.label}' is {len(quote)} characters; keep it under "
                                         f"{MAX_QUOTE}.", f"{c.id}_quote"))
        scores[c.id] = CriterionScore(score, page, quote)
    codes = {lst.id: _codes(v.get(lst.id, ""), lst, label, errors) for lst in framework.lists}
    notes = str(v.get("notes", "")).strip()
    if len(notes) > MAX_NOTES:
        errors.append(Problem(label, f"the notes are {len(notes)} characters; keep them under {MAX_NOTES}.", "notes"))
    unknown = sorted(k for k in values if k and k not in set(columns(framework)) | {"region", "framework"})
    if unknown:
        errors.append(Problem(where, f"unexpected column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                                     f"the {framework.short_name} audit sheet has {', '.join(columns(framework)[:4])}, "
                                     "then a score, _page and _quote column per criterion."))
    if errors:
        return None, errors
    return AuditRecord(name, year, framework.id, auditor, audited_on, scores, codes, notes), []


def validate_audits(frame: pd.DataFrame, framework: Framework, partnerships: dict[str, str] | None = None,
                    filename: str = "the spreadsheet") -> list[AuditRecord]:
    """Every row checked; all records, or InputError listing the problems (and nothing kept)."""
    if frame.empty:
        raise InputError(f"{filename} has no audits in it: fill in one row per report below the headers.")
    missing = [c for c in ("partnership", "reporting_year") + tuple(c.id for c in framework.criteria)
               if c not in frame.columns]
    if missing:
        raise InputError(f"{filename} is missing the column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)}: start from the template the page offers.")
    records, errors = [], []
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(frame.to_dict("records"), start=2):
        if not any(str(x).strip() for x in row.values()):
            continue  # blank spreadsheet rows are not audits
        record, problems = validate_audit(row, framework, partnerships, where=f"Row {i}")
        errors += problems
        if record:
            key = (record.partnership, record.reporting_year)
            if key in seen:
                errors.append(f"Row {i} ({record.partnership}): the {record.reporting_year} report is also "
                              f"audited in row {seen[key]}; keep one row per report.")
            seen[key] = i
            records.append(record)
    if errors:
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        raise InputError(f"{filename}: nothing was imported; fix {'these rows' if len(errors) > 1 else 'this'} "
                         f"first{more}: " + " ".join(errors[:MAX_ERRORS]))
    return records


def read_audits(filename: str, content: bytes, framework: Framework,
                partnerships: dict[str, str] | None = None) -> list[AuditRecord]:
    """Read a CSV/XLSX of audits (one row per report) and validate every row."""
    return validate_audits(read_table(filename, content), framework, partnerships, filename)


def records_to_frames(records: list[AuditRecord], regions: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Tidy frames the summaries use: ``audits``, ``scores`` (audit x criterion), ``codes`` (audit x code)."""
    audits = pd.DataFrame(
        [{"audit_id": n, "partnership": r.partnership, "region": regions.get(r.partnership, ""),
          "reporting_year": r.reporting_year, "framework": r.framework, "auditor": r.auditor,
          "audited_on": r.audited_on} for n, r in enumerate(records, start=1)],
        columns=["audit_id", "partnership", "region", "reporting_year", "framework", "auditor", "audited_on"])
    scores = pd.DataFrame(
        [{"audit_id": n, "criterion": cid, "score": s.score, "page": s.page, "quote": s.quote}
         for n, r in enumerate(records, start=1) for cid, s in r.scores.items()],
        columns=["audit_id", "criterion", "score", "page", "quote"])
    codes = pd.DataFrame(
        [{"audit_id": n, "list": lid, "code": code}
         for n, r in enumerate(records, start=1) for lid, cs in r.codes.items() for code in cs],
        columns=["audit_id", "list", "code"])
    return {"audits": audits, "scores": scores, "codes": codes}


def record_to_row(record: AuditRecord, framework: Framework) -> dict:
    """One record back as a spreadsheet row (the inverse of validate_audit), for export."""
    row = {"partnership": record.partnership, "reporting_year": record.reporting_year,
           "auditor": record.auditor, "audited_on": record.audited_on.isoformat() if record.audited_on else ""}
    for c in framework.criteria:
        s = record.scores.get(c.id)
        row[c.id] = SCORES[s.score] if s else ""
        row[f"{c.id}_page"] = s.page if s else ""
        row[f"{c.id}_quote"] = s.quote if s else ""
    for lst in framework.lists:
        row[lst.id] = "; ".join(lst.labels()[c] for c in record.codes.get(lst.id, ()))
    row["notes"] = record.notes
    return row
