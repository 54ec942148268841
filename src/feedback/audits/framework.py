"""The audit framework: what a yearly report is audited against.

One TOML file per edition of Working Together (``data/audits/framework_<id>.toml``)
so that a new edition is a new, reviewable file and old audits keep the
criteria they were scored against. The file lists themes, criteria (each
scored Fully / Partly / Not evidenced, with a page reference and a quote) and
coded lists (priorities, practice themes) that are ticked per report.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from feedback.errors import InputError

DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "audits"
DEFAULT_EDITION = "wt2018"

#: Stored score ids and the words people see, in the order they are shown.
SCORES: dict[str, str] = {"fully": "Fully evidenced", "partly": "Partly evidenced", "not": "Not evidenced"}
EVIDENCED = ("fully", "partly")

_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SCORE_WORDS = {
    "fully": "fully", "fully evidenced": "fully", "full": "fully", "f": "fully", "yes": "fully",
    "partly": "partly", "partly evidenced": "partly", "partial": "partly", "partially": "partly",
    "partially evidenced": "partly", "p": "partly",
    "not": "not", "not evidenced": "not", "none": "not", "no": "not", "n": "not",
}


@dataclass(frozen=True)
class Theme:
    id: str
    name: str


@dataclass(frozen=True)
class Criterion:
    id: str
    theme: str
    label: str
    text: str
    reference: str = ""


@dataclass(frozen=True)
class Code:
    id: str
    label: str


@dataclass(frozen=True)
class CodeList:
    id: str
    name: str
    question: str
    codes: tuple[Code, ...]

    def labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.codes}


@dataclass
class Framework:
    id: str
    edition: str
    short_name: str
    title: str
    first_year: str
    last_year: str
    themes: list[Theme]
    criteria: list[Criterion]
    lists: list[CodeList] = field(default_factory=list)

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def theme_names(self) -> dict[str, str]:
        return {t.id: t.name for t in self.themes}

    def code_list(self, list_id: str) -> CodeList:
        for lst in self.lists:
            if lst.id == list_id:
                return lst
        raise KeyError(list_id)

    def covers(self, year: str) -> bool:
        """Whether reports for this reporting year are audited against this edition."""
        start = year_start(self.first_year)
        end = year_start(self.last_year) if self.last_year else 10_000
        return start <= year_start(year) <= end


def score_id(text) -> str | None:
    """The stored score id for what a person typed ("Partly evidenced" -> "partly"), or None."""
    if text is None:
        return None
    key = " ".join(str(text).replace("_", " ").split()).casefold()
    return _SCORE_WORDS.get(key)


def normalise_year(text) -> str:
    """A reporting year as "2020-21" from "2020-21", "2020/21" or "2020-2021"; InputError otherwise."""
    raw = str(text).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/–]\s*(\d{2}|\d{4})", raw)
    if m:
        first, second = int(m.group(1)), int(m.group(2)[-2:])
        if second == (first + 1) % 100:
            return f"{first}-{second:02d}"
    raise InputError(f"'{raw}' is not a reporting year: write it like 2020-21 (April to March, consecutive years).")


def year_start(year: str) -> int:
    """The first calendar year of a reporting year ("2020-21" -> 2020)."""
    return int(normalise_year(year)[:4])


def reporting_years(first: str, until: date) -> list[str]:
    """Reporting years from ``first`` to the one whose report could have been written by ``until``."""
    last = until.year - 1  # a 2020-21 report is written after March 2021
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(year_start(first), max(last, year_start(first)) + 1)]


def available_editions(data_dir: Path = DATA_DIR) -> list[str]:
    """Edition ids with a framework file, oldest first (wt2018, wt2023, ...)."""
    return sorted(p.stem.removeprefix("framework_") for p in data_dir.glob("framework_*.toml"))


def load_framework(source: str | Path | None = None, *, name: str | None = None) -> Framework:
    """Load and validate a framework from an edition id, a path, or TOML text.

    Raises InputError listing every problem in plain English, so a person
    editing the file can fix it in one pass.
    """
    if source is None:
        source = DEFAULT_EDITION
    if isinstance(source, str) and _ID.match(source):
        path = DATA_DIR / f"framework_{source}.toml"
        if not path.exists():
            raise InputError(f"There is no audit framework for edition '{source}': expected {path.name} in "
                             f"data/audits (available: {', '.join(available_editions()) or 'none'}).")
        source = path
    if isinstance(source, Path):
        name = name or source.name
        source = source.read_text(encoding="utf-8")
    name = name or "framework"
    from feedback.safety import load_toml

    try:
        data = load_toml(source, name)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{name} is not valid TOML ({err}). Fix the line named and save again.") from err
    framework, problems = _build(data)
    problems += validate(framework) if framework else []
    if problems:
        raise InputError(f"{name} has {len(problems)} problem{'s' if len(problems) > 1 else ''}: "
                         + " ".join(problems))
    return framework


def _text(table: dict, key: str) -> str:
    value = table.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _build(data: dict) -> tuple[Framework | None, list[str]]:
    problems: list[str] = []
    head = data.get("framework")
    if not isinstance(head, dict):
        return None, ["It has no [framework] table: start the file with [framework] and its id and edition."]
    for key in ("themes", "criteria", "lists"):
        if key in data and not (isinstance(data[key], list) and all(isinstance(x, dict) for x in data[key])):
            problems.append(f"'{key}' must be written as [[{key}]] tables.")
    if problems:
        return None, problems
    themes = [Theme(_text(t, "id"), _text(t, "name")) for t in data.get("themes", [])]
    criteria = [Criterion(_text(c, "id"), _text(c, "theme"), _text(c, "label"), _text(c, "text"),
                          _text(c, "reference")) for c in data.get("criteria", [])]
    lists = []
    for n, lst in enumerate(data.get("lists", []), start=1):
        codes = lst.get("codes", [])
        if not isinstance(codes, list) or not all(isinstance(c, dict) for c in codes):
            problems.append(f"List {n} ('{_text(lst, 'id')}'): codes must be written as "
                            '[{ id = "neglect", label = "Neglect" }, ...].')
            codes = []
        lists.append(CodeList(_text(lst, "id"), _text(lst, "name"), _text(lst, "question"),
                              tuple(Code(_text(c, "id"), _text(c, "label")) for c in codes)))
    framework = Framework(
        id=_text(head, "id"), edition=_text(head, "edition"), short_name=_text(head, "short_name"),
        title=_text(head, "title"), first_year=_text(head, "first_year"), last_year=_text(head, "last_year"),
        themes=themes, criteria=criteria, lists=lists,
    )
    return framework, problems


def _check_ids(kind: str, items, problems: list[str]) -> set[str]:
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        if not _ID.match(item.id):
            problems.append(f"{kind} {n} needs an id of lower-case letters, digits and underscores "
                            f"(got '{item.id}').")
        elif item.id in seen:
            problems.append(f"{kind} id '{item.id}' is used twice; each needs its own.")
        seen.add(item.id)
    return seen


def validate(fw: Framework) -> list[str]:
    """Plain-English problems with a framework; empty when it can be used."""
    problems: list[str] = []
    if not _ID.match(fw.id):
        problems.append(f"[framework] id must be lower-case letters, digits and underscores like 'wt2018' "
                        f"(got '{fw.id}').")
    if not fw.edition:
        problems.append("[framework] needs an edition, e.g. \"Working Together to Safeguard Children 2018\".")
    for key in ("first_year", "last_year"):
        value = getattr(fw, key)
        if value or key == "first_year":
            try:
                normalise_year(value)
            except InputError:
                problems.append(f"[framework] {key} must be a reporting year like 2019-20 (got '{value}').")
    if not fw.themes:
        problems.append("It has no themes: add [[themes]] tables with an id and a name.")
    theme_ids = _check_ids("Theme", fw.themes, problems)
    for t in fw.themes:
        if not t.name:
            problems.append(f"Theme '{t.id}' has no name.")
    if not fw.criteria:
        problems.append("It has no criteria: add [[criteria]] tables with an id, theme, label and text.")
    _check_ids("Criterion", fw.criteria, problems)
    for c in fw.criteria:
        if c.theme not in theme_ids:
            problems.append(f"Criterion '{c.id}' names theme '{c.theme}', which is not one of the themes "
                            f"({', '.join(sorted(theme_ids)) or 'none'}).")
        if not c.label or not c.text:
            problems.append(f"Criterion '{c.id}' needs both a short label and the full text.")
    _check_ids("List", fw.lists, problems)
    for lst in fw.lists:
        if not lst.name:
            problems.append(f"List '{lst.id}' has no name.")
        if not lst.codes:
            problems.append(f"List '{lst.id}' has no codes.")
        _check_ids(f"Code in list '{lst.id}'", lst.codes, problems)
        for code in lst.codes:
            if not code.label:
                problems.append(f"Code '{code.id}' in list '{lst.id}' has no label.")
    return problems


def framework_for_year(year: str) -> Framework:
    """The edition that reports for this reporting year are audited against (latest that covers it)."""
    year = normalise_year(year)
    for edition in reversed(available_editions()):
        fw = load_framework(edition)
        if fw.covers(year):
            return fw
    raise InputError(f"No audit framework covers the reporting year {year}: add a framework file whose "
                     f"first_year is on or before it.")
