"""The nine English regions, in the order the Panel uses them, and the one rule that
reads any spelling of a region (or its ONS code) as the Panel's name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from feedback.errors import InputError

if TYPE_CHECKING:  # pandas is imported where a column is read, not by every user of the names
    import pandas as pd

REGIONS: tuple[str, ...] = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)

ALL_REGIONS = "All England"

# Regions that share a border, for combining a region whose figures are too small to show.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "North East": ("North West", "Yorkshire and the Humber"),
    "North West": ("North East", "Yorkshire and the Humber", "West Midlands", "East Midlands"),
    "Yorkshire and the Humber": ("North East", "North West", "East Midlands"),
    "East Midlands": ("Yorkshire and the Humber", "North West", "West Midlands", "East of England", "South East"),
    "West Midlands": ("North West", "East Midlands", "South East", "South West"),
    "East of England": ("East Midlands", "London", "South East"),
    "London": ("East of England", "South East"),
    "South East": ("London", "East of England", "East Midlands", "West Midlands", "South West"),
    "South West": ("South East", "West Midlands"),
}


def neighbours(regions) -> list[str]:
    """Regions bordering any of ``regions``, in the Panel's order (the regions themselves left out)."""
    chosen = [regions] if isinstance(regions, str) else list(regions)
    near = {n for r in chosen for n in NEIGHBOURS.get(r, ())}
    return [r for r in REGIONS if r in near and r not in chosen]


# ONS region codes (GSS E12), in the Panel's order: E12000001 North East ... E12000009 South West.
ONS_CODES: dict[str, str] = {f"E1200000{i}": region for i, region in enumerate(REGIONS, start=1)}

# Other spellings met in suppliers' files, after ``region_key`` (lower case, "&" as "and",
# punctuation as spaces, a leading "the" and a trailing "England"/"region" dropped).
ALIASES: dict[str, str] = {
    "ne": "North East", "n e": "North East", "north eastern": "North East",
    "nw": "North West", "n w": "North West", "north western": "North West",
    "yorkshire and humber": "Yorkshire and the Humber", "yorkshire": "Yorkshire and the Humber",
    "yorks and humber": "Yorkshire and the Humber", "yorks and the humber": "Yorkshire and the Humber",
    "yorkshire and humberside": "Yorkshire and the Humber", "yorks": "Yorkshire and the Humber",
    "yorkshire humber": "Yorkshire and the Humber", "yorks humber": "Yorkshire and the Humber",
    "humber": "Yorkshire and the Humber", "yh": "Yorkshire and the Humber", "y and h": "Yorkshire and the Humber",
    "yandh": "Yorkshire and the Humber", "y h": "Yorkshire and the Humber",
    "em": "East Midlands", "e mids": "East Midlands", "east mids": "East Midlands",
    "wm": "West Midlands", "w mids": "West Midlands", "west mids": "West Midlands",
    "east": "East of England", "eastern": "East of England", "eoe": "East of England", "ee": "East of England",
    "east anglia": "East of England", "east of": "East of England",
    "greater london": "London", "inner london": "London", "outer london": "London", "ldn": "London",
    "se": "South East", "s e": "South East", "south eastern": "South East",
    "sw": "South West", "s w": "South West", "south western": "South West",
}
_KEYS: dict[str, str] = {r.casefold(): r for r in REGIONS}


def region_key(name) -> str:
    """A region name as compared: lower case, "&" read as "and", punctuation as spaces,
    a leading "the" and a trailing "England" or "region" dropped ("North East England",
    "London Region", "the South West" -> "north east", "london", "south west")."""
    import re

    text = str(name).replace("&", " and ").replace("\u2019", "").replace("'", "").casefold()
    text = " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())
    for _ in range(2):
        text = re.sub(r"^the ", "", text)
        text = re.sub(r" (?:england|region|gor|government office region)$", "", text)
    return text


def normalise_region(name) -> str | None:
    """The Panel's spelling of a loosely written English region, or None.

    Any case and punctuation ("Yorkshire and The Humber", "Yorks & Humber",
    "NORTH EAST ENGLAND", "East" for East of England, "NE"), and ONS codes
    E12000001 (North East) to E12000009 (South West). "Wales", "Scotland",
    "Other", "Midlands" and the like are not English regions: None."""
    if name is None:
        return None
    raw = str(name).strip()
    code = raw.upper()
    if code in ONS_CODES:
        return ONS_CODES[code]
    found = _by_key(region_key(raw))
    if found or not raw:
        return found
    import re

    code = re.search(r"\bE1200000([1-9])\b", raw, re.IGNORECASE)  # "North East (E12000001)"
    if code:
        return REGIONS[int(code.group(1)) - 1]
    parts = [p for p in re.split(r"\s[-–—:/]\s|[()\[\]]", raw) if p.strip()]  # "NE - North East", "London (GLA)"
    if len(parts) > 1:
        named = {_by_key(region_key(p)) for p in parts} - {None}
        if len(named) == 1:
            return named.pop()
    return None


