"""The survey settings value: one set of defaults shared by the pages and the command line,
options that carry their labels, and command-line options that give the same settings back."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from feedback.__main__ import build_parser
from feedback.errors import InputError
from feedback.intervals import METHODS
from feedback.survey.settings import Adjust, Base, Level, Method, Settings, SignificanceTest
from feedback.survey.significance import ADJUSTMENTS, TESTS

ROOT = Path(__file__).resolve().parents[2]


def test_the_options_are_the_engine_s_own_with_labels():
    assert Method.values() == list(METHODS)
    assert set(SignificanceTest.values()) == set(TESTS)
    assert set(Adjust.values()) == set(ADJUSTMENTS)
    assert Base.values() == ["n", "n_eff"]
    assert Method.label_of("clopper-pearson") == "Clopper–Pearson (exact)"
    assert Level.label_of(0.95) == "95%" and Level.label_of(0.8) == "80%"
    assert Adjust.label_of("unknown") == "unknown"


@pytest.mark.parametrize("command", ["rates", "table"])
def test_the_command_line_defaults_are_the_settings_defaults(command):
    args = build_parser().parse_args([command, "survey.csv"])
    assert Settings.from_args(args) == Settings()


def test_pairwise_has_no_method_and_reads_the_default():
    args = build_parser().parse_args(["pairwise", "survey.csv", "--by", "role", "--test", "rao-scott"])
    assert not hasattr(args, "method")
    assert Settings.from_args(args) == Settings(test="rao-scott")


def test_options_give_the_same_settings_back():
    chosen = Settings(method="beta", level=0.9, suppress=5, flag=50, suppress_on="n", flag_on="n_eff",
                      adjust="bh", test="effective-base")
    options = " ".join(chosen.options()).split()
    assert Settings.from_args(build_parser().parse_args(["rates", "survey.csv", *options])) == chosen
    assert Settings().options() == ["--method wilson", "--level 0.95"]  # defaults left out, but method and level


def test_values_are_read_as_typed_and_checked():
    s = Settings(level="0.99", suppress="3", flag=7.0, suppress_on="effective", flag_on="unweighted base")
    assert (s.level, s.suppress, s.flag, s.suppress_on, s.flag_on) == (0.99, 3, 7, "n_eff", "n")
    assert s.thresholds == (3, 7, "n_eff", "n")
    assert s.small_base.suppress == 3 and s.small_base.flag_on == "n"
    assert set(s.engine()) == {"method", "level", "small_base", "adjust", "test"}
    with pytest.raises(InputError, match="unknown method"):
        Settings(method="bootstrap")
    with pytest.raises(InputError, match="unknown test"):
        Settings(test="chi")


def test_the_pages_controls_open_on_the_settings_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/results.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {w.key: w.value for w in [*at.selectbox, *at.number_input] if w.key and w.key.startswith("survey_")}
    want = {f"survey_{name}": value for name, value in Settings().as_dict().items()}
    assert {k: shown[k] for k in want} == want
