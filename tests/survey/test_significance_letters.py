"""Tab-book column letters (results table and XLSX export) and the pairwise command."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from feedback.__main__ import main
from feedback.survey.codebook import dump_codebook
from feedback.survey.rates import rates_by_group
from feedback.survey.significance import column_letters, group_letters, pairwise
from tests.survey.engine_helpers import frontline_like

REQUIRED = ["question", "by", "group_a", "group_b", "p_a", "p_b", "diff", "se", "ci_low", "ci_high", "t", "df",
            "p_value", "p_adj", "sig"]


@pytest.fixture
def survey(tmp_path):
    frame, codebook = frontline_like(n=900, seed=41, weighted=True)
    data, cb = tmp_path / "survey.csv", tmp_path / "survey.toml"
    frame.to_csv(data, index=False)
    cb.write_text(dump_codebook(codebook), encoding="utf-8")
    return str(data), str(cb), frame, codebook


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def expected_letters(res: pd.DataFrame, pairs: pd.DataFrame) -> dict:
    """(question, by, group) -> the letters it should carry, worked out from the pairwise table."""
    letter = {(b, g): c for (b, g), c in zip(zip(res["by"], res["group"]), res["letter"])}
    want: dict = {}
    for row in pairs.itertuples():
        if row.sig:
            hi, lo = (row.group_a, row.group_b) if row.sig == "higher" else (row.group_b, row.group_a)
            want.setdefault((row.question, row.by, hi), []).append(letter[(row.by, lo)])
    return {k: "".join(sorted(v)) for k, v in want.items()}


def test_group_letters_run_past_z():
    assert group_letters(range(28))[:3] == ["A", "B", "C"]
    assert group_letters(range(28))[25:] == ["Z", "AA", "AB"]


def test_each_cell_carries_the_letters_of_the_groups_it_is_higher_than(survey):
    _, _, frame, codebook = survey
    res = rates_by_group(frame, codebook, by=(("role",), ("region",)))
    roles = res[(res["by"] == "role") & (res["question"] == "aware_reviews")]
    assert list(roles["letter"]) == ["A", "B", "C", "D"]  # display order: roles alphabetically
    assert (res.loc[res["by"] == "total", "letter"] == "").all()
    pairs = pairwise(res)
    want = expected_letters(res, pairs)
    assert want, "the fixture has significant differences"
    got = {(q, b, g): h for q, b, g, h in zip(res["question"], res["by"], res["group"], res["higher_than"]) if h}
    assert got == want
    # Lower adjustment, more letters: letters follow the adjusted p-values.
    loose = column_letters(res, level=0.95, adjust="none")
    assert (loose["higher_than"].str.len() >= res["higher_than"].str.len()).all()


def test_letters_in_the_xlsx_export_and_the_legend_in_notes(capsys, survey, tmp_path):
    data, cb, frame, codebook = survey
    out = tmp_path / "rates.xlsx"
    code, _, err = run(capsys, "rates", data, "--codebook", cb, "--by", "role", "--out", out)
    assert code == 0, err
    wb = load_workbook(out)
    ws = wb["Rates"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    res = rates_by_group(frame, codebook, by=(("role",),))
    assert [r["letter"] or "" for r in rows] == list(res["letter"])
    assert [r["higher_than"] or "" for r in rows] == list(res["higher_than"])
    assert any(r["higher_than"] for r in rows)
    notes = [c.value for (c,) in wb["Notes"].iter_rows()]
    assert "Column letters (role): A = Education, B = Health, C = Police, D = Social worker." in notes
    assert any("design-based t test" in (n or "") for n in notes)


def test_pairwise_command_csv_json_and_xlsx(capsys, survey, tmp_path):
    data, cb, frame, codebook = survey
    code, out, err = run(capsys, "pairwise", data, "--codebook", cb, "--by", "role", "--by", "region")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and err == ""
    assert all(c in table.columns for c in REQUIRED)
    assert set(table["by"]) == {"role", "region"} and (table["test"] == "design").all()
    assert len(table) == 3 * (6 + 6)  # three questions, 4 roles and 4 regions: 6 pairs each
    assert (table["df"] == table["n_a"] + table["n_b"] - 2).all()
    res = rates_by_group(frame, codebook, by=(("role",), ("region",)))
    np.testing.assert_allclose(table["p_value"], pairwise(res)["p_value"], rtol=1e-9)

    code, out, _ = run(capsys, "pairwise", data, "--codebook", cb, "--by", "role", "--test", "effective-base",
                       "--adjust", "none", "--format", "json", "--filter", 'region="London"')
    records = json.loads(out)
    assert code == 0 and {r["test"] for r in records} == {"effective-base"}
    assert all(r["p_adj"] == r["p_value"] for r in records)

    path = tmp_path / "pairs.xlsx"
    code, _, _ = run(capsys, "pairwise", data, "--codebook", cb, "--by", "role", "--out", path)
    wb = load_workbook(path)
    assert code == 0 and wb.sheetnames == ["Pairwise", "Notes"]
    notes = " ".join(str(c.value) for (c,) in wb["Notes"].iter_rows())
    assert "design-based t test" in notes


def test_pairwise_command_needs_a_grouping(capsys, survey):
    data, cb, _, _ = survey
    code, _, err = run(capsys, "pairwise", data, "--codebook", cb)
    assert code == 2 and "--by role" in err and len(err.strip().splitlines()) == 1


def test_rates_test_and_effective_base_rules_from_the_cli(capsys, survey):
    data, cb, _, _ = survey
    code, out, _ = run(capsys, "rates", data, "--codebook", cb, "--by", "role", "--test", "effective-base",
                       "--small-base-on", "unweighted,effective", "--small-base", "10,200")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and set(table["test"]) == {"effective-base"} and table["df_vs_rest"].isna().all()
    assert ((table["n_eff"] < 200) == (table["flag"] == "[u]")).all()
    code, _, err = run(capsys, "rates", data, "--codebook", cb, "--small-base-on", "weighted")
    assert code == 2 and "unweighted or effective" in err
