"""The change and trend commands on the two-wave fixture."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from feedback.__main__ import main

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "waves"
FILES = [str(HERE / "wave_2021.csv"), str(HERE / "wave_2022.csv")]
CODEBOOKS = ["--codebook", str(HERE / "wave_2021.toml"), "--codebook", str(HERE / "wave_2022.toml")]
REQUIRED = ["question", "by", "group", "n_before", "n_after", "p_before", "p_after", "change", "se", "ci_low",
            "ci_high", "p_value", "p_adj", "sig", "flag"]


def test_change_csv_one_row_per_shared_question_and_group_left_out_named(capsys):
    assert main(["change", *FILES, *CODEBOOKS, "--by", "role", "--by", "region"]) == 0
    captured = capsys.readouterr()
    out = pd.read_csv(io.StringIO(captured.out), keep_default_na=False)
    assert all(c in out.columns for c in REQUIRED)
    assert set(out["question"]) == {"aware", "useful", "agree"}
    assert "new_question" in captured.err and "only in 2022" in captured.err
    assert out.groupby("question").size().eq(1 + 3 + 3).all()  # total, 3 roles, 3 regions
    ref = pd.read_csv(HERE / "change_reference.csv", keep_default_na=False)
    ref = ref[(ref["filter"] == "") & ref["by"].isin(["total", "role", "region"])]
    both = ref.merge(out, on=["question", "by", "group"], suffixes=("_r", ""))
    assert len(both) == len(out)
    assert (both["change"].astype(float) - both["change_r"]).abs().max() < 1e-8


def test_change_filter_level_adjust_and_json(capsys):
    assert main(["change", *FILES, *CODEBOOKS, "--by", "role", "--filter", 'region="London"', "--level", "0.9",
                 "--adjust", "none", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["level"] for r in rows} == {0.9} and all(r["adjust"] == "none" for r in rows)
    total = next(r for r in rows if r["question"] == "aware" and r["by"] == "total")
    ref = pd.read_csv(HERE / "change_reference.csv", keep_default_na=False)
    expected = ref[(ref["filter"] == "London") & (ref["question"] == "aware") & (ref["by"] == "total")].iloc[0]
    assert total["change"] == pytest.approx(expected["change"], abs=1e-8)
    assert total["p_adj"] == pytest.approx(total["p_value"])


def test_change_xlsx_has_notes(tmp_path, capsys):
    target = tmp_path / "change.xlsx"
    assert main(["change", *FILES, *CODEBOOKS, "--out", str(target)]) == 0
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[:1] == ["Change"] and "Notes" in wb.sheetnames
    notes = " ".join(str(c.value) for row in wb["Notes"].iter_rows() for c in row if c.value)
    assert "independent samples" in notes and "new_question" in notes


def test_change_small_base_on_the_effective_base_as_the_engine(capsys):
    """--small-base-on gives the rules the Trends page and the annex pass to waves.change."""
    from feedback.survey.rates import SmallBase
    from feedback.survey.waves import change, load_wave

    rules = ["--small-base", "10,60", "--small-base-on", "unweighted,effective"]
    assert main(["change", *FILES, *CODEBOOKS, "--by", "role", *rules, "--format", "json"]) == 0
    got = pd.DataFrame(json.loads(capsys.readouterr().out))
    waves = [load_wave(Path(f).name, Path(f).read_bytes(), Path(c).read_text()) for f, c in
             zip(FILES, CODEBOOKS[1::2], strict=True)]
    expected = change(*waves, by=("role",), small_base=SmallBase(10, 60, "n", "n_eff"))
    unweighted = change(*waves, by=("role",), small_base=SmallBase(10, 60))
    assert got["flag"].tolist() == expected["flag"].tolist()
    assert got["flag"].tolist() != unweighted["flag"].tolist()  # the effective base flags more groups


def test_trend_rows_per_wave_question_group(capsys):
    assert main(["trend", FILES[1], FILES[0], "--codebook", CODEBOOKS[3], "--codebook", CODEBOOKS[1],
                 "--by", "region"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert list(dict.fromkeys(out["wave"].astype(str))) == ["2021", "2022"]  # oldest first, whatever the order given
    assert set(out.loc[out["question"] == "new_question", "wave"].astype(str)) == {"2022"}
    assert len(out[(out["question"] == "aware")]) == 2 * (1 + 3)


@pytest.mark.parametrize("argv, words", [
    (["change", FILES[0], "--codebook", CODEBOOKS[1]], "two waves"),
    (["change", *FILES, "--codebook", CODEBOOKS[1]], "one codebook per file"),
    (["change", *FILES], "needs its --codebook"),
    (["change", *FILES, *CODEBOOKS, "--adjust", "bonferroni"], "invalid choice"),
])
def test_change_mistakes_end_in_one_line_exit_2(argv, words, capsys):
    assert_exit = None
    try:
        assert_exit = main(argv)
    except SystemExit as err:
        assert_exit = err.code
    assert assert_exit == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
