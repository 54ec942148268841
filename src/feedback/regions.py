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
