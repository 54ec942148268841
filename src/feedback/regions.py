"""The nine English regions, in the order the Panel uses them."""

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


def normalise_region(name: str) -> str | None:
    """Return the canonical region for a loosely written name, or None."""
    key = " ".join(str(name).replace("&", "and").split()).casefold()
    for region in REGIONS:
        if region.casefold() == key:
            return region
    aliases = {"yorkshire and humber": "Yorkshire and the Humber", "east": "East of England",
               "eastern": "East of England", "yorkshire": "Yorkshire and the Humber"}
    return aliases.get(key)


def region_option(value: str | None, option: str = "--region") -> str | None:
    """A region given on the command line, made canonical; None stays None (all England)."""
    from feedback.errors import InputError

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
