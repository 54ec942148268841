"""The example surveys that come with the app (synthetic records built to reproduce the
Panel's published 2021 figures, and invented 2022 waves): which there are, which files
are present, and their bytes. "Example" is the demo data; "sample" is kept for the
statistical sample of respondents.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def data_dir() -> Path:
    """The embedded data folder (``FEEDBACK_DATA_DIR`` overrides)."""
    env = os.environ.get("FEEDBACK_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "data"


@dataclass(frozen=True)
class Example:
    """An example survey: its name in the survey selectors and its files under ``data_dir()/surveys``."""

    name: str
    data_file: str
    codebook_file: str | None  # for data tables: optional, gives question ids and positive answers
    kind: str = "respondents"
    synthetic_wave: bool = False  # an invented later wave (for trends): never the wave a report annex reports


EXAMPLES: tuple[Example, ...] = (
    Example("Safeguarding partners 2021 (sample)", "partners_2021.sav", "partners_2021.toml"),
    Example("Frontline professionals 2021 (sample)", "frontline_2021.xlsx", "frontline_2021.toml"),
    Example("Frontline professionals 2021, data tables (sample)", "frontline_2021_tables.xlsx", "frontline_2021.toml",
            kind="data tables"),
    # an invented second wave, for change between waves (no 2022 figures were published)
    Example("Safeguarding partners 2022 (synthetic)", "partners_2022.sav", "partners_2022.toml",
            synthetic_wave=True),
    Example("Frontline professionals 2022 (synthetic)", "frontline_2022.xlsx", "frontline_2022.toml",
            synthetic_wave=True),
    Example("Frontline professionals 2022, data tables (synthetic)", "frontline_2022_tables.xlsx",
            "frontline_2022.toml", kind="data tables", synthetic_wave=True),
)


def available_examples() -> list[Example]:
    """The example surveys whose files are present."""
    folder = data_dir() / "surveys"
    return [s for s in EXAMPLES if (folder / s.data_file).exists()
            and (s.codebook_file is None or (folder / s.codebook_file).exists())]


def example_files(example: Example) -> tuple[bytes, str | None]:
    """The example's data file (bytes) and codebook (TOML text, or None)."""
    folder = data_dir() / "surveys"
    content = (folder / example.data_file).read_bytes()
    codebook = (folder / example.codebook_file).read_text(encoding="utf-8") if example.codebook_file else None
    return content, codebook
