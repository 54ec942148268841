"""Waves of a yearly survey: the same audience asked again, year on year.

Each wave is its own file and codebook; waves of one audience are linked by
question id. A question asked in only some waves appears for those waves. A
question whose wording, positive answers, excluded answers or routing changed
is a break in the series (``[b]``): its change is neither tested nor given an
interval (or a standard error) across the break unless its codebook says
``comparable = true``.

The waves are independent samples, so the variance of a change is the sum of
the two domain variances the survey engine already gives (each group, and any
filter, a domain of its wave's full design). That is what R ``survey`` gives
with the waves stacked as strata (``svydesign(ids = ~1, strata = ~wave,
weights = ~weight)``, ``svyby(..., covmat = TRUE)``, ``svycontrast``): the
strata do not share units, so the two estimates do not covary. Intervals and
tests are Wald on the normal reference.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri  # scipy.stats' own normal functions, without its 0.5 s import

from feedback.errors import InputError
from feedback.intervals import DEFAULT_SMALL_BASE, SmallBase, check_level, check_method
from feedback.survey.answers import answer_key
from feedback.survey.rates import rates_by_group
from feedback.survey.significance import UNTESTABLE, adjust_pvalues, at_boundary, check_adjust, check_test, untestable

CHANGE_COLUMNS = ["question", "question_text", "base_label", "by", "group", "wave_before", "wave_after",
                  "n_before", "n_after", "p_before", "p_after", "change", "se", "ci_low", "ci_high", "z",
                  "p_value", "p_adj", "sig", "flag", "level", "adjust", "source", "test"]
TREND_COLUMNS = ["wave", "wave_order", "question", "question_text", "base_label", "by", "group", "n",
                 "base_weighted", "p", "ci_low", "ci_high", "se", "flag", "source"]
SERIES_COLUMNS = ["question", "question_text", "wave", "wave_order", "present", "break_before"]
DEFAULT_BY = (("role",), ("region",))
BREAK = "[b]"
# How ``change`` tests a change, in words (the annex's figures workbook and notes quote it).
CHANGE_TEST = ("Wald z test of the change on two independent samples (se = sqrt(se_before² + se_after²), "
               "each the design-based standard error of its wave)")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
# The audiences of the Panel's yearly surveys: codebook [survey] audience -> who answered.
AUDIENCE_NAMES = {"partners": "Safeguarding partners", "frontline": "Frontline professionals"}


def audience_words(audience: str) -> str:
    """Who answered, in words: "Frontline professionals" for "frontline"."""
    audience = str(audience or "")
    return AUDIENCE_NAMES.get(audience, audience.capitalize())


@dataclass
class Wave:
    """One wave: its label (e.g. "2022 (synthetic)") and the loaded survey (``loading.Survey``)."""

    label: str
    survey: object

    @property
    def year(self) -> int | None:
        found = _YEAR.search(self.label)
        return int(found.group()) if found else None

    @property
    def audience(self) -> str:
        return str(getattr(self.survey, "audience", "") or "")

    @property
    def synthetic(self) -> bool:
        """An invented wave (its label says so, as the sample's "2022 (synthetic)" does)."""
        return "synthetic" in self.label.lower()


def wave_label(survey) -> str:
    """The codebook's ``[survey] wave``, else the first year in title, fieldwork or file name."""
    given = str(getattr(getattr(survey, "codebook", None), "wave", "") or "").strip()
    if given:
        return given
    for text in (getattr(survey, "title", ""), getattr(survey, "fieldwork", ""), getattr(survey, "filename", ""),
                 getattr(survey, "name", "")):
        found = _YEAR.search(str(text or ""))
        if found:
            return found.group()
    return str(getattr(survey, "filename", "") or getattr(survey, "name", "") or "wave")


def load_wave(filename: str, content: bytes, codebook_text: str | None = None, *, label: str | None = None,
              kind: str = "auto", targets: str | None = None, cap: float | None = None) -> Wave:
    """Read one wave (respondent-level file with its codebook, or a data tables workbook);
    ``targets`` (CSV text of population margins) and ``cap`` rake it, as ``loading.load_survey``."""
    from feedback.survey.loading import load_survey

    survey = load_survey(filename, content, codebook_text, kind=kind, targets=targets, cap=cap)
    if targets and survey.kind != "respondents":
        raise InputError(f"{filename} is a data tables workbook: raking (--targets) needs respondent-level data")
    return Wave(label or wave_label(survey), survey)


def sort_waves(waves: Iterable[Wave]) -> list[Wave]:
    """Oldest first, by the year in each label (waves without a year keep their place at the end)."""
    waves = list(waves)
    labels = [w.label for w in waves]
    if len(set(labels)) != len(labels):
        twice = sorted({x for x in labels if labels.count(x) > 1})
        raise InputError(f"two waves have the same label {twice[0]!r}: give each wave its own "
                         "[survey] wave = \"...\" in its codebook")
    order = sorted(range(len(waves)), key=lambda i: (waves[i].year is None, waves[i].year or 0, i))
    return [waves[i] for i in order]


# ---------------------------------------------------------------- questions across waves

def _questions(wave: Wave) -> dict[str, dict]:
    """Per question id: text, and (with a codebook) positive/excluded answers, base question, comparable."""
    survey = wave.survey
    cb = getattr(survey, "codebook", None)
    out: dict[str, dict] = {}
    if survey.kind == "respondents" or cb is not None:
        for q in cb.questions:
            out[q.id] = {"text": q.text or q.id, "positive": frozenset(answer_key(a) for a in q.positive),
                         "exclude": frozenset(answer_key(a) for a in q.exclude), "base": q.base_question,
                         "comparable": bool(getattr(q, "comparable", False))}
    if survey.kind != "respondents":
        present = survey.questions()
        texts = dict(zip(present["question"], present["question_text"]))
        out = {qid: out.get(qid, {"text": texts[qid], "comparable": False}) for qid in texts}
    return out


def _key_text(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _changed(old: dict, new: dict) -> bool:
    """Did the question change between two versions (only what both versions record is compared)?"""
    if _key_text(old["text"]) != _key_text(new["text"]):
        return True
    return any(k in old and k in new and old[k] != new[k] for k in ("positive", "exclude", "base"))


def is_break(old: dict, new: dict) -> bool:
    """A break in the series: the question changed and the later codebook does not say it compares."""
    return _changed(old, new) and not new.get("comparable", False)


def series(waves: Iterable[Wave]) -> pd.DataFrame:
    """One row per question x wave (oldest first): whether that wave asked it, and whether
    the series breaks there (``[b]``: changed since the last wave that asked it)."""
    waves = sort_waves(waves)
    per_wave = [_questions(w) for w in waves]
    ids = list(dict.fromkeys(q for qs in per_wave for q in qs))
    rows = []
    for qid in ids:
        last = None
        for order, (wave, qs) in enumerate(zip(waves, per_wave)):
            q = qs.get(qid)
            rows.append({"question": qid, "question_text": (q or last or {}).get("text", qid), "wave": wave.label,
                         "wave_order": order, "present": q is not None,
                         "break_before": bool(q is not None and last is not None and is_break(last, q))})
            last = q if q is not None else last
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


# ---------------------------------------------------------------- figures per wave

def _normalise_by(by) -> tuple[tuple[str, ...], ...]:
    if by is None:
        return ()
    if isinstance(by, str):
        by = (by,)
    return tuple((g,) if isinstance(g, str) else tuple(g) for g in by)


def wave_rates(wave: Wave, *, by=DEFAULT_BY, filter: Mapping | None = None, level: float = 0.95,
               method: str = "wilson", small_base: SmallBase = DEFAULT_SMALL_BASE) -> pd.DataFrame:
    """The results model of one wave (respondents: ``rates_by_group``, on the raked design when the
    wave was raked (``Survey.raking``); data tables: ``rates_from_tables``)."""
    survey = wave.survey
    by = _normalise_by(by)
    if survey.kind == "respondents":
        return rates_by_group(survey.frame, survey.codebook, by=by, filter=filter, method=method, level=level,
                              small_base=small_base, adjust="none", raking=getattr(survey, "raking", None))
    from feedback.survey.data_tables import rates_from_tables

    try:
        return rates_from_tables(survey.tables, survey.codebook, by=None if filter else by, filter=filter,
                                 level=level, method=method, small_base=small_base)
    except InputError as err:
        raise InputError(f"wave {wave.label} ({survey.filename}): {err}") from None


def trend(waves: Iterable[Wave], *, by=DEFAULT_BY, filter: Mapping | None = None, level: float = 0.95,
          method: str = "wilson", small_base: SmallBase = DEFAULT_SMALL_BASE) -> pd.DataFrame:
    """One row per wave x question x group, oldest wave first; ``[b]`` on the first wave after a break."""
    waves = sort_waves(waves)
    level, method = check_level(level), check_method(method)
    parts = []
    for order, wave in enumerate(waves):
        r = wave_rates(wave, by=by, filter=filter, level=level, method=method, small_base=small_base)
        parts.append(r.assign(wave=wave.label, wave_order=order))
    out = pd.concat(parts, ignore_index=True)
    breaks = series(waves)
    breaks = breaks[breaks["break_before"]][["question", "wave"]].assign(_b=True)
    out = out.merge(breaks, on=["question", "wave"], how="left")
    marked = out["_b"].eq(True)
    out["flag"] = np.where(marked, (BREAK + " " + out["flag"].astype(str)).str.strip(), out["flag"])
    return out[TREND_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- change between two waves

def change(before: Wave, after: Wave, *, by=DEFAULT_BY, filter: Mapping | None = None, level: float = 0.95,
           adjust: str = "holm", small_base: SmallBase = DEFAULT_SMALL_BASE, method: str = "wilson",
           test: str = "design") -> pd.DataFrame:
    """Change from ``before`` to ``after`` for every shared question x group (docs/architecture.md).

    Questions in one wave only are left out and named in ``attrs["left_out"]``. ``test``:
    ``design`` (Wald z; where either wave is at 0% or 100%, Rao-Scott), or ``rao-scott``
    everywhere: R's ``svychisq(~y + wave, subset(design, group), statistic = "F")`` with the
    waves stacked as strata (respondent-level waves only; data tables keep the Wald z).
    A raked wave (``Survey.raking``) gives its rates and standard errors on the raked design
    (R's ``calibrate(calfun = "raking")``); the change is then always tested by the Wald z.
    """
    level, adjust, test = check_level(level), check_adjust(adjust), check_test(test)
    if test == "effective-base":
        raise InputError("change tests with the Wald z (design) or Rao-Scott: use --test design or rao-scott")
    if before.label == after.label:
        raise InputError(f"both waves are labelled {before.label!r}: give each wave its own "
                         "[survey] wave = \"...\" in its codebook")
    raked = any(getattr(w.survey, "raking", None) is not None for w in (before, after))
    if raked and test == "rao-scott":
        raise InputError("the Rao-Scott test of a change is not available on raked waves: use --test design "
                         "(the Wald z on the raked design's standard errors)")
    qb, qa = _questions(before), _questions(after)
    shared = [q for q in qa if q in qb]
    left_out = {q: f"only in {before.label}" for q in qb if q not in qa}
    left_out.update({q: f"only in {after.label}" for q in qa if q not in qb})
    if not shared:
        raise InputError(f"waves {before.label} and {after.label} share no question id: link the waves by "
                         "giving the same question the same id in both codebooks")
    rb = wave_rates(before, by=by, filter=filter, level=level, method=method, small_base=small_base)
    ra = wave_rates(after, by=by, filter=filter, level=level, method=method, small_base=small_base)
    keys = ["question", "by", "group"]
    pieces = ["base_weighted", "sw2_pos", "sw2_neg", "n_design"]
    merged = ra[ra["question"].isin(shared)].merge(rb[keys + ["n", "p", "se", "flag", "source"] + pieces], on=keys,
                                                   suffixes=("_after", "_before"), how="inner", sort=False)
    p_b, p_a = merged["p_before"].to_numpy(float), merged["p_after"].to_numpy(float)
    se = np.sqrt(merged["se_before"].to_numpy(float) ** 2 + merged["se_after"].to_numpy(float) ** 2)
    diff = p_a - p_b
    broken = merged["question"].map({q: is_break(qb[q], qa[q]) for q in shared}).to_numpy(bool)
    suppressed = (merged["flag_before"] == "[c]").to_numpy() | (merged["flag_after"] == "[c]").to_numpy()
    low_base = (merged["flag_before"] == "[u]").to_numpy() | (merged["flag_after"] == "[u]").to_numpy()
    diff = np.where(suppressed, np.nan, diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.nan))
    # Both waves at 0%, or both at 100%: nothing to test ([z]); left out of the Holm/BH family.
    none = untestable(p_b, p_a) & ~suppressed & ~broken
    z = np.where(broken | suppressed | none, np.nan, z)
    p_value = 2 * ndtr(-np.abs(z))
    col = lambda c: merged[c].to_numpy(dtype=float)  # noqa: E731
    use_rs = np.isfinite(col("sw2_pos_before")) & np.isfinite(col("sw2_pos_after")) & np.isfinite(z)
    use_rs &= True if test == "rao-scott" else at_boundary(p_b, p_a)
    use_rs &= not raked  # the Rao-Scott sums do not allow for the calibration: raked waves keep the Wald z
    if use_rs.any():
        root, p_rs, nu = _rao_scott_change(col, p_b, p_a, rb.attrs.get("n_sample"), ra.attrs.get("n_sample"))
        z, p_value = np.where(use_rs, root, z), np.where(use_rs, p_rs, p_value)
    families = merged["question"].astype(str) + "\x1f" + merged["by"].astype(str)
    p_adj = adjust_pvalues(p_value, families.to_numpy(), adjust)
    crit = ndtri(1 - (1 - level) / 2)
    shown_se = np.where(suppressed | broken, np.nan, se)  # a break [b]: neither tested nor given an interval
    significant = p_adj < 1 - level
    flag = pd.Series(np.where(broken, BREAK, "")).str.cat(
        pd.Series(np.where(suppressed, "[c]", np.where(low_base, "[u]", ""))), sep=" ").str.cat(
        pd.Series(np.where(none, UNTESTABLE, "")), sep=" ").str.strip().str.replace("  ", " ")
    source = np.where((merged["source_before"] == "data tables") | (merged["source_after"] == "data tables"),
                      "data tables", "respondents")
    out = pd.DataFrame({
        "question": merged["question"], "question_text": merged["question_text"],
        "base_label": merged["base_label"], "by": merged["by"], "group": merged["group"],
        "wave_before": before.label, "wave_after": after.label,
        "n_before": merged["n_before"].astype(np.int64), "n_after": merged["n_after"].astype(np.int64),
        "p_before": np.where(suppressed, np.nan, p_b), "p_after": np.where(suppressed, np.nan, p_a),
        "change": diff, "se": shown_se, "ci_low": diff - crit * shown_se, "ci_high": diff + crit * shown_se,
        "z": z, "p_value": p_value, "p_adj": p_adj,
        "sig": np.where(significant & (diff > 0), "up", np.where(significant & (diff < 0), "down", "")),
        "flag": flag.to_numpy(), "level": level, "adjust": adjust, "source": source,
        "test": np.where(use_rs, "rao-scott", "wald"),
    })
    out.attrs["left_out"] = left_out
    return out[CHANGE_COLUMNS].reset_index(drop=True)


def _rao_scott_change(col, p_b, p_a, n_b, n_a):
    """Rao-Scott F of answer by wave, the waves stacked as strata: (signed root, p-value, nu).

    Each wave is a stratum of N_h respondents; the variance of the contrast is the strata's sum,
    each centred on its stratum's mean (R's onestrat, the group a domain of its wave):
    Σ_h [Σ_k∈h coef_k² sw2_k - (Σ_k∈h coef_k W_k)² / (N_h - 1)], the sw2 columns holding
    N_h/(N_h-1) Σw². nu = the group's respondents in both waves less the two strata.
    """
    from feedback.survey.significance import rao_scott_coefficients, rao_scott_test

    w_b, w_a = col("base_weighted_before"), col("base_weighted_after")
    coef = rao_scott_coefficients(p_b, w_b, p_a, w_a)
    var = 0.0
    for (c1, c0), p, w, side, n in (((coef[0], coef[1]), p_b, w_b, "before", n_b),
                                     ((coef[2], coef[3]), p_a, w_a, "after", n_a)):
        n = float(n) if n else np.nan
        within = c1**2 * col(f"sw2_pos_{side}") + c0**2 * col(f"sw2_neg_{side}")
        total = c1 * p * w + c0 * (1 - p) * w
        var = var + within - total**2 / (n - 1)
    nu = col("n_design_before") + col("n_design_after") - 2
    root, p_value = rao_scott_test(p_b, w_b, np.nan, np.nan, p_a, w_a, np.nan, np.nan, nu, var=var)
    return -root, p_value, nu  # the root's sign follows the change (after - before)


def latest_change(waves: Iterable[Wave], **options) -> pd.DataFrame:
    """The change between the last two waves (oldest first), with ``change``'s keywords."""
    waves = sort_waves(waves)
    if len(waves) < 2:
        raise InputError("a change needs two waves of the same audience")
    return change(waves[-2], waves[-1], **options)


def change_words(row) -> str:
    """A change in words, as on the Overview cards: "▲ 5 pts, significant" / "no significant change"."""
    flag = str(getattr(row, "flag", "") or "")
    if BREAK in flag:
        return "not comparable (question changed) [b]"
    value = getattr(row, "change", np.nan)
    if value is None or not np.isfinite(value):
        return "too few responses to compare [c]"
    points = 100 * float(value)
    if getattr(row, "sig", "") in ("up", "down"):
        arrow = "▲" if row.sig == "up" else "▼"
        return f"{arrow} {abs(points):.0f} pts, significant"
    return "no significant change"


# ---------------------------------------------------------------- the embedded sample waves

def grouping_for(series: list[Wave], grouping: str) -> str:
    """The grouping a series can be shown by: published tables do not cross role with region,
    so a series with a data tables wave falls back to role and region apart."""
    if any(w.survey.kind != "respondents" for w in series) and grouping == "Role × region":
        return "Role and region"
    return grouping


def series_audiences() -> list[str]:
    """The audiences that have an embedded series of waves (respondent-level or data tables)."""
    return [a for k in ("respondents", "data tables") for a in sample_series(k)]


def series_position(survey) -> tuple[list, int]:
    """The embedded series (samples, oldest first) the survey is one of, and its place; ([], -1) if none.
    Read from the codebooks only: no survey file is opened here."""
    samples = sample_series(survey.kind).get(survey.audience or "", [])
    for i, sample in enumerate(samples):
        if sample.data_file == survey.filename and sample.name == survey.name:
            return samples, i
    return [], -1


def sample_series(kind: str = "respondents") -> dict[str, list]:
    """Audience -> the embedded samples of that kind, oldest first (``examples.Example``s),
    for audiences with two or more waves."""
    from feedback.survey.examples import available_examples as available_samples
    from feedback.survey.examples import data_dir

    found: dict[str, list[tuple[int, object]]] = {}
    for sample in available_samples():
        if sample.kind != kind or not sample.codebook_file:
            continue
        path = data_dir() / "surveys" / sample.codebook_file
        audience, year = _audience_and_year(str(path), path.stat().st_mtime_ns, sample.data_file)
        found.setdefault(audience, []).append((year, sample))
    return {aud: [s for _, s in sorted(items, key=lambda t: t[0])] for aud, items in found.items()
            if aud and len(items) > 1}


@functools.lru_cache(maxsize=64)
def _audience_and_year(codebook_path: str, modified_ns: int, data_file: str) -> tuple[str, int]:
    """A sample codebook's audience and wave year, parsed once per version of the file (every page
    that shows a trend or a target asks for the series on each run)."""
    import tomllib

    survey = tomllib.loads(Path(codebook_path).read_text(encoding="utf-8")).get("survey", {})
    label = str(survey.get("wave") or "")
    year = _YEAR.search(label or str(survey.get("title", "")) or data_file)
    return str(survey.get("audience", "")), int(year.group()) if year else 0
