"""The figures register: every number the drafted annex states, with where it came from.

Each figure gets a reference (``D4`` for the survey part, ``C2`` for the
roundtables, ``A3`` for the audits) written beside it in the text, and one
row in ``figures.xlsx``: area, question or criterion, group, base, value,
interval, method, test, source file and the source's content hash, so a
reviewer can trace any number in the document back to its table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from feedback.survey.explorer import content_hash  # the sources' hash, as the explorer caches them

COLUMNS = {
    "reference": "Reference",
    "area": "Area",
    "measure": "Question or criterion",
    "group": "Group",
    "base": "Base",
    "base_n": "Base (number)",
    "value": "Value",
    "unit": "Unit",
    "as_written": "As written in the annex",
    "ci_low": "Interval from",
    "ci_high": "Interval to",
    "method": "Method",
    "test": "Test",
    "source_file": "Source file",
    "source_hash": "Source content hash (SHA-256)",
}


@dataclass
class Figures:
    """References handed out in order within each area's letter."""

    rows: list[dict] = field(default_factory=list)
    shorthand: list[str] = field(default_factory=list)  # per row: "[u]" for a low-reliability value, else ""
    _counts: dict[str, int] = field(default_factory=dict)

    def add(self, letter: str, *, area: str, measure: str, value: float, as_written: str, unit: str = "percentage",
            group: str = "", base: str = "", base_n: float | None = None, ci_low: float | None = None,
            ci_high: float | None = None, method: str = "", test: str = "", source_file: str = "",
            source_hash: str = "", shorthand: str = "") -> str:
        """Register one figure; returns the text to write, e.g. ``"87% [D1]"``.

        ``shorthand`` ("[u]") is shown after the number in the workbook's value cell, which stays a number."""
        self._counts[letter] = self._counts.get(letter, 0) + 1
        ref = f"{letter}{self._counts[letter]}"
        self.rows.append({"reference": ref, "area": area, "measure": measure, "group": group, "base": base,
                          "base_n": _number(base_n), "value": _number(value), "unit": unit,
                          "as_written": as_written, "ci_low": _number(ci_low), "ci_high": _number(ci_high),
                          "method": method, "test": test, "source_file": source_file, "source_hash": source_hash})
        self.shorthand.append(shorthand)
        return f"{as_written} [{ref}]"

    def frame(self) -> pd.DataFrame:
        """One row per reference, columns in plain English."""
        df = pd.DataFrame(self.rows, columns=list(COLUMNS))
        return df.rename(columns=COLUMNS)


def _number(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f
