"""The text rules every area applies before anything reaches the database or a file.

One place, so SQLite and PostgreSQL see the same limits and a person gets the
same plain message whichever database is behind the app:

- ``clean_text``: Unicode NFC; control, zero-width and bidirectional-override
  characters removed (they hide or reorder what a reader sees); surrounding
  space trimmed; a length limit that raises :class:`InputError` naming the field.
- ``length_problems``: the limits of a table's text columns (``String(n)``),
  checked on a dict of values before an INSERT or UPDATE.
- ``whole_number``: a count typed by a person, strictly ("52" yes, "about 50" no).
- ``export_text``: text for a spreadsheet cell or XML, with the characters
  XLSX cannot hold removed (the screen keeps the original text).
- ``markdown_literal``: text for any element that reads Markdown (labels, captions,
  messages), escaped so it shows exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from feedback.errors import InputError

NAME_LENGTH = 200  # people's names (who made a change, owners, coders): String(200) columns

# C0/C1 controls except tab and newline (kept in multi-line text), DEL.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Zero-width and invisible formatting characters, bidirectional embeddings/overrides/isolates, BOM.
_INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
              "\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0")
_STRIP_MULTILINE = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
_STRIP_ONE_LINE = re.compile(f"[\t\n{_CONTROL}{_INVISIBLE}]")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# What openpyxl refuses in a cell (XML 1.0 cannot hold these).
NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# Column names that hold a person's name, so their limit reads "Names can be at most 200 characters".
NAME_COLUMNS = frozenset({"created_by", "changed_by", "imported_by", "coder", "updated_by", "entered_by",
                          "raised_by", "decided_by", "owner", "auditor", "panel_lead"})


def clean_text(value: Any, *, field: str, max_length: int | None = None, multiline: bool = False) -> str:
    """Normalised text: NFC, no control/zero-width/bidi-override characters, trimmed.

    One-line text also has tabs and newlines turned into single spaces.
    ``field`` names the value in the message when it is longer than
    ``max_length`` (e.g. ``field="Names"`` -> "Names can be at most 200 characters").
    """
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = _STRIP_MULTILINE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n").strip()
    else:
        text = _SPACES.sub(" ", _STRIP_ONE_LINE.sub(lambda m: " " if m.group() in "\t\n" else "", text)).strip()
    check_length(text, field=field, max_length=max_length)
    return text


def clean_name(value: Any, *, field: str = "Names") -> str:
    """A person's name: one line, normalised, at most :data:`NAME_LENGTH` characters."""
    return clean_text(value, field=field, max_length=NAME_LENGTH)


def too_long(text: str, *, field: str, max_length: int) -> str | None:
    """The plain message for text over its limit, else None."""
    if max_length is not None and len(text) > max_length:
        return f"{field} can be at most {max_length:,} characters (this one has {len(text):,})"
    return None


def check_length(text: str, *, field: str, max_length: int | None) -> None:
    """Raise :class:`InputError` when ``text`` is longer than ``max_length``."""
    if max_length is not None and (problem := too_long(text, field=field, max_length=max_length)):
        raise InputError(problem + ".")


def field_words(column: str) -> str:
    """How a column is named in a length message: "Names" for people's names, else its words."""
    if column in NAME_COLUMNS:
        return "Names"
    return column.replace("_", " ").capitalize()


def column_limits(table) -> dict[str, int]:
    """Text columns of a SQLAlchemy table (or mapped class) that have a length: name -> limit."""
    table = getattr(table, "__table__", table)
    return {c.name: c.type.length for c in table.columns if getattr(c.type, "length", None)}


def length_problems(table, values: Mapping[str, Any]) -> list[str]:
    """Plain messages for every text value longer than its column allows (empty when fine)."""
    limits = column_limits(table)
    problems = []
    for name, value in values.items():
        if name in limits and isinstance(value, str):
            problem = too_long(value, field=field_words(name), max_length=limits[name])
            if problem:
                problems.append(problem)
    return problems


def whole_number(value: Any, *, field: str, minimum: int | None = 0) -> int | None:
    """A count a person typed: digits only (spaces and thousands commas allowed), else InputError.

    None or blank gives None. "52", "1,200" and 52.0 are fine; "about 50", "5-6", "52.5" are not.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"{field} should be a whole number, not {value!r}.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or not value.is_integer():
            raise InputError(f"{field} should be a whole number, not {value:g}.")
        number = int(value)
    else:
        text = clean_text(value, field=field, max_length=40)
        if not text:
            return None
        digits = text.replace(",", "").replace(" ", "")
        if not re.fullmatch(r"[0-9]+", digits) or ("," in text and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", text)):
            raise InputError(f"{field} should be a whole number such as 52, not '{text}'.")
        number = int(digits)
    if minimum is not None and number < minimum:
        raise InputError(f"{field} cannot be less than {minimum} (got {number}).")
    return number


def export_text(value: str) -> str:
    """Text as a spreadsheet cell can hold it: control characters XLSX refuses are removed."""
    return NOT_IN_XLSX.sub("", value)


# Everything Markdown, Streamlit's colour/emoji directives (:red[...]) or LaTeX ($...$) could act on.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^])")
# Bare web and e-mail addresses become links even when escaped (GitHub-flavoured autolinks):
# an invisible word joiner after "://", "www" or "@" stops that without changing what is seen.
_AUTOLINK = re.compile(r"(\\:(?=//)|(?<![\w])www(?=\\\.)|@)", re.IGNORECASE)


def markdown_literal(text: Any) -> str:
    """Text from a file or a person, escaped so Markdown shows it literally: no bold, links,
    images, colour directives, formulas or HTML. Line breaks stay line breaks."""
    lines = (" ".join(line.split()) for line in ("" if text is None else str(text)).splitlines())
    return "  \n".join(_AUTOLINK.sub("\\1\u2060", _MD_SPECIAL.sub(r"\\\1", line)) for line in lines if line)
