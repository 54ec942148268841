"""python -m feedback rates / codebook suggest: outputs, options, and one-line errors with exit 2."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from feedback.__main__ import main
from feedback.survey.codebook import dump_codebook, load_codebook
from feedback.survey.rates import COLUMNS
from tests.survey.engine_helpers import frontline_like

ROOT = Path(__file__).resolve().parents[2]
PARTNERS = ROOT / "data" / "surveys" / "partners_2021.sav"
PARTNERS_CB = ROOT / "data" / "surveys" / "partners_2021.toml"


@pytest.fixture
def survey(tmp_path):
    """A weighted CSV and its TOML codebook."""
    frame, codebook = frontline_like(n=500, seed=31, weighted=True)
    codebook.questions[2].text = "=HYPERLINK(\"http://example.com\")"  # formula-like text from a file
    data, cb = tmp_path / "survey.csv", tmp_path / "survey.toml"
    frame.to_csv(data, index=False)
    cb.write_text(dump_codebook(codebook), encoding="utf-8")
    return str(data), str(cb)


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_rates_csv_to_stdout_total_only_by_default(capsys, survey):
    data, cb = survey
    code, out, err = run(capsys, "rates", data, "--codebook", cb)
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0 and err == ""
    assert list(frame.columns) == COLUMNS
    assert frame["group"].tolist() == ["Total"] * 3
    assert frame["p"].between(0, 1).all()
    # Formula-like text is neutralised in the CSV, as in every export.
    assert frame.loc[2, "question_text"].startswith("'=HYPERLINK")


@pytest.mark.parametrize("cross", ["role*region", "role x region", "role×region", "role * region"])
def test_repeated_by_and_crossings(capsys, survey, cross):
    data, cb = survey
    code, out, _ = run(capsys, "rates", data, "--codebook", cb, "--by", "role", "--by", "region", "--by", cross)
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0
    first = frame[frame["question"] == "aware_reviews"]
    assert first["by"].iloc[0] == "total"
    assert list(dict.fromkeys(first["by"])) == ["total", "role", "region", "role × region"]
    assert "Health / London" in set(first["group"])


def test_filter_method_level_small_base_and_adjust(capsys, survey):
    data, cb = survey
    _, full, _ = run(capsys, "rates", data, "--codebook", cb, "--by", "region", "--method", "logit",
                     "--level", "0.9", "--small-base", "5,20")
    code, london, _ = run(capsys, "rates", data, "--codebook", cb, "--filter", 'region="London"', "--method",
                          "logit", "--level", "90", "--small-base", "5,20", "--adjust", "bh")
    full, london = pd.read_csv(io.StringIO(full)), pd.read_csv(io.StringIO(london))
    assert code == 0 and (london["level"] == 0.9).all() and (london["method"] == "logit").all()
    want = full[full["group"] == "London"].reset_index(drop=True)
    pd.testing.assert_series_equal(london["p"], want["p"])
    pd.testing.assert_series_equal(london["ci_low"], want["ci_low"])
    pd.testing.assert_series_equal(london["n"], want["n"])


def test_json_and_xlsx_outputs(capsys, survey, tmp_path):
    data, cb = survey
    code, out, _ = run(capsys, "rates", data, "--codebook", cb, "--by", "role*region", "--format", "json")
    records = json.loads(out)
    assert code == 0 and list(records[0]) == COLUMNS
    assert any(r["flag"] == "[c]" and r["p"] is None for r in records)  # NaN -> null
    target = tmp_path / "rates.xlsx"
    code, out, _ = run(capsys, "rates", data, "--codebook", cb, "--by", "role", "--out", target)
    sheets = pd.read_excel(target, sheet_name=None, engine="openpyxl")
    assert code == 0 and out == ""
    assert list(sheets) == ["Rates", "Notes"]
    assert list(sheets["Rates"].columns) == COLUMNS and len(sheets["Rates"]) == 3 * 5
    csv_target = tmp_path / "rates.csv"
    assert run(capsys, "rates", data, "--codebook", cb, "--out", csv_target)[0] == 0
    assert pd.read_csv(csv_target, encoding="utf-8-sig")["group"].tolist() == ["Total"] * 3


def test_sample_partners_sav_reads_through_the_cli(capsys):
    code, out, err = run(capsys, "rates", PARTNERS, "--codebook", PARTNERS_CB, "--by", "role")
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0, err
    total = frame[frame["by"] == "total"].set_index("question")
    assert total.loc["should_be_independent", "n"] == 139
    assert round(total.loc["should_be_independent", "p"] * 100) == 90


def test_codebook_suggest_prints_toml_that_rates_accepts(capsys, tmp_path, survey):
    data, _ = survey
    code, out, _ = run(capsys, "codebook", "suggest", data)
    assert code == 0
    codebook = load_codebook(out)
    assert codebook.role == "role" and codebook.region == "region" and codebook.weight == "wt"
    cb = tmp_path / "suggested.toml"
    cb.write_text(out, encoding="utf-8")
    code, rates, _ = run(capsys, "rates", data, "--codebook", cb)
    assert code == 0 and len(pd.read_csv(io.StringIO(rates))) == len(codebook.questions)


BAD = [
    (["rates", "{data}"], "--codebook"),
    (["rates", "{missing}", "--codebook", "{cb}"], "cannot read"),
    (["rates", "{data}", "--codebook", "{cb}", "--format", "xlsx"], "--out"),
    (["rates", "{data}", "--codebook", "{cb}", "--small-base", "ten"], "--small-base"),
    (["rates", "{data}", "--codebook", "{cb}", "--small-base", "30,10"], "--small-base"),
    (["rates", "{data}", "--codebook", "{cb}", "--filter", "region"], "KEY=VALUE"),
    (["rates", "{data}", "--codebook", "{cb}", "--filter", "region=Atlantis"], "Atlantis"),
    (["rates", "{data}", "--codebook", "{cb}", "--by", "shoe_size"], "shoe_size"),
    (["rates", "{data}", "--codebook", "{cb}", "--level", "2"], "level"),
    (["rates", "{data}", "--codebook", "{cb}", "--method", "bayes"], "bayes"),
    (["rates", "{data}", "--codebook", "{cb}", "--out", "{tmp}/rates.pdf"], "format"),
    (["rates", "{data}", "--codebook", "{badcb}"], "agree"),
    (["rates", "{data}", "--codebook", "{data}"], "codebook"),
    (["rates", "{data}", "--codebook", "{cb}", "--unknown-option"], "unrecognized"),
    (["codebook", "suggest", "{missing}"], "cannot read"),
]


@pytest.mark.parametrize("argv,needle", BAD, ids=[" ".join(a[2:]) or a[0] for a, _ in BAD])
def test_bad_input_exits_2_with_one_line(capsys, survey, tmp_path, argv, needle):
    data, cb = survey
    badcb = tmp_path / "bad.toml"
    badcb.write_text(Path(cb).read_text(encoding="utf-8").replace('column = "agree"', 'column = "agreee"'),
                     encoding="utf-8")
    names = {"data": data, "cb": cb, "badcb": badcb, "missing": tmp_path / "nope.csv", "tmp": tmp_path}
    args = [a.format(**names) for a in argv]
    try:
        code = main(args)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out = capsys.readouterr()
    assert code == 2
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error") and needle in lines[0], out.err
    assert out.out == ""


def test_real_process_exit_status_and_single_line(survey):
    data, _ = survey
    done = subprocess.run([sys.executable, "-m", "feedback", "rates", data], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "--codebook" in done.stderr


def test_data_tables_workbook_is_routed_to_the_tables_reader(capsys):
    tables = ROOT / "data" / "surveys" / "frontline_2021_tables.xlsx"
    codebook = ROOT / "data" / "surveys" / "frontline_2021.toml"
    code, out, err = run(capsys, "rates", tables, "--codebook", codebook, "--by", "role")
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0, err
    assert (frame["source"] == "data tables").all() and list(frame.columns) == COLUMNS
    total = frame[frame["by"] == "total"].set_index("question")
    assert round(total.loc["heard_of_panel", "p"] * 100) == 49
    code, _, err = run(capsys, "rates", tables, "--codebook", codebook, "--by", "role*region")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_the_commands_shown_on_the_pages_carry_the_settings():
    from types import SimpleNamespace

    from feedback.survey.cli import change_command, cli_command
    from feedback.survey.settings import Settings

    waves = [SimpleNamespace(filename=f"partners_{y}.sav", kind="respondents", raking=None) for y in (2021, 2022)]
    text = change_command(waves, grouping="Role × region", region="London", settings=Settings(level=0.9, adjust="bh"))
    assert text == ("python -m feedback change partners_2021.sav partners_2022.sav --codebook partners_2021.toml "
                    "--codebook partners_2022.toml --by role*region --filter region=\"London\" --level 0.9 --adjust bh")
    tables = SimpleNamespace(filename="t.xlsx", kind="data tables", raking=None)
    rates = cli_command(tables, grouping="Role", region=None, settings=Settings(test="rao-scott", suppress=5))
    assert rates == "python -m feedback rates t.xlsx --by role --method wilson --level 0.95 --small-base 5,30"
