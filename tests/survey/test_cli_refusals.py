"""Edge cases that used to pass silently: each refused with exit 2 and one line, or handled."""

import io

import pandas as pd
import pytest

from feedback.__main__ import main
from feedback.errors import InputError
from feedback.survey.codebook import dump_codebook
from feedback.survey.rates import rates_by_group
from tests.survey.engine_helpers import frontline_like

CB = """[survey]
wave = "{wave}"
[columns]
role = "role"
region = "region"
weight = "w"
[[questions]]
id = "q1"
column = "q1"
positive = ["Yes"]
"""


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err


def _files(tmp_path, rows: str, wave="2021", name="s"):
    data, cb = tmp_path / f"{name}.csv", tmp_path / f"{name}.toml"
    data.write_text("role,region,q1,w\n" + rows, encoding="utf-8")
    cb.write_text(CB.format(wave=wave), encoding="utf-8")
    return data, cb


@pytest.mark.parametrize("command", ["rates", "pairwise"])
def test_all_zero_weights_are_refused(capsys, tmp_path, command):
    data, cb = _files(tmp_path, "A,London,Yes,0\nB,London,No,0\nA,London,No,0\n")
    code, out, err = run(capsys, command, data, "--codebook", cb, "--by", "role")
    assert code == 2 and out == ""
    assert "every weight in column 'w' is 0" in one_line(err)


def test_all_zero_weights_refused_by_the_engine():
    frame, codebook = frontline_like(n=50, weighted=True)
    frame["wt"] = 0.0
    with pytest.raises(InputError, match="every weight"):
        rates_by_group(frame, codebook)


def test_a_header_row_with_no_data_rows_says_there_are_no_respondents(capsys, tmp_path):
    data, cb = _files(tmp_path, "")
    code, out, err = run(capsys, "rates", data, "--codebook", cb)
    assert code == 2 and "there are no respondents" in one_line(err) and "no header row" not in err


def test_change_with_a_bad_weight_prints_one_line(capsys, tmp_path):
    bad, cb1 = _files(tmp_path, "A,London,Yes,x\nB,London,No,1\n", "2021", "before")
    good, cb2 = _files(tmp_path, "A,London,Yes,1\nB,London,No,1\n", "2022", "after")
    code, out, err = run(capsys, "change", bad, good, "--codebook", cb1, "--codebook", cb2)
    assert code == 2 and "'w' is not numeric" in one_line(err)


def test_pairwise_takes_the_small_base_rules_of_rates(capsys, tmp_path):
    frame, codebook = frontline_like(n=300, seed=5, weighted=True)
    data, cb = tmp_path / "f.csv", tmp_path / "f.toml"
    frame.to_csv(data, index=False)
    cb.write_text(dump_codebook(codebook), encoding="utf-8")
    rules = ("--small-base", "60,80", "--small-base-on", "effective")
    code, out, _ = run(capsys, "rates", data, "--codebook", cb, "--by", "role", *rules)
    rates = pd.read_csv(io.StringIO(out))
    roles = rates[rates["by"] == "role"]
    suppressed = set(zip(roles.loc[roles["flag"] == "[c]", "question"], roles.loc[roles["flag"] == "[c]", "group"]))
    assert code == 0 and 0 < len(suppressed) < len(roles)
    code, out, _ = run(capsys, "pairwise", data, "--codebook", cb, "--by", "role", *rules)
    pairs = pd.read_csv(io.StringIO(out))
    assert code == 0 and len(pairs)
    tested = lambda p: set(zip(p["question"], p["group_a"])) | set(zip(p["question"], p["group_b"]))  # noqa: E731
    assert not tested(pairs) & suppressed  # never tests what rates suppresses
    code, out, _ = run(capsys, "pairwise", data, "--codebook", cb, "--by", "role")
    assert tested(pd.read_csv(io.StringIO(out))) & suppressed  # the default rules test them
    code, _, err = run(capsys, "pairwise", data, "--codebook", cb, "--by", "role", "--small-base", "x")
    assert code == 2 and "--small-base" in one_line(err)
