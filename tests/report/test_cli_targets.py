"""python -m feedback annex --targets: the survey part on the raked design, and its methods notes."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from feedback.__main__ import main
from feedback.survey import loading, views

WAVES = Path(__file__).resolve().parents[1] / "fixtures" / "waves"
SURVEY = ["--survey", str(WAVES / "wave_2021.csv"), "--codebook", str(WAVES / "wave_2021.toml")]
TARGETS = str(WAVES / "targets.csv")


def _register(path: Path) -> list[dict]:
    rows = list(openpyxl.load_workbook(path)["Table 1"].iter_rows(min_row=2, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _notes(path: Path) -> str:
    return " ".join(str(v) for r in openpyxl.load_workbook(path)["Notes"].iter_rows(values_only=True) for v in r if v)


def test_annex_with_targets_states_the_raked_figures_and_says_how_they_were_raked(tmp_path):
    out = tmp_path / "out"
    db = ["--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"]
    assert main(["annex", "--out", str(out), *SURVEY, "--targets", TARGETS, "--cap", "2.5", "--detail", "full",
                 *db]) == 0
    raked = loading.load_survey("wave_2021.csv", (WAVES / "wave_2021.csv").read_bytes(),
                                (WAVES / "wave_2021.toml").read_text(encoding="utf-8"),
                                targets=Path(TARGETS).read_text(encoding="utf-8"), cap=2.5)
    expected = views.results(raked, grouping="Role")
    total = expected[expected["by"] == "total"].set_index("question_text")
    register = [r for r in _register(out / "figures.xlsx") if r["Group"] == "Total" and r["Percentage (%)"] != "[z]"]
    assert {r["Question or criterion"] for r in register} == set(total.index)
    for row in register:
        want = total.loc[row["Question or criterion"]]
        assert row["Percentage (%)"] == pytest.approx(100 * want["p"], rel=1e-9)
        assert row["Interval from (%)"] == pytest.approx(100 * want["ci_low"], rel=1e-9)
        assert row["Base (number)"] == want["n"]
    groups = {r["Group"]: r for r in _register(out / "figures.xlsx") if str(r["Group"]).startswith("role:")}
    for label, row in groups.items():
        want = expected[(expected["by"] == "role") & (expected["group"] == label.split(": ", 1)[1])]
        assert row["Percentage (%)"] == pytest.approx(100 * want.set_index("question_text").loc[
            row["Question or criterion"], "p"], rel=1e-9)
    notes = _notes(out / "figures.xlsx")
    assert "Fixture survey 2021: Weighted to population margins by raking (role, region)" in notes
    assert "weights capped at 2.5 times the mean" in notes and "Kish design effect" in notes
    assert f"{raked.raking.iterations} iterations" in notes and "weighting efficiency" in notes
    doc = Document(io.BytesIO((out / "annex.docx").read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "The Fixture survey 2021 figures are weighted to the population by role and region (raking)." in text
    comments = (out / "annex.docx").read_bytes()
    import zipfile

    comments = zipfile.ZipFile(io.BytesIO(comments)).read("word/comments.xml").decode("utf-8")
    assert "Weighted to population margins by raking (role, region)" in comments

    plain = tmp_path / "plain"
    assert main(["annex", "--out", str(plain), *SURVEY, *db]) == 0
    unraked = {r["Question or criterion"]: r["Percentage (%)"] for r in _register(plain / "figures.xlsx")
               if r["Group"] == "Total" and r["Percentage (%)"] != "[z]"}
    assert any(unraked[r["Question or criterion"]] != pytest.approx(r["Percentage (%)"]) for r in register)
    assert "raking" not in _notes(plain / "figures.xlsx")


@pytest.mark.parametrize(("args", "words"), [
    (["--targets", TARGETS, *SURVEY], "--targets must follow the --survey it describes"),
    ([*SURVEY, "--targets", TARGETS, "--targets", TARGETS], "--targets must follow the --survey it describes"),
    ([*SURVEY, "--cap", "3"], "--cap caps raked weights: give --targets T.csv after each --survey to rake"),
])
def test_annex_refuses_targets_that_belong_to_no_survey_in_one_line(tmp_path, capsys, args, words):
    try:
        code = main(["annex", "--out", str(tmp_path / "out"), *args,
                     "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"])
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1, err