def _by_key(key: str) -> str | None:
    if key in _KEYS:
        return _KEYS[key]
    if key.replace(" and ", " and the ") in _KEYS:
        return _KEYS[key.replace(" and ", " and the ")]
    return ALIASES.get(key)


@dataclass
class RegionValues:
    """A region column in the Panel's spelling (``values``: a categorical with the nine
    regions as categories, in the Panel's order; other values missing), the values that
    are not English regions with their counts (``not_regions``, most frequent first), and
    the share of answered rows that are English regions (``share``)."""

    values: pd.Series
    not_regions: dict[str, int]
    share: float

    def warning(self, column: str = "region") -> str:
        """One sentence listing the values left out of the region grouping, with counts ("" when none)."""
        if not self.not_regions:
            return ""
        listed = ", ".join(f"{v} ({n})" for v, n in self.not_regions.items())
        total = sum(self.not_regions.values())
        return (f"{total} respondent(s) have a {column} value that is not one of England's nine regions, left out "
                f"of the region grouping (they stay in the totals): {listed}.")


def normalise_regions(series: pd.Series) -> RegionValues:
    """The values of a region column in the Panel's spelling: each distinct value is
    looked up once (not each row). Values that are not English regions become missing
    and are counted in ``not_regions``."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = [normalise_region(u) for u in uniques]
    position = {r: i for i, r in enumerate(REGIONS)}
    lookup = np.array([position[m] if m is not None else -1 for m in mapped] + [-1], dtype=np.int64)
    new_codes = lookup[codes]
    values = pd.Series(pd.Categorical.from_codes(new_codes, categories=list(REGIONS)), index=series.index,
                       name=series.name)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)) if len(uniques) else np.array([], int)
    not_regions = {str(u): int(n) for u, m, n in zip(uniques, mapped, counts) if m is None and n}
    not_regions = dict(sorted(not_regions.items(), key=lambda kv: (-kv[1], kv[0])))
    answered = int((codes >= 0).sum())
    share = float((new_codes >= 0).sum() / answered) if answered else 0.0
    return RegionValues(values=values, not_regions=not_regions, share=share)


def region_option(value: str | None, option: str = "--region") -> str | None:
    """A region given on the command line, made canonical; None stays None (all England)."""
    if value is None:
        return None
    region = normalise_region(value)
    if region is None:
        raise InputError(f"{option} '{value}' is not one of: {', '.join(REGIONS)}.")
    return region


def region_in_text(text: str | None) -> str | None:
    """The region a heading names ("North East regional roundtable, June 2021" -> "North East"),
    or None. The longest name wins, so "North East" is not read as "East"."""
    import re

    if not text:
        return None
    words = " " + " ".join(str(text).replace("&", "and").split()).casefold() + " "
    names = sorted([*REGIONS, "Yorkshire and Humber", "Eastern"], key=len, reverse=True)
    for name in names:
        if re.search(rf"(?<![a-z]){re.escape(name.casefold())}(?![a-z])", words):
            return normalise_region(name)
    return None


def with_regions_normalised(frame: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[str]]:
    """The respondent frame with its region ``column`` in the Panel's spelling and order
    (a categorical of the nine regions), and the notes a reader needs: the values that
    are not English regions, with their counts, left out of the region grouping.

    A column with no English region in it at all is left as it is, with a note: it is
    not the Panel's regions, and blanking it would hide what it holds."""
    if not column or column not in frame.columns:
        return frame, []
    found = normalise_regions(frame[column])
    if found.share == 0:
        return frame, [f"The region column {column!r} holds no English region names or ONS codes: its values "
                       "are shown as they are, and the region filter will not find the Panel's regions in it."]
    note = found.warning(column)
    return frame.assign(**{column: found.values}), [note] if note else []


def region_groups_normalised(groups: pd.Series) -> pd.Series:
    """Region group labels (e.g. of published data tables) in the Panel's spelling; labels
    that are not English regions are kept as they are. Each distinct label is read once."""
    import pandas as pd

    uniques = pd.unique(groups)
    mapping = {u: normalise_region(u) or u for u in uniques}
    return groups.map(mapping)


# ---------------------------------------------------------------- region names as read in a survey view

ENGLAND = "England"  # the national comparison line beside a region's figures


def region_name(region: str | tuple[str, ...] | list[str] | None) -> str:
    """Plain words for a region, or several combined: "North East and North West"."""
    if not region:
        return "England (all regions)"
    if isinstance(region, str):
        return region
    names = list(region)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def region_total_label(region: str | tuple[str, ...] | list[str]) -> str:
    """The label of a region view's total row: "North West (all)"."""
    return f"{region_name(region)} (all)"


def rest_of_england(scope: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Every region outside the scope: the independent sample a region is tested against."""
    names = {scope} if isinstance(scope, str) else set(scope)
    return tuple(r for r in REGIONS if r not in names)


def rest_of_england_label(scope: str | tuple[str, ...] | list[str]) -> str:
    """ "Rest of England (all regions but London)": what a region is compared with."""
    return f"Rest of England (all regions but {region_name(scope)})"
