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
# Coders that are programs, not people: they never put a coding in force (views count, per point,
# the latest person's coding, else the rules'). The suggester's name is kept here so this module
# does not import the suggester.
SUGGESTER_CODER = "suggester tfidf-1"
MACHINE_CODERS = (RULES_CODER, SUGGESTER_CODER)


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
    mat_a = np.array([[c in set(codes) for c in ids] for codes in a.loc[both, "codes"]],
                     dtype=bool).reshape(n, len(ids))
    mat_b = np.array([[c in set(codes) for c in ids] for codes in b.loc[both, "codes"]],
                     dtype=bool).reshape(n, len(ids))
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
    """Coders by number of points coded (most first), the programs (rules, suggester) last."""
    counts = codings.groupby("coder")["point_id"].nunique().sort_values(ascending=False, kind="stable")
    people = [c for c in counts.index if c not in MACHINE_CODERS]
    return people + [c for c in (SUGGESTER_CODER, RULES_CODER) if c in counts.index]


# ---------------------------------------------------------------- any number of coders


def krippendorff_alpha(data: np.ndarray) -> float:
    """Krippendorff's alpha, nominal, for a (coders x units) array of category values with NaN for a
    missing coding. Units with fewer than two codings are not pairable and are left out. NaN when
    there is no disagreement to expect (one category only, or fewer than two pairable values)."""
    data = np.asarray(data, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    if len(values) == 0:
        return float("nan")
    # counts[u, c]: how many coders put unit u in category c
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1).astype(float)
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    n = m.sum()
    if n < 2:
        return float("nan")
    # coincidences o[c, k] = sum over units of n_uc * (n_uk - [c == k]) / (m_u - 1)
    weighted = counts / (m - 1)[:, None]
    o = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = o.sum(axis=1)
    expected = (n_c.sum() ** 2 - (n_c ** 2).sum())
    if expected <= 0:
        return float("nan")
    observed = o.sum() - np.trace(o)
    return float(1.0 - (n - 1) * observed / expected)


def _decisions(codings: pd.DataFrame, coder_list: list[str], code_ids: list[str]) -> tuple[list, np.ndarray]:
    """(points, array coders x points x codes) of 1/0 decisions, NaN where a coder did not code a point."""
    latest = codings.loc[codings["coder"].isin(coder_list)].drop_duplicates(["point_id", "coder"], keep="last")
    points = sorted(latest["point_id"].unique())
    p_index = {p: i for i, p in enumerate(points)}
    c_index = {c: i for i, c in enumerate(coder_list)}
    out = np.full((len(coder_list), len(points), len(code_ids)), np.nan)
    for coder, point, codes in latest[["coder", "point_id", "codes"]].itertuples(index=False):
        chosen = set(codes)
        out[c_index[coder], p_index[point]] = [c in chosen for c in code_ids]
    return points, out


def multi_agreement(codings: pd.DataFrame, coder_list: list[str], code_ids: list[str],
                    names: dict[str, str] | None = None) -> pd.DataFrame:
    """Per sub-theme, for any number of coders: Krippendorff's alpha (nominal, yes/no, missing codings
    allowed), percent agreement (share of agreeing pairs of coders over points coded by two or more,
    averaged over those points) and how many such points there are; a last row 'All sub-themes'
    pools every (point, sub-theme) decision."""
    points, dec = _decisions(codings, coder_list, code_ids)
    n_points = int(((~np.isnan(dec[:, :, 0])).sum(axis=0) >= 2).sum()) if code_ids else 0
    rows = []
    for j, code in enumerate([*code_ids, None]):
        data = dec.reshape(len(coder_list), -1) if code is None else dec[:, :, j]
        present = ~np.isnan(data)
        m = present.sum(axis=0)
        yes = np.nansum(data, axis=0)
        pairable = m >= 2
        agree_pairs = yes * (yes - 1) / 2 + (m - yes) * (m - yes - 1) / 2
        pairs = m * (m - 1) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = float(np.mean(agree_pairs[pairable] / pairs[pairable])) if pairable.any() else float("nan")
        rows.append({"code": code or "",
                     "sub_theme": "All sub-themes" if code is None else (names or {}).get(code, code),
                     "coders": len(coder_list), "points_compared": n_points,
                     "percent_agreement": pct, "alpha": krippendorff_alpha(data)})
    return pd.DataFrame(rows)


def disagreements(codings: pd.DataFrame, coder_list: list[str], names: dict[str, str] | None = None,
                  ) -> pd.DataFrame:
    """The points where the coders (two or more of them) did not give the same set of sub-themes,
    with each coder's codes: the list to review."""
    latest = codings.loc[codings["coder"].isin(coder_list)].drop_duplicates(["point_id", "coder"], keep="last")
    label = (names or {})
    rows = []
    for point, group in latest.groupby("point_id", sort=True):
        if len(group) < 2:
            continue
        sets = {coder: frozenset(codes) for coder, codes in zip(group["coder"], group["codes"], strict=True)}
        if len(set(sets.values())) > 1:
            row = {"point_id": point}
            for coder in coder_list:
                row[coder] = ("; ".join(label.get(c, c) for c in sorted(sets[coder])) or "(none)") \
                    if coder in sets else ""
            rows.append(row)
    return pd.DataFrame(rows, columns=["point_id", *coder_list])
