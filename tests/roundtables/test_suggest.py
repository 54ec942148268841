"""Offline theme suggestions: deterministic, no network, measured on held-out events; the suggester
as a coder; Krippendorff's alpha against the krippendorff package."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

from feedback import access
from feedback.__main__ import main
from feedback.errors import InputError, Refused
from feedback.roundtables import seed, store, suggest, views
from feedback.roundtables.coding import (
    SUGGESTER_CODER,
    agreement,
    auto_code,
    coders,
    disagreements,
    krippendorff_alpha,
    multi_agreement,
)
from feedback.roundtables.themes import load_themes

NEW_WORDING = Path(__file__).resolve().parents[1] / "fixtures" / "new_wording.csv"


@pytest.fixture
def offline(monkeypatch):
    """No network: an internet socket's connect fails the test (local Unix sockets, which the readers'
    child processes use, are left alone)."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guard(real):
        def connect(self, address, *args):
            if self.family != getattr(socket, "AF_UNIX", None):
                raise AssertionError(f"the suggester tried to use the network: {address!r}")
            return real(self, address, *args)
        return connect

    def refuse(*args, **kwargs):
        raise AssertionError("the suggester tried to look up a network address")

    monkeypatch.setattr(socket.socket, "connect", guard(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guard(real_connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_network_guard_works(offline):
    with pytest.raises(AssertionError, match="network"), socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.connect(("127.0.0.1", 9))


def test_the_shipped_examples_are_the_sample_s_intended_codes(sample_generator):
    assert suggest.CODED_EXAMPLES.read_text(encoding="utf-8") == sample_generator.coded_examples_csv()
    assert len(suggest.load_examples()) == len(sample_generator.expected_points()) == 54


def test_suggestions_are_deterministic_ranked_and_explained(offline):
    cb = load_themes()
    texts = ["Young people in crisis wait weeks for a psychiatric bed.",
             "Meeting the 15 working day deadline for rapid reviews is hard.", "", "Lunch was at noon."]
    first = suggest.Suggester(cb, suggest.load_examples()).suggest(texts)
    again = suggest.Suggester(cb, list(reversed(suggest.load_examples()))).suggest(texts)
    assert [[(s.code, s.score) for s in r] for r in first] == [[(s.code, s.score) for s in r] for r in again]
    bed, rapid, empty, lunch = first
    assert bed[0].code == "mental_health_suicide" and bed[0].suggested
    assert bed[0].reason.startswith("like a coded point")
    assert "tier 4 mental health beds" in bed[0].reason
    assert rapid[0] == suggest.Suggestion("rapid_review_timescales", 1.0, True,
                                          "the codebook's words: rapid reviews, deadline, 15 working day")
    assert [s.score for s in bed] == sorted((s.score for s in bed), reverse=True)
    assert empty == [] and all(not s.suggested for s in lunch)


def test_held_out_events_agree_with_the_people_s_codes(offline):
    cb, examples = load_themes(), suggest.load_examples()
    alone = suggest.held_out_agreement(cb, examples, use_rules=False)
    both = suggest.held_out_agreement(cb, examples, use_rules=True)
    # Measured (docs/roundtables.md): nearest examples alone alpha 0.865, exact 0.778, top-1 0.944;
    # with the rules alpha 0.941, exact 0.889. Floors just below, so a worse method fails.
    assert alone["points"] == 54 and alone["events"] == 10
    assert alone["alpha"] >= 0.86 and alone["exact"] >= 0.77 and alone["top1"] >= 0.94
    assert both["alpha"] >= 0.94 and both["exact"] >= 0.88 and both["recall"] == 1.0


def test_new_wording_the_rules_miss():
    cb = load_themes()
    data = pd.read_csv(NEW_WORDING)
    rows = suggest.Suggester(cb, suggest.load_examples()).suggest(list(data["text"]))
    missed_by_rules = sum(code not in auto_code(text, cb)
                          for text, code in zip(data["text"], data["codes"], strict=True))
    in_top3 = sum(code in [s.code for s in r] for code, r in zip(data["codes"], rows, strict=True))
    suggested = sum(code in [s.code for s in r if s.suggested] for code, r in zip(data["codes"], rows, strict=True))
    first = sum(bool(r) and r[0].code == code for code, r in zip(data["codes"], rows, strict=True))
    assert (len(data), missed_by_rules) == (12, 11)
    assert (in_top3, first, suggested) == (10, 8, 5)  # measured; docs/roundtables.md


def test_cli_suggest_themes_csv_is_offline_and_the_same_twice(capsys, offline, sample_files):
    files = [str(f) for f in sample_files[:2]]
    assert main(["roundtables", "suggest-themes", *files, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert main(["roundtables", "suggest-themes", *files, "--format", "csv"]) == 0
    assert capsys.readouterr().out == out
    table = pd.read_csv(io.StringIO(out.lstrip("\ufeff")))
    assert list(table.columns) == ["file", "point", "text", "rank", "code", "sub_theme", "score", "suggested",
                                   "reason", "coder"]
    assert set(table["coder"]) == {"suggester tfidf-1"}
    top = table[table["rank"] == 1]
    assert top["point"].tolist() == list(range(1, len(top) + 1)) or len(top) == len(top["text"].unique())
    assert main(["roundtables", "suggest-themes", files[0]]) == 0
    text = capsys.readouterr().out
    assert "01_north_east.docx point 1:" in text and "score 1.00 (suggested): the codebook's words" in text


def test_two_thousand_points_within_ten_seconds_of_cpu(offline):
    import time

    from tools.synthetic import suggest_points

    texts = suggest_points(2000)
    assert len(set(texts)) == 2000 and suggest_points(2000) == texts
    start = time.process_time()
    rows = suggest.Suggester(load_themes(), suggest.load_examples()).suggest(texts)
    assert time.process_time() - start < 10.0  # CPU time: the shared machine's load does not count
    assert len(rows) == 2000


def test_the_same_csv_in_two_processes_with_different_hash_seeds(sample_files):
    import os
    import subprocess
    import sys

    outs = []
    for seed_ in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed_,
               "PYTHONPATH": os.pathsep.join([str(Path(suggest.__file__).resolve().parents[2]),
                                              os.environ.get("PYTHONPATH", "")])}
        done = subprocess.run([sys.executable, "-m", "feedback", "roundtables", "suggest-themes",
                               str(sample_files[4]), "--format", "csv"], env=env, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        outs.append(done.stdout)
    assert outs[0] == outs[1] and outs[0].count(b"\n") > 5


def test_bench_suggest_writes_its_section(tmp_path, offline):
    from tools import bench

    target = tmp_path / "performance.md"
    target.write_text("# Performance\n\n## Other\n\nkept\n", encoding="utf-8")
    assert bench.main(["--suggest", "--repeats", "1", "--write", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "## Other\n\nkept" in text and "## Roundtable theme suggestions: 2,000 points within 10 s" in text
    assert "| 2,000 |" in text and text.count("| yes |") + text.count("| yes on CPU time |") == 1


# ---------------------------------------------------------------- agreement for any number of coders


def _random_reliability(seed_: int, coders_: int, units: int, categories: int, missing: float) -> np.ndarray:
    rng = np.random.default_rng(seed_)
    truth = rng.integers(0, categories, units)
    data = np.where(rng.random((coders_, units)) < 0.7, truth, rng.integers(0, categories, (coders_, units)))
    data = data.astype(float)
    data[rng.random((coders_, units)) < missing] = np.nan
    return data


@pytest.mark.parametrize("seed_,coders_,units,categories,missing", [
    (1, 2, 40, 2, 0.0), (2, 3, 50, 2, 0.2), (3, 4, 30, 5, 0.3), (4, 5, 80, 3, 0.4), (5, 2, 15, 4, 0.1)])
def test_alpha_equals_the_krippendorff_package(seed_, coders_, units, categories, missing):
    data = _random_reliability(seed_, coders_, units, categories, missing)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha(data) == pytest.approx(expected, abs=1e-12)


def test_alpha_known_values_and_undefined():
    # Krippendorff's own example (nominal, 4 coders, 12 units, missing values): alpha = 0.743
    nan = np.nan
    data = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
                     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
                     [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
                     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]])
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)
    assert np.isnan(krippendorff_alpha(np.array([[1.0, 1.0], [1.0, 1.0]])))  # one category: nothing to expect
    assert np.isnan(krippendorff_alpha(np.array([[1.0, nan], [nan, 2.0]])))  # nothing pairable


def _codings():
    rows = [(1, "Ann", ("a",)), (1, "Ben", ("a",)), (1, "Cat", ("a", "b")),
            (2, "Ann", ()), (2, "Ben", ("b",)),
            (3, "Ann", ("b",)), (3, "Ben", ("b",)), (3, "Cat", ("b",)),
            (4, "Cat", ("a",))]  # coded by one coder only
    return pd.DataFrame(rows, columns=["point_id", "coder", "codes"])


def test_multi_coder_agreement_per_sub_theme_and_pooled():
    codings = _codings()
    table = multi_agreement(codings, ["Ann", "Ben", "Cat"], ["a", "b"], {"a": "Alpha", "b": "Beta"})
    assert table["sub_theme"].tolist() == ["Alpha", "Beta", "All sub-themes"]
    assert table["points_compared"].tolist() == [3, 3, 3]
    # sub-theme b: point 1 (no, no, yes) 1 of 3 pairs agree; point 2 (no, yes) 0 of 1; point 3 all agree
    assert table.loc[1, "percent_agreement"] == pytest.approx((1 / 3 + 0 + 1) / 3)
    assert table.loc[0, "percent_agreement"] == pytest.approx(1.0)
    for j, code in enumerate(["a", "b"]):
        data = np.full((3, 4), np.nan)
        for point, coder, codes in codings.itertuples(index=False):
            data[["Ann", "Ben", "Cat"].index(coder), point - 1] = code in codes
        assert table.loc[j, "alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-12)
    # two coders: the same decisions Cohen's kappa counts
    pair = agreement(codings, "Ann", "Ben", ["a", "b"])
    two = multi_agreement(codings, ["Ann", "Ben"], ["a", "b"])
    assert two["percent_agreement"].tolist()[:2] == pytest.approx(pair["observed_agreement"].tolist())


def test_disagreements_list_each_coder_s_codes():
    table = disagreements(_codings(), ["Ann", "Ben", "Cat"], {"a": "Alpha", "b": "Beta"})
    assert table.to_dict("records") == [
        {"point_id": 1, "Ann": "Alpha", "Ben": "Alpha", "Cat": "Alpha; Beta"},
        {"point_id": 2, "Ann": "(none)", "Ben": "Beta", "Cat": ""},
    ]


# ---------------------------------------------------------------- the suggester as a coder


@pytest.fixture
def seeded(engine):
    assert seed.seed_if_empty(engine) == 10
    return engine


def test_the_suggester_is_recorded_as_a_coder_and_never_in_force(seeded, offline):
    engine = seeded
    before = views.current_codes(store.load_frames(engine).codings)
    assert store.record_suggestions(engine, "Ann") == 52  # 54 sample points, two merged as near-identical
    frames = store.load_frames(engine)
    mine = frames.codings[frames.codings["coder"] == SUGGESTER_CODER]
    assert len(mine) == 52 and mine["matched"].map(bool).all()
    pd.testing.assert_frame_equal(views.current_codes(frames.codings), before)  # counts unchanged
    assert coders(frames.codings) == [SUGGESTER_CODER, "rules"]
    table = multi_agreement(frames.codings, ["rules", SUGGESTER_CODER], [c.id for c in load_themes().codes])
    # each event's points suggested from the other events only, so about the held-out figure
    assert table["coders"].iloc[-1] == 2 and table["points_compared"].iloc[-1] == 52
    assert 0.93 <= table.iloc[-1]["alpha"] < 1
    assert store.record_suggestions(engine, "Ann") == 0  # the same again: nothing changed
    with pytest.raises(InputError, match="automatic coder"):
        store.code_point(engine, int(frames.points["point_id"].iloc[0]), [], SUGGESTER_CODER, None)
    lead = access.User(name="Lee", role=access.REGIONAL_LEAD, region="London")
    with pytest.raises(Refused):
        store.record_suggestions(engine, lead)


def test_a_point_s_suggestions_in_words(offline, sample_files):
    from feedback.roundtables.read import read_notes

    cb = load_themes()
    frames = views.frames_from_notes([read_notes(f.name, f.read_bytes()) for f in sample_files[:2]], cb)
    offered = suggest.for_point(frames, cb, 1, "Meeting the 15 working day deadline for rapid reviews is hard.")
    assert offered and offered[0].code == "rapid_review_timescales" and offered[0].suggested
    line = suggest.describe(offered[0], 1, cb.names())
    assert line.startswith(f"1. {cb.names()['rapid_review_timescales']}: score ") and ", suggested. Why: " in line
    assert suggest.for_point(frames, cb, 1, "Lunch was at noon.") == []
    assert suggest.NONE_OFFERED == "No sub-theme scored 0.15 or more: code this point by hand."
