"""python -m feedback annex: files written, bad input refused in one line."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from feedback.__main__ import main

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
    assert wb["Table 1"].max_row > 10
    assert (out / "figures.ods").read_bytes()[:2] == b"PK"
    assert "figures)" in capsys.readouterr().out
    assert doc.core_properties.title == "Draft annual report annexes: London"


def test_annex_cli_detail_full_and_wave_comparison_only_when_asked(tmp_path):
    out = tmp_path / "out"
    args = ["annex", "--survey", f"{SURVEYS}/partners_2021.sav", "--codebook", f"{SURVEYS}/partners_2021.toml",
            "--survey", f"{SURVEYS}/partners_2022.sav", "--codebook", f"{SURVEYS}/partners_2022.toml",
            "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"]
    assert main([*args, "--out", str(out / "default")]) == 0
    assert main([*args, "--out", str(out / "full"), "--detail", "full", "--compare-waves"]) == 0
    default = Document(io.BytesIO((out / "default" / "annex.docx").read_bytes()))
    full = Document(io.BytesIO((out / "full" / "annex.docx").read_bytes()))
    text = "\n".join(p.text for p in default.paragraphs)
    assert "2022 (synthetic)" not in text and len(default.inline_shapes) == 1  # the audit chart only
    full_text = "\n".join(p.text for p in full.paragraphs)
    assert "2022 (synthetic)" in full_text and len(full.inline_shapes) >= 4


def test_annex_cli_refuses_a_codebook_without_its_survey(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["annex", "--out", str(tmp_path), "--codebook", f"{SURVEYS}/frontline_2021.toml"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "--codebook must follow the --survey" in err and len(err.strip().splitlines()) == 1


def test_annex_cli_refuses_an_unknown_region(tmp_path, capsys):
    assert main(["annex", "--out", str(tmp_path), "--region", "Atlantis"]) == 2
    assert "--region 'Atlantis' is not one of" in capsys.readouterr().err


def test_annex_cli_honours_the_test_and_the_small_base_rules(tmp_path, capsys):
    from feedback.survey.significance import TEST_NAMES

    out = tmp_path / "out"
    code = main(["annex", "--out", str(out), "--survey", f"{SURVEYS}/partners_2021.sav", "--codebook",
                 f"{SURVEYS}/partners_2021.toml", "--test", "effective-base", "--small-base", "10,140",
                 "--small-base-on", "unweighted,effective", "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"])
    assert code == 0
    wb = openpyxl.load_workbook(out / "figures.xlsx")
    rows = list(wb["Table 1"].iter_rows(min_row=2, values_only=True))
    header, body = rows[0], rows[1:]
    tests = [r[header.index("Test")] for r in body if str(r[header.index("Group")]).startswith("role:")]
    assert tests and all(TEST_NAMES["effective-base"] in t for t in tests)
    notes = " ".join(str(v) for r in wb["Notes"].iter_rows(values_only=True) for v in r if v)
    assert TEST_NAMES["effective-base"] in notes and "effective base below 140" in notes
    text = "\n".join(p.text for p in Document(io.BytesIO((out / "annex.docx").read_bytes())).paragraphs)
    assert "fewer than 140 answered" not in text
    assert "the effective base is under 140, so treat with caution [u]" in text


def test_annex_cli_refuses_an_unknown_test(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["annex", "--out", str(tmp_path), "--test", "chi-squared"])
    assert exit_.value.code == 2 and "--test" in capsys.readouterr().err
