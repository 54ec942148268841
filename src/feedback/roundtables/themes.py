"""The theme codebook for roundtable points: a TOML file of themes, each with
sub-themes that carry a description and the keywords and phrases that code a
point to them automatically.

Kept as TOML so staff can read and edit it (in the app or a text editor) and
so a change to it is a reviewable diff, not a hidden setting.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from feedback.errors import InputError

DEFAULT_THEMES = Path(__file__).resolve().parents[3] / "data" / "roundtables" / "themes.toml"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass
class Code:
    """A sub-theme: the unit points are coded to."""

    id: str
    theme: str
    name: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)

    @property
    def rules(self) -> list[str]:
        return [*self.keywords, *self.phrases]

    @property
    def label(self) -> str:
        return f"{self.theme}: {self.name}"


@dataclass
class ThemeCodebook:
    title: str
    source: str
    codes: list[Code]
    theme_descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def themes(self) -> list[str]:
        """Theme names in codebook order."""
        return list(dict.fromkeys(c.theme for c in self.codes))

    def by_id(self) -> dict[str, Code]:
        return {c.id: c for c in self.codes}

    def names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.codes}


def load_themes(source: str | Path | None = None, *, name: str = "themes.toml") -> ThemeCodebook:
    """Parse a codebook from TOML text or a path (default: the seeded Annex C codebook)."""
    if source is None:
        source = DEFAULT_THEMES
    if isinstance(source, Path):
        name, source = source.name, source.read_text(encoding="utf-8")
    from feedback.safety import load_toml

    try:
        data = load_toml(source, name)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{name} is not valid TOML ({err}). Fix the line named and save again.") from err
    head = data.get("codebook", {})
    codes: list[Code] = []
    descriptions: dict[str, str] = {}
    for t, theme in enumerate(data.get("themes", []), start=1):
        theme_name = str(theme.get("name", "")).strip()
        if not theme_name:
            raise InputError(f"{name}: theme {t} has no name; give every [[themes]] a name.")
        descriptions[theme_name] = str(theme.get("description", ""))
        for s, sub in enumerate(theme.get("subthemes", []), start=1):
            for key in ("keywords", "phrases"):
                if not isinstance(sub.get(key, []), list):
                    raise InputError(f"{name}: {key} of sub-theme {s} under '{theme_name}' must be a list "
                                     '(write it like ["suicid*", "tier 4"]).')
            codes.append(Code(id=str(sub.get("id", "")).strip(), theme=theme_name,
                              name=str(sub.get("name", "")).strip(), description=str(sub.get("description", "")),
                              keywords=[str(k) for k in sub.get("keywords", [])],
                              phrases=[str(p) for p in sub.get("phrases", [])]))
    codebook = ThemeCodebook(title=str(head.get("title", "Roundtable themes")), source=str(head.get("source", "")),
                             codes=codes, theme_descriptions=descriptions)
    problems = validate(codebook)
    if problems:
        raise InputError(f"{name}: " + " ".join(problems))
    return codebook


def validate(codebook: ThemeCodebook) -> list[str]:
    """Plain-English problems with a codebook; empty when it can be used."""
    problems: list[str] = []
    if not codebook.codes:
        problems.append("It has no sub-themes: add at least one [[themes.subthemes]] with an id and a name.")
    seen: set[str] = set()
    for code in codebook.codes:
        if not _ID.match(code.id):
            problems.append(f"Sub-theme '{code.name or '(no name)'}' needs an id of lower-case letters, digits and "
                            f"underscores (got '{code.id}').")
        elif code.id in seen:
            problems.append(f"The id '{code.id}' is used twice; each sub-theme needs its own.")
        seen.add(code.id)
        if not code.name:
            problems.append(f"Sub-theme '{code.id}' has no name.")
        for rule in code.rules:
            if not any(term.strip(" *") for term in rule.split("&")):
                problems.append(f"Sub-theme '{code.id}' has an empty rule '{rule}'.")
    return problems


def dump_themes(codebook: ThemeCodebook) -> str:
    """The codebook as TOML (the inverse of load_themes)."""
    themes = []
    for theme in codebook.themes:
        themes.append({
            "name": theme,
            "description": codebook.theme_descriptions.get(theme, ""),
            "subthemes": [{"id": c.id, "name": c.name, "description": c.description, "keywords": c.keywords,
                           "phrases": c.phrases} for c in codebook.codes if c.theme == theme],
        })
    return tomli_w.dumps({"codebook": {"title": codebook.title, "source": codebook.source}, "themes": themes})
