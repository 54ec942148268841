"""python -m feedback annex: files written, bad input refused in one line."""

from __future__ import annotations

import io

import openpyxl
import pytest
from docx import Document

from feedback.__main__ import main

from pathlib import Path

SURVEYS = str(Path(__file__).resolve().parents[2] / "data" / "surveys")


def test_annex_cli_writes_docx_and_figures_for_a_region_and_template(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "make_annex_template.py"
    spec = importlib.util.spec_from_file_location("make_annex_template", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build().save(tmp_path / "house.docx")
    out = tmp_path / "out"
    code = main(["annex", "--out", str(out), "--survey", f"{SURVEYS}/frontline_2021.xlsx", "--codebook",
                 f"{SURVEYS}/frontline_2021.toml", "--region", "london", "--template", str(tmp_path / "house.docx"),
                 "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"])
    assert code == 0
    doc = Document(io.BytesIO((out / "annex.docx").read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Frontline professionals survey 2021" in text and "Region: London" in text
    assert "Safeguarding partners survey" not in text  # only the survey given
    wb = openpyxl.load_workbook(out / "figures.xlsx")
    assert wb["Figures"].max_row > 10
    assert "figures)" in capsys.readouterr().out


def test_annex_cli_refuses_a_codebook_without_its_survey(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["annex", "--out", str(tmp_path), "--codebook", f"{SURVEYS}/frontline_2021.toml"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "--codebook must follow the --survey" in err and len(err.strip().splitlines()) == 1


def test_annex_cli_refuses_an_unknown_region(tmp_path, capsys):
    assert main(["annex", "--out", str(tmp_path), "--region", "Atlantis"]) == 2
    assert "--region 'Atlantis' is not one of" in capsys.readouterr().err
