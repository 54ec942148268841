"""The change command on raked waves (--targets): against R's calibrate, and the refusals."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feedback.__main__ import main
from feedback.survey import loading
from feedback.survey.rates import rates_by_group

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "waves"
FILES = [str(HERE / "wave_2021.csv"), str(HERE / "wave_2022.csv")]
CODEBOOKS = ["--codebook", str(HERE / "wave_2021.toml"), "--codebook", str(HERE / "wave_2022.toml")]
TARGETS = str(HERE / "targets.csv")
KEYS = ["question", "by", "group"]


def _change(capsys, *extra) -> pd.DataFrame:
    assert main(["change", *FILES, *CODEBOOKS, "--by", "role", "--by", "region", *extra]) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)


def _raked(year: str):
    return loading.load_survey(f"wave_{year}.csv", (HERE / f"wave_{year}.csv").read_bytes(),
                               (HERE / f"wave_{year}.toml").read_text(encoding="utf-8"),
                               targets=Path(TARGETS).read_text(encoding="utf-8"))


def test_change_with_targets_is_the_change_between_the_two_raked_surveys(capsys):
    out = _change(capsys, "--targets", TARGETS)
    before, after = _raked("2021"), _raked("2022")
    assert before.raking is not None and after.raking is not None
    rates = [rates_by_group(s.frame, s.codebook, by=(("role",), ("region",)), adjust="none", raking=s.raking)
             for s in (before, after)]
    both = rates[0].merge(rates[1], on=KEYS, suffixes=("_b", "_a")).merge(out, on=KEYS)
    assert len(both) == len(out) == 3 * 7
    np.testing.assert_allclose(both["p_before"], both["p_b"], rtol=1e-12)
    np.testing.assert_allclose(both["p_after"], both["p_a"], rtol=1e-12)
    np.testing.assert_allclose(both["change"].astype(float), both["p_a"] - both["p_b"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(both["se"].astype(float), np.hypot(both["se_a"], both["se_b"]), rtol=1e-10)
    unraked = _change(capsys)
    assert not np.allclose(unraked["change"].astype(float), out["change"].astype(float))  # the raking mattered


def test_change_with_targets_agrees_with_r_calibrate(capsys):
    out = _change(capsys, "--targets", TARGETS)
    ref = pd.read_csv(HERE / "change_raked_reference.csv")  # reference_raked.R, R survey 4.1.1
    both = ref.merge(out, on=KEYS, suffixes=("_r", ""))
    assert len(both) == len(ref) == len(out)
    for col in ("p_before", "p_after", "change", "se", "p_value"):
        np.testing.assert_allclose(both[col].astype(float), both[f"{col}_r"], rtol=1e-8, atol=1e-12, err_msg=col)
    assert set(out["test"]) == {"wald"}


def test_one_targets_file_per_wave_is_the_same_as_one_for_both(capsys):
    once = _change(capsys, "--targets", TARGETS)
    twice = _change(capsys, "--targets", TARGETS, "--targets", TARGETS)
    pd.testing.assert_frame_equal(once, twice)
    capped = _change(capsys, "--targets", TARGETS, "--cap", "2")
    assert not np.allclose(capped["change"].astype(float), once["change"].astype(float))


def test_the_workbook_notes_say_how_each_wave_was_raked(tmp_path):
    out = tmp_path / "change.xlsx"
    assert main(["change", *FILES, *CODEBOOKS, "--targets", TARGETS, "--cap", "2.5", "--out", str(out)]) == 0
    import openpyxl

    notes = " ".join(str(c.value) for row in openpyxl.load_workbook(out)["Notes"].iter_rows() for c in row if c.value)
    assert "Wave 2021: Weighted to population margins by raking (role, region)" in notes
    assert "Wave 2022: Weighted to population margins by raking (role, region)" in notes
    assert "weights capped at 2.5 times the mean" in notes and "Kish design effect" in notes


@pytest.mark.parametrize(("extra", "words"), [
    (["--targets", TARGETS] * 3, "2 files but 3 --targets: give one targets file for every wave, or one per wave"),
    (["--targets", TARGETS, "--test", "rao-scott"], "the Rao-Scott test of a change is not available on raked waves"),
])
def test_a_targets_mismatch_is_refused_in_one_line(capsys, extra, words):
    assert main(["change", *FILES, *CODEBOOKS, *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err


def test_a_dash_leaves_one_wave_unraked_and_the_trends_command_says_so(capsys):
    from feedback.survey.cli import change_command
    from feedback.survey.settings import Settings

    out = _change(capsys, "--targets", "-", "--targets", TARGETS)
    after = _raked("2022")
    before = loading.load_survey("wave_2021.csv", (HERE / "wave_2021.csv").read_bytes(),
                                 (HERE / "wave_2021.toml").read_text(encoding="utf-8"))
    rates = [rates_by_group(s.frame, s.codebook, by=(("role",), ("region",)), adjust="none", raking=s.raking)
             for s in (before, after)]
    both = rates[0].merge(rates[1], on=KEYS, suffixes=("_b", "_a")).merge(out, on=KEYS)
    np.testing.assert_allclose(both["change"].astype(float), both["p_a"] - both["p_b"], rtol=1e-10, atol=1e-14)
    command = change_command([before, after], grouping="Role", region=None, settings=Settings())
    assert "--targets - --targets wave_2022_targets.csv" in command
    assert "--targets" not in change_command([before, before], grouping="Role", region=None, settings=Settings())
