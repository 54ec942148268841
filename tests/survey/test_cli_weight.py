"""python -m feedback weight, and rates --targets: outputs against R, and each refusal (exit 2, one line)."""

import io

import numpy as np
import pandas as pd
import pytest

from feedback.__main__ import main
from tests.survey.engine_helpers import FIXTURES

API = FIXTURES / "api"
CODEBOOK = """[columns]
role = "stype"
region = ""
weight = "pw"
[[questions]]
id = "high_api"
column = "high_api"
positive = ["Yes"]
[[questions]]
id = "awards"
column = "awards"
positive = ["Yes"]
"""


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path):
    cb = tmp_path / "api.toml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    return API / "apiclus1_rake.csv", cb, tmp_path


def targets_file(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text("variable,category,target\n" + text, encoding="utf-8")
    return path


def test_weight_writes_the_rows_and_r_raked_weight_and_prints_diagnostics(capsys, files):
    data, cb, tmp = files
    out = tmp / "out.csv"
    code, text, err = run(capsys, "weight", data, "--codebook", cb, "--targets", API / "apiclus1_targets.csv",
                          "--out", out)
    assert code == 0 and err == ""
    written = pd.read_csv(out, encoding="utf-8-sig", dtype={"id": str})
    original = pd.read_csv(data, dtype={"id": str})
    assert list(written.columns) == list(original.columns) + ["rake_weight"] and len(written) == len(original) == 183
    r = pd.read_csv(API / "apiclus1_raked_weights.csv")
    np.testing.assert_allclose(written["rake_weight"], r["rake_weight"], rtol=1e-9)
    w = r["rake_weight"].to_numpy()
    kish = len(w) * (w**2).sum() / w.sum() ** 2
    for line in ("iterations", f"weighting efficiency {1 / kish:.1%}", f"Kish design effect {kish:.4f}",
                 f"smallest weight {w.min():.6g}", f"largest weight {w.max():.6g}", "trimmed by the cap: 0"):
        assert line in text, line


def test_cap_trims_and_reports_how_many(capsys, files):
    data, cb, tmp = files
    code, text, _ = run(capsys, "weight", data, "--codebook", cb, "--targets", API / "apiclus1_targets.csv",
                        "--out", tmp / "o.csv", "--cap", "2.5")
    w = pd.read_csv(tmp / "o.csv", encoding="utf-8-sig")["rake_weight"]
    trimmed = int(text.split("trimmed by the cap: ")[1].split()[0])
    assert code == 0 and trimmed > 0 and w.max() <= 2.5 * w.mean() * (1 + 1e-9)
    assert (np.isclose(w, 2.5 * w.mean(), rtol=1e-9)).sum() == trimmed


@pytest.mark.parametrize("targets, message", [
    ("stype,E,0.7\nstype,H,0.2\nstype,M,0.1\nstype,X,0.1\n", "target category 'X' is not in the data"),
    ("stype,E,0.7\nstype,H,0.3\n", "data category 'M' (25 respondent(s)) has no target"),
    ("stype,E,0.7\nstype,H,0.2\nstype,M,0.2\n", "shares of variable 'stype' sum to 1.1, not 1"),
    ("stype,E,0.7\nstype,H,0.2\nstype,M,0.1\nsize,small,0.5\nsize,medium,0.5\nsize,large,0\n", "not a number above 0"),
    ("stype,E,700\nstype,H,200\nstype,M,100\nsize,small,500\nsize,medium,400\nsize,large,50\n",
     "add up to different totals"),
    ("nothing,E,1\n", "neither a codebook column"),
])
def test_each_refusal_is_one_line_with_exit_2(capsys, files, targets, message):
    data, cb, tmp = files
    for command in (["weight", data, "--out", tmp / "o.csv"], ["rates", data]):
        code, out, err = run(capsys, *command, "--codebook", cb, "--targets", targets_file(tmp, targets))
        assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_no_convergence_is_refused(capsys, files):
    data, cb, tmp = files
    code, _, err = run(capsys, "weight", data, "--codebook", cb, "--targets", API / "apiclus1_targets.csv",
                       "--out", tmp / "o.csv", "--cap", "1.2")
    assert code == 2 and "did not converge" in err and err.count("\n") == 1


def test_rates_with_targets_equals_r_and_says_so(capsys, files):
    data, cb, tmp = files
    code, out, _ = run(capsys, "rates", data, "--codebook", cb, "--targets", API / "apiclus1_targets.csv",
                       "--by", "role", "--format", "json")
    res = pd.read_json(io.StringIO(out))
    want = pd.read_csv(API / "apiclus1_raked_expected.csv").query("kind == 'domain' and by in ('total', 'stype')")
    want = want.assign(by=want["by"].replace({"stype": "role"}))
    j = want.merge(res, on=["question", "by", "group"], suffixes=("_r", ""))
    assert code == 0 and len(j) == 8
    np.testing.assert_allclose(j["se"], j["se_r"], rtol=1e-8)
    code, _, _ = run(capsys, "rates", data, "--codebook", cb, "--targets", API / "apiclus1_targets.csv",
                     "--out", tmp / "r.xlsx")
    import openpyxl

    notes = " ".join(str(c) for r in openpyxl.load_workbook(tmp / "r.xlsx")["Notes"].iter_rows(values_only=True)
                     for c in r if c)
    assert code == 0 and "raking (stype, size, meals)" in notes and "calfun" in notes


def test_pairwise_on_raked_weights_equals_r(capsys, files):
    data, cb, _ = files
    code, out, err = run(capsys, "pairwise", data, "--codebook", cb, "--by", "role", "--targets",
                         API / "apiclus1_targets.csv", "--small-base", "0,0", "--adjust", "none")
    pairs = pd.read_csv(io.StringIO(out))
    want = pd.read_csv(API / "apiclus1_raked_expected.csv").query("kind == 'pair' and by == 'stype'")
    pairs["group"] = pairs["group_a"] + " - " + pairs["group_b"]
    j = want.merge(pairs, on=["question", "group"], suffixes=("_r", ""))
    assert code == 0 and len(j) == 6
    np.testing.assert_allclose(j["p_value"], j["p_value_r"], rtol=1e-8)
