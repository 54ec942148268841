"""The register of safeguarding partnerships and the yearly reports they sent.

A register is a tidy frame, one row per partnership and reporting year:
``partnership, region, reporting_year, received_on`` (a date, or empty when
no report has arrived). Partnerships with no row for a year count as not
having sent one. The submission rate is a census of all partnerships, not a
sample, so it carries no interval.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd

from feedback import safety
from feedback.audits.framework import normalise_year, year_start
from feedback.errors import InputError
from feedback.regions import REGIONS, normalise_region

REGISTER_COLUMNS = ("partnership", "region", "reporting_year", "received_on")
MAX_ERRORS = 20


def _norm_header(name) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in str(name).strip().casefold()).strip("_")


def read_table(filename: str, content: bytes) -> pd.DataFrame:
    """A CSV or XLSX file as text cells (nothing guessed), headers normalised to snake_case.

    Parsed in a limited child process (``feedback.isolation``).
    """
    if not filename.lower().endswith((".csv", ".xlsx", ".xlsm")):
        raise InputError(f"{filename}: use a .csv or .xlsx file.")
    safety.check_size(filename, content)
    return safety.parse_untrusted(_read_table, filename, content)


def _read_table(filename: str, content: bytes) -> pd.DataFrame:
    lower = filename.lower()
    try:
        if lower.endswith(".csv"):
            safety.csv_field_limit()
            frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
            if frame.shape[1] > safety.MAX_CSV_COLUMNS:
                raise InputError(f"{filename}: {frame.shape[1]:,} columns, more than the {safety.MAX_CSV_COLUMNS:,} "
                                 "this app reads. Delete unused columns and upload it again.")
        elif lower.endswith((".xlsx", ".xlsm")):
            if not content.startswith(b"PK"):
                raise InputError(f"{filename} is named .xlsx but is not an Excel workbook: save it again as .xlsx.")
            content = safety.checked_workbook(filename, content)
            frame = pd.read_excel(io.BytesIO(content), dtype=str, sheet_name=0, engine="calamine").fillna("")
        else:
            raise InputError(f"{filename}: use a .csv or .xlsx file.")
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError(f"{filename} is not UTF-8 text: save it as 'CSV UTF-8' and try again.") from None
    except MemoryError:
        raise
    except BaseException as err:  # noqa: BLE001 - any parser failure (a Rust panic too) is a bad file for the person
        raise InputError(f"{filename} could not be read as a table ({type(err).__name__}: "
                         f"{' '.join(str(err).split())[:160]}). Check it opens in Excel.") from None
    frame.columns = [_norm_header(c) for c in frame.columns]
    return frame.apply(lambda col: col.astype(str).str.strip())


def parse_date(text: str) -> date | None:
    """A date from ISO (2022-05-31) or UK (31/05/2022) text; None when empty; ValueError otherwise."""
    text = str(text).strip()
    if not text or text.lower() in ("nan", "nat", "none"):
        return None
    for fmt, part in (("%Y-%m-%d", text[:10]), ("%d/%m/%Y", text)):
        try:
            return datetime.strptime(part, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def validate_register(frame: pd.DataFrame, filename: str = "register") -> pd.DataFrame:
    """Check a register frame row by row; return it tidy or raise InputError listing the bad rows.

    Row numbers are as a person sees them in the spreadsheet (header = row 1).
    """
    missing = [c for c in ("partnership", "region", "reporting_year") if c not in frame.columns]
    if missing:
        raise InputError(f"{filename} needs the columns {', '.join(REGISTER_COLUMNS)}; "
                         f"missing: {', '.join(missing)}.")
    if "received_on" not in frame.columns:
        frame = frame.assign(received_on="")
    errors: list[str] = []
    rows = []
    region_of: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for i, rec in enumerate(frame.to_dict("records"), start=2):
        name = " ".join(str(rec["partnership"]).split())
        if not name:
            errors.append(f"Row {i}: the partnership name is empty.")
            continue
        region = normalise_region(rec["region"])
        if region is None:
            errors.append(f"Row {i} ({name}): '{rec['region']}' is not an English region; use one of "
                          f"{', '.join(REGIONS)}.")
            continue
        if region_of.setdefault(name, region) != region:
            errors.append(f"Row {i} ({name}): region '{region}' differs from '{region_of[name]}' given "
                          f"earlier for the same partnership.")
        try:
            year = normalise_year(rec["reporting_year"])
        except InputError as err:
            errors.append(f"Row {i} ({name}): {err}")
            continue
        try:
            received = parse_date(rec["received_on"])
        except ValueError:
            errors.append(f"Row {i} ({name}): received date '{rec['received_on']}' is not a date; write it "
                          f"as 2022-05-31 or 31/05/2022, or leave it empty if no report has arrived.")
            continue
        if received is not None and received.year < year_first(year):
            errors.append(f"Row {i} ({name}): the {year} report cannot arrive on {received:%d %B %Y}, "
                          f"before the reporting year began.")
        if (name, year) in seen:
            errors.append(f"Row {i} ({name}): {year} appears twice; keep one row per partnership and year.")
        seen.add((name, year))
        rows.append({"partnership": name, "region": region, "reporting_year": year, "received_on": received})
    if errors:
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        raise InputError(f"{filename}: nothing was imported, fix these rows first{more}: "
                         + " ".join(errors[:MAX_ERRORS]))
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS))


def year_first(year: str) -> int:
    return int(normalise_year(year)[:4])


def read_register(filename: str, content: bytes) -> pd.DataFrame:
    """Read and validate a register file (CSV or XLSX)."""
    return validate_register(read_table(filename, content), filename)


def default_cutoff(year: str) -> date:
    """The day a year's reports are counted as received by: 1 June two years after the reporting
    year began (2020-21 -> 1 June 2022, as chapter 10 of the annual report counts them)."""
    return date(year_start(year) + 2, 6, 1)


def submission_rate(register: pd.DataFrame, year: str, by: date, *, region: str | None = None) -> pd.DataFrame:
    """Share of partnerships that had sent their report for ``year`` on or before ``by``.

    One row per region in the Panel's order, then an "England" total (or only
    the chosen region). The denominator is every partnership on the register
    (a partnership with no row for the year counts as not received).
    Columns: ``region, partnerships, received, rate`` (rate in 0-1).
    """
    year = normalise_year(year)
    by = pd.Timestamp(by)
    partnerships = register.drop_duplicates("partnership")[["partnership", "region"]]
    got = register.loc[(register["reporting_year"] == year)
                       & (pd.to_datetime(register["received_on"]) <= by), "partnership"]
    flags = partnerships.assign(received=partnerships["partnership"].isin(got))
    if region is not None:
        flags = flags[flags["region"] == region]
    per_region = (flags.groupby("region", observed=True)["received"].agg(partnerships="size", received="sum")
                  .reindex([r for r in REGIONS if region in (None, r)]).fillna(0).astype(int).reset_index())
    if region is None:
        total = pd.DataFrame([{"region": "England", "partnerships": len(flags),
                               "received": int(flags["received"].sum())}])
        per_region = pd.concat([per_region, total], ignore_index=True)
    per_region["rate"] = per_region["received"] / per_region["partnerships"].where(per_region["partnerships"] > 0)
    per_region.insert(0, "reporting_year", year)
    per_region.insert(1, "by", by.date())
    return per_region
