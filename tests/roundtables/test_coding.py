"""Theme codebook, automatic coding rules, and Cohen's kappa against statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from feedback.errors import InputError
from feedback.roundtables.coding import agreement, auto_code, coders, match_rule, normalise
from feedback.roundtables.themes import dump_themes, load_themes

TOML = """
[codebook]
title = "t"
[[themes]]
name = "Reviews"
  [[themes.subthemes]]
  id = "rr"
  name = "Rapid review timescales"
  keywords = ["rapid review* & timescale*"]
  phrases = ["15 working day*"]
  [[themes.subthemes]]
  id = "ma"
  name = "Multi-agency"
  keywords = ["cps"]
  phrases = ["multi-agency learning review*"]
"""


def test_rules_whole_words_wildcards_and_both_terms():
    cb = load_themes(TOML)
    assert auto_code("Our rapid reviews keep missing the timescales.", cb) == {"rr": ["rapid reviews", "timescales"]}
    assert auto_code("Rapid reviews are good.", cb) == {}  # '&' needs both terms
    assert auto_code("It took 15 Working-Days.", cb) == {"rr": ["15 working days"]}
    assert auto_code("The CPSx team; a Multi Agency learning review.", cb) == {"ma": ["multi agency learning review"]}
    assert auto_code("cps", cb) == {"ma": ["cps"]}
    assert match_rule("suicid*", normalise("Suicidal ideation")) == ["suicidal"]
    assert match_rule("tier 4", normalise("tier 40 beds")) is None


def test_seeded_codebook_codes_every_sample_point_as_intended(sample_generator):
    cb = load_themes()
    wrong = [(text, codes, set(auto_code(text, cb))) for _, text, codes in sample_generator.expected_points()
             if set(auto_code(text, cb)) != codes]
    assert wrong == []


def test_seeded_codebook_covers_every_annex_c_point(sample_generator):
    cb = load_themes()
    for code, text in sample_generator.ANNEX_C.items():
        assert code in auto_code(text, cb), text


def test_codebook_round_trips_and_rejects_bad_input():
    cb = load_themes()
    again = load_themes(dump_themes(cb))
    assert again.codes == cb.codes and again.themes == cb.themes
    assert len(cb.themes) >= 3 and len(cb.codes) >= 9
    with pytest.raises(InputError, match="used twice"):
        load_themes(TOML.replace('id = "ma"', 'id = "rr"'))
    with pytest.raises(InputError, match="not valid TOML"):
        load_themes("[[themes]\nname=")
    with pytest.raises(InputError, match="must be a list"):
        load_themes(TOML.replace('keywords = ["cps"]', 'keywords = "cps"'))


def _random_codings(seed: int, n: int = 60):
    rng = np.random.default_rng(seed)
    ids = ["a", "b", "c", "d"]
    rows = []
    for point in range(n):
        base = rng.random(len(ids)) < [0.5, 0.2, 0.05, 0.0]
        flip = rng.random(len(ids)) < 0.2
        rows.append((point, "Ann", tuple(c for c, yes in zip(ids, base) if yes)))
        rows.append((point, "Ben", tuple(c for c, yes in zip(ids, base ^ flip) if yes)))
    rows.append((999, "Ann", ("a",)))  # coded by one coder only: not double-coded
    return pd.DataFrame(rows, columns=["point_id", "coder", "codes"]), ids


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # statsmodels std errors at edges
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kappa_matches_statsmodels(seed):
    codings, ids = _random_codings(seed)
    result = agreement(codings, "Ann", "Ben", ids).set_index("code")
    assert (result["double_coded"] == 60).all()
    for code in ids:
        row = result.loc[code]
        table = np.array([[row["both_yes"], row["only_a"]], [row["only_b"], row["both_no"]]])
        assert table.sum() == 60
        if np.isnan(row["kappa"]):  # undefined only when both coders gave one answer throughout
            assert row["both_yes"] == 60 or row["both_no"] == 60
            continue
        assert row["kappa"] == pytest.approx(cohens_kappa(table).kappa, abs=1e-12)


def test_kappa_perfect_and_undefined():
    rows = [(p, c, ("x",) if p % 2 else ()) for p in range(10) for c in ("Ann", "Ben")]
    result = agreement(pd.DataFrame(rows, columns=["point_id", "coder", "codes"]), "Ann", "Ben", ["x", "y"])
    assert result.loc[0, "kappa"] == pytest.approx(1.0)
    assert np.isnan(result.loc[1, "kappa"])  # nobody ever used "y"
    empty = agreement(pd.DataFrame(rows, columns=["point_id", "coder", "codes"]), "Ann", "Cat", ["x"])
    assert empty.loc[0, "double_coded"] == 0 and np.isnan(empty.loc[0, "kappa"])


def test_coders_people_first_rules_last():
    frame = pd.DataFrame({"point_id": [1, 2, 1, 1], "coder": ["rules", "rules", "Ann", "Ben"],
                          "codes": [(), (), (), ()]})
    assert coders(frame) == ["Ann", "Ben", "rules"]
