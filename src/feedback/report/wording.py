"""Plain-English words for figures, as the Panel's annexes write them.

A share is said the way a reader hears it ("almost nine in 10", "three-quarters",
"half"), always followed by the figure itself, so the words never stand in for
the number. Tested against Annex D's own phrasing.
"""

from __future__ import annotations

import math
import re

# Fractions a reader says aloud, with their words (and whether "of" follows).
_FRACTIONS: tuple[tuple[float, str, bool], ...] = (
    (1 / 2, "half", True),
    (1 / 4, "a quarter", True),
    (3 / 4, "three-quarters", True),
    (1 / 3, "a third", True),
    (2 / 3, "two-thirds", True),
    *((k / 10, f"{w} in 10", False) for k, w in
      ((1, "one"), (2, "two"), (3, "three"), (4, "four"), (6, "six"), (7, "seven"), (8, "eight"), (9, "nine"))),
)
EXACT = 0.015   # within 1.5 points: the fraction itself ("half" for 49%)
NEAR = 0.05     # within 5 points below: "almost"; above: "over"


def share_words(p: float) -> str:
    """The words for a share of people, to put before the people: 0.86 -> "almost nine in 10",
    0.75 -> "three-quarters of", 0.49 -> "half of", 0.97 -> "almost all"."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        raise ValueError("no share to describe")
    if p >= 0.995:
        return "all"
    if p >= 0.95:
        return "almost all"
    if p <= 0.005:
        return "none of"
    if p < 0.05:
        return "very few"
    best = min(_FRACTIONS, key=lambda f: (abs(p - f[0]), not f[2]))
    value, words, takes_of = best
    diff = p - value
    text = words + (" of" if takes_of else "")
    if abs(diff) <= EXACT:
        return text
    if -NEAR <= diff < 0:
        return f"almost {text}"
    if 0 < diff <= NEAR:
        return f"over {text}"
    return text  # not reached: fractions are never more than 5 points apart


def percent(p: float, digits: int = 0) -> str:
    """0.8705 -> '87%' (to ``digits`` decimals), rounded half up as Excel shows it (0.625 -> '63%')."""
    from feedback.charts import percent_text

    return percent_text(p, digits)


def people(base_label: str) -> str:
    """The people a base names, as they follow a share: "All safeguarding partners" ->
    "safeguarding partners"; a routed base keeps its qualifier
    ("Safeguarding partners aware of the SUDI review" -> "safeguarding partners aware of the SUDI review")."""
    text = re.sub(r"^\s*all\s+", "", str(base_label or "respondents"), flags=re.IGNORECASE).strip()
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def is_routed(base_label: str) -> bool:
    """A base that is not everyone surveyed (it does not start with "All")."""
    return not re.match(r"^\s*all\b", str(base_label or ""), flags=re.IGNORECASE)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def change_words(sig: str, flag: str, *, other: str, wave: str, later: bool) -> str:
    """What changed between the reported wave and another, from ``waves.change``'s ``sig`` ("up", "down"
    or "") and ``flag`` ([b], [c]); ``other`` is the other wave's figure as written ("80% [D5]").

    From an earlier wave: "up from 80% in 2021", "down from ...", "no significant change from ...";
    to a later one: "up to 91% in 2022", "down to ...", "no significant change to ...". A break in
    the series: "not comparable with 80% in 2021: the question changed [b]"; too few responses
    (no figure): "too few responses in 2021 to compare [c]".
    """
    flag = str(flag or "")
    if "[b]" in flag:
        return f"not comparable with {other} in {wave}: the question changed [b]"
    if "[c]" in flag or not other:
        return f"too few responses in {wave} to compare [c]"
    word = "to" if later else "from"
    if sig not in ("up", "down"):
        return f"no significant change {word} {other} in {wave}"
    return f"{sig} {word} {other} in {wave}"


def count_words(count: int, of: int) -> str:
    """'13 of 18'."""
    return f"{int(count)} of {int(of)}"


def list_words(items: list[str]) -> str:
    """'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
