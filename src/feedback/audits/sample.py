"""The embedded sample register and audits (data/audits/sample_*.csv).

A SAMPLE built from the published figures by scripts/make_sample_audits.py:
the counts in data/audits/published_figures.toml are reproduced exactly;
names, dates, quotes and all other counts are invented.
"""

from __future__ import annotations

import pandas as pd

from feedback.audits.entry import AuditRecord, read_audits, records_to_frames
from feedback.audits.framework import DATA_DIR, load_framework
from feedback.audits.register import read_register
from feedback.isolation import in_process

SAMPLE_REGISTER = DATA_DIR / "sample_register.csv"
SAMPLE_AUDITS = DATA_DIR / "sample_audits.csv"
SAMPLE_NOTICE = ("Sample data built from the published figures (Panel annual report 2021, chapter 10, and the "
                 "WWCSC evaluation of 2019-20 reports): the published counts are reproduced exactly; partnership "
                 "names, dates, quotes and all other counts are invented.")


def sample_register() -> pd.DataFrame:
    with in_process():  # the app's own file: no child process needed
        return read_register(SAMPLE_REGISTER.name, SAMPLE_REGISTER.read_bytes())


def sample_records(register: pd.DataFrame | None = None) -> list[AuditRecord]:
    register = sample_register() if register is None else register
    partnerships = dict(zip(register["partnership"], register["region"]))
    with in_process():
        return read_audits(SAMPLE_AUDITS.name, SAMPLE_AUDITS.read_bytes(), load_framework("wt2018"), partnerships)


def sample_frames() -> dict[str, pd.DataFrame]:
    """The sample as the tidy frames the summaries take, plus the register."""
    register = sample_register()
    frames = records_to_frames(sample_records(register), dict(zip(register["partnership"], register["region"])))
    return {**frames, "register": register}
