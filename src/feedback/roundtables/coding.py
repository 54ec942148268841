"""Coding points to sub-themes: automatic rules that show the words they
matched, and agreement between two coders (Cohen's kappa per sub-theme).

A coding is one coder's set of codes for one point. The rules are a coder
too (``RULES_CODER``), so a person's check of the automatic codes is measured
the same way as a second person's.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from feedback.roundtables.themes import ThemeCodebook

RULES_CODER = "rules"


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces: 'Multi-agency' and 'multi agency' read the same."""
    return " ".join(re.sub(r"[^\w]+", " ", str(text).casefold()).split())


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str] | None:
    """A rule term as a regex on normalised text: whole words, a trailing * matches any ending."""
    parts: list[str] = []
    for word in term.split():
        tokens = normalise(word.rstrip("*")).split()
        if not tokens:
            continue
        parts.extend(re.escape(t) for t in tokens)
        if word.endswith("*"):
            parts[-1] += r"\w*"
    return re.compile(r"\b" + " ".join(parts) + r"\b") if parts else None


def match_rule(rule: str, normal_text: str) -> list[str] | None:
    """The words a rule matched in already-normalised text, or None when it does not match."""
    found: list[str] = []
    for term in rule.split("&"):
        pattern = _term_pattern(term.strip())
        if pattern is None:
            continue
        hit = pattern.search(normal_text)
        if hit is None:
            return None
        found.append(hit.group(0))
    return found or None


def auto_code(text: str, codebook: ThemeCodebook) -> dict[str, list[str]]:
    """{code id: matched words} for every sub-theme whose rules match the point."""
    normal = normalise(text)
    codes: dict[str, list[str]] = {}
    for code in codebook.codes:
        words: list[str] = []
        for rule in code.rules:
            hit = match_rule(rule, normal)
            if hit:
                words.extend(w for w in hit if w not in words)
        if words:  # drop words already inside a longer match ("sharing" within "information sharing")
            codes[code.id] = [w for w in words if not any(w != o and f" {w} " in f" {o} " for o in words)]
    return codes


def auto_code_frame(points: pd.DataFrame, codebook: ThemeCodebook, *, text: str = "text") -> pd.DataFrame:
    """Long frame (one row per point x matched code): the points' columns plus ``code`` and ``matched``."""
    rows = [(idx, code, ", ".join(words)) for idx, value in points[text].items()
            for code, words in auto_code(value, codebook).items()]
    long = pd.DataFrame(rows, columns=["_idx", "code", "matched"])
    return points.join(long.set_index("_idx"), how="inner").reset_index(drop=True)


# ---------------------------------------------------------------- agreement


def agreement(codings: pd.DataFrame, coder_a: str, coder_b: str, code_ids: list[str],
              names: dict[str, str] | None = None) -> pd.DataFrame:
    """Cohen's kappa per sub-theme between two coders, over the points both coded.

    ``codings`` has one row per (point_id, coder) with ``codes`` an iterable of
    code ids (an empty set is a decision too: "none of these"). For each
    sub-theme the two coders' yes/no decisions form a 2x2 table; kappa is
    undefined ([z], NaN) when both coders gave the same answer on every point
    (chance agreement is then 1).
    """
    a = codings.loc[codings["coder"] == coder_a].drop_duplicates("point_id", keep="last").set_index("point_id")
    b = codings.loc[codings["coder"] == coder_b].drop_duplicates("point_id", keep="last").set_index("point_id")
    both = a.index.intersection(b.index)
    n = len(both)
    ids = list(code_ids)
    mat_a = np.array([[c in set(codes) for c in ids] for codes in a.loc[both, "codes"]], dtype=bool).reshape(n, len(ids))
    mat_b = np.array([[c in set(codes) for c in ids] for codes in b.loc[both, "codes"]], dtype=bool).reshape(n, len(ids))
    yes_yes = (mat_a & mat_b).sum(axis=0)
    yes_no = (mat_a & ~mat_b).sum(axis=0)
    no_yes = (~mat_a & mat_b).sum(axis=0)
    no_no = (~mat_a & ~mat_b).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_obs = (yes_yes + no_no) / n
        p_a, p_b = (yes_yes + yes_no) / n, (yes_yes + no_yes) / n
        p_exp = p_a * p_b + (1 - p_a) * (1 - p_b)
        kappa = np.where(np.isclose(p_exp, 1.0), np.nan, (p_obs - p_exp) / (1 - p_exp))
    return pd.DataFrame({
        "code": ids,
        "sub_theme": [(names or {}).get(c, c) for c in ids],
        "double_coded": n,
        "both_yes": yes_yes, "only_" + "a": yes_no, "only_" + "b": no_yes, "both_no": no_no,
        "observed_agreement": p_obs if n else np.nan,
        "kappa": kappa if n else np.nan,
        "coder_a": coder_a, "coder_b": coder_b,
    })


def coders(codings: pd.DataFrame) -> list[str]:
    """Coders by number of points coded (most first), the rules last."""
    counts = codings.groupby("coder")["point_id"].nunique().sort_values(ascending=False, kind="stable")
    people = [c for c in counts.index if c != RULES_CODER]
    return people + ([RULES_CODER] if RULES_CODER in counts.index else [])
