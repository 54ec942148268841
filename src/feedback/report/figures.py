"""The figures register: every number the drafted annex states, with where it came from.

Each figure gets a reference written beside it in the text, and one row in
``figures.xlsx``: area, question or criterion, group, region, base, value,
interval, method, test, source file and the source's content hash, so a
reviewer can trace any number in the document back to its table.

References are stable and run in reading order:

- The letter says where the figure is: ``C`` in Annex C (roundtable
  feedback), ``D`` in Annex D (survey findings), ``R`` in the yearly-report
  audits' key figures. ``R`` (for yearly Reports), not ``A``: the annual
  report has its own Annex A (fatal incidents), so "[A3]" would read as a
  pointer into it.
- A *headline* figure (a question's total, a count, a criterion) is numbered
  in the order it is first read: ``D1``, ``D2``… Which headline figures a
  part writes depends on the data and its codebook only, never on the
  interval method, level or test, so neither do their numbers.
- A figure that belongs to a headline (a group's share, the same question
  in another wave) takes its headline's number and a fixed suffix: the
  group's place in the grouping (``D12.3`` is the third role, whether or not
  the first two are written), ``w`` for the other wave (``D12w``). A test
  that finds another group significant adds or drops a ``D12.n`` without
  moving any other reference.

``Figures.add`` returns a ``Figure``: the figure as written with a placeholder,
which also knows its register row (so a figure belonging to it, and its
reference, are found from the row, never by reading the text back). A part
calls ``Figures.finish`` on its blocks when they are in reading order, which
numbers the figures and writes the references in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Self

import pandas as pd

from feedback.survey.loading import content_hash  # noqa: F401 - the sources' hash, as surveys are kept by it

COLUMNS = {
    "reference": "Reference",
    "area": "Area",
    "measure": "Question or criterion",
    "group": "Group",
    "region": "Region",
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
LETTERS = {"C": "Annex C, roundtable feedback", "D": "Annex D, survey findings",
           "R": "yearly-report audits (key figures)"}
_TOKEN = re.compile("\u27e6(\\d+)\u27e7")  # ⟦n⟧: the n-th figure, before it is numbered


def token(i: int) -> str:
    return f"\u27e6{i}\u27e7"


class Figure(str):
    """One registered figure as the text writes it, e.g. ``"87% [⟦4⟧]"`` (``"87% [D4]"`` once
    the part is finished), that knows its row of the register.

    A ``str`` so that a part writes it straight into a sentence (``f"{figure} said yes"``,
    ``"Of them, " + figure``); ``row`` and ``ref`` say which figure it is without reading the
    text back."""

    row: int

    def __new__(cls, text: str, row: int) -> Self:
        figure = super().__new__(cls, text)
        figure.row = row
        return figure

    @property
    def text(self) -> str:
        """The text as written (a plain ``str``)."""
        return str.__str__(self)

    @property
    def ref(self) -> str:
        """Its reference as a text writes it: a placeholder (``"⟦4⟧"``) that ``Figures.finish``
        replaces with ``"D4"`` when the part is in reading order, as it does in ``text``."""
        return token(self.row)


@dataclass
class Figures:
    """Figures in the order they were registered; references given by ``finish``."""

    rows: list[dict] = field(default_factory=list)
    shorthand: list[str] = field(default_factory=list)  # per row: "[u]" for a low-reliability value, else ""
    _counts: dict[str, int] = field(default_factory=dict)
    _links: list[tuple[str, int | None, str]] = field(default_factory=list)  # letter, headline row, suffix
    _order: list[int] = field(default_factory=list)  # rows in the order they were numbered (reading order)

    def add(self, letter: str, *, area: str, measure: str, value: float, as_written: str, unit: str = "percentage",
            group: str = "", region: str = "", base: str = "", base_n: float | None = None,
            ci_low: float | None = None, ci_high: float | None = None, method: str = "", test: str = "",
            source_file: str = "", source_hash: str = "", shorthand: str = "", under: Figure | None = None,
            suffix: str = "") -> Figure:
        """Register one figure; returns it as the text writes it, e.g. ``"87% [⟦4⟧]"`` (``"87% [D1]"`` once finished).

        ``under``: the ``Figure`` of the headline this figure belongs to, and ``suffix``
        its fixed mark under it (".3" for the third group, "w" for the other wave).
        ``shorthand`` ("[u]") is shown after the number in the workbook's value cell, which stays a number."""
        if letter not in LETTERS:
            raise ValueError(f"unknown reference letter {letter!r}")
        i = len(self.rows)
        parent = under.row if under is not None else None
        self.rows.append({"reference": None, "area": area, "measure": measure, "group": group, "region": region,
                          "base": base, "base_n": _number(base_n), "value": _number(value), "unit": unit,
                          "as_written": as_written, "ci_low": _number(ci_low), "ci_high": _number(ci_high),
                          "method": method, "test": test, "source_file": source_file, "source_hash": source_hash})
        self._links.append((letter, parent, suffix if parent is not None else ""))
        self.shorthand.append(shorthand)
        return Figure(f"{as_written} [{token(i)}]", i)

    def _number(self, i: int) -> str:
        row = self.rows[i]
        if row["reference"] is None:
            letter, parent, suffix = self._links[i]
            if parent is not None:
                row["reference"] = self._number(parent) + suffix
            else:
                self._counts[letter] = self._counts.get(letter, 0) + 1
                row["reference"] = f"{letter}{self._counts[letter]}"
            self._order.append(i)
        return row["reference"]

    def number(self, texts: Iterable[str]) -> None:
        """Give references to the figures in the order their placeholders appear in ``texts``."""
        for text in texts:
            for found in _TOKEN.findall(text):
                self._number(int(found))

    def resolve(self, text: str) -> str:
        """``text`` with every placeholder replaced by its reference (numbering any not yet numbered)."""
        return _TOKEN.sub(lambda m: self._number(int(m.group(1))), text)

    def finish(self, blocks: list) -> list:
        """Number the figures in ``blocks`` in reading order and write their references in (in place)."""
        from feedback.report.document import map_text, reading_order

        self.number(reading_order(blocks))
        map_text(blocks, self.resolve)
        return blocks

    def frame(self) -> pd.DataFrame:
        """One row per reference in reading order, columns in plain English (figures never written
        are numbered last)."""
        for i in range(len(self.rows)):
            self._number(i)
        df = pd.DataFrame([self.rows[i] for i in self._order], columns=list(COLUMNS))
        return df.rename(columns=COLUMNS)

    def markers(self) -> list[str]:
        """The shorthand of each row of ``frame()``, in its order."""
        self.frame()
        return [self.shorthand[i] for i in self._order]


def _number(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f
