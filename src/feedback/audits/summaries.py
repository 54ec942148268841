"""The figures an annual report quotes from the audits, as tidy frames.

Everything here takes the three tidy frames of
:func:`feedback.audits.entry.records_to_frames` / :func:`feedback.audits.store.load_frames`
(``audits``, ``scores``, ``codes``) and returns one row per thing counted,
with the base ``n`` and a Wilson interval on the proportion (the audited
reports are a sample of all yearly reports, so the share carries sampling
uncertainty; the intervals come from ``feedback.intervals`` so the
whole app uses one implementation).
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from feedback.audits.framework import DATA_DIR, SCORES, Framework, normalise_year
from feedback.audits.register import submission_rate
from feedback.intervals import DEFAULT_SMALL_BASE, proportion_interval
from feedback.regions import REGIONS

PUBLISHED_FIGURES = DATA_DIR / "published_figures.toml"
SOURCE = "Source: audits of safeguarding partners' yearly reports"


def _with_interval(df: pd.DataFrame, count: str, n: str, prefix: str = "", level: float = 0.95) -> pd.DataFrame:
    """Add p, ci_low, ci_high (Wilson) for count out of n; NaN where n is 0."""
    nn = df[n].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(nn > 0, df[count].to_numpy(dtype=float) / np.where(nn > 0, nn, 1), np.nan)
    low, high = proportion_interval(p, nn, method="wilson", level=level)
    return df.assign(**{f"{prefix}p": p, f"{prefix}ci_low": np.asarray(low, dtype=float),
                        f"{prefix}ci_high": np.asarray(high, dtype=float)})


def with_small_base(df: pd.DataFrame, shares: tuple[str, ...], small_base=None, n: str = "n") -> pd.DataFrame:
    """The survey pages' small-base rules on audit shares: a base under ``suppress``
    reports is ``[c]`` (shares and intervals not shown), under ``flag`` ``[u]`` (low
    reliability). Counts stay: they are counts of published reports, read beside the base."""
    small_base = small_base or DEFAULT_SMALL_BASE
    nn = pd.to_numeric(df[n], errors="coerce").fillna(0).to_numpy()
    suppressed = nn < small_base.suppress
    out = df.assign(flag=np.where(suppressed, "[c]", np.where(nn < small_base.flag, "[u]", "")))
    for col in shares:
        out[col] = out[col].where(~suppressed)
    return out


def select_audits(frames: dict, *, year: str | None = None, region: str | None = None) -> pd.DataFrame:
    """The audits for one reporting year and/or region (None = all)."""
    audits = frames["audits"]
    mask = pd.Series(True, index=audits.index)
    if year is not None:
        mask &= audits["reporting_year"] == normalise_year(year)
    if region is not None:
        mask &= audits["region"] == region
    return audits[mask]


def _scores(frames: dict, framework: Framework, year, region) -> pd.DataFrame:
    audits = select_audits(frames, year=year, region=region)
    audits = audits[audits["framework"] == framework.id]
    return frames["scores"].merge(audits[["audit_id", "reporting_year", "region"]], on="audit_id")


def _criteria_frame(framework: Framework) -> pd.DataFrame:
    themes = framework.theme_names()
    return pd.DataFrame({"order": range(len(framework.criteria)),
                         "theme": [themes[c.theme] for c in framework.criteria],
                         "criterion": [c.id for c in framework.criteria],
                         "label": [c.label for c in framework.criteria]})


def criterion_summary(frames: dict, framework: Framework, *, year: str | None = None, region: str | None = None,
                      by_region: bool = False, level: float = 0.95, small_base=None) -> pd.DataFrame:
    """Per reporting year (and region) and criterion: counts fully / partly / not evidenced.

    ``p`` is the share of audited reports that fully or partly evidenced the
    criterion, with its Wilson interval ``ci_low``-``ci_high``; ``p_fully``
    the share fully evidencing it, with ``fully_ci_low``-``fully_ci_high``.
    """
    keys = ["reporting_year", "region"] if by_region else ["reporting_year"]
    scored = _scores(frames, framework, year, region)
    columns = [*keys, "theme", "criterion", "label", "n", "fully", "partly", "not_evidenced", "evidenced",
               "p", "ci_low", "ci_high", "p_fully", "fully_ci_low", "fully_ci_high", "flag"]
    if scored.empty:
        return pd.DataFrame(columns=columns)
    counts = (pd.crosstab([scored[k] for k in keys] + [scored["criterion"]], scored["score"])
              .reindex(columns=list(SCORES), fill_value=0).reset_index()
              .rename(columns={"not": "not_evidenced"}))
    counts = counts.merge(_criteria_frame(framework), on="criterion")
    counts["n"] = counts[["fully", "partly", "not_evidenced"]].sum(axis=1)
    counts["evidenced"] = counts["fully"] + counts["partly"]
    counts = _with_interval(counts, "evidenced", "n", level=level)
    counts = _with_interval(counts, "fully", "n", prefix="fully_", level=level)
    counts = counts.rename(columns={"fully_p": "p_fully"})
    if by_region:
        counts["region"] = pd.Categorical(counts["region"], categories=list(REGIONS), ordered=True)
    counts = counts.sort_values([*keys, "order"]).reset_index(drop=True)
    if by_region:
        counts["region"] = counts["region"].astype(str)
    counts = with_small_base(counts, ("p", "ci_low", "ci_high", "p_fully", "fully_ci_low", "fully_ci_high"),
                             small_base)
    return counts[columns]


def score_shares(frames: dict, framework: Framework, *, year: str, region: str | None = None,
                 level: float = 0.95) -> pd.DataFrame:
    """One row per criterion and score (Fully / Partly / Not evidenced), with the share and its interval."""
    wide = criterion_summary(frames, framework, year=year, region=region, level=level)
    if wide.empty:
        return pd.DataFrame(columns=["reporting_year", "theme", "criterion", "label", "score", "count", "n",
                                     "p", "ci_low", "ci_high"])
    long = wide.melt(id_vars=["reporting_year", "theme", "criterion", "label", "n"],
                     value_vars=["fully", "partly", "not_evidenced"], var_name="score", value_name="count")
    long["score"] = long["score"].map({"fully": SCORES["fully"], "partly": SCORES["partly"],
                                       "not_evidenced": SCORES["not"]})
    long = _with_interval(long, "count", "n", level=level)
    order = {c.id: i for i, c in enumerate(framework.criteria)}
    long["__o"] = long["criterion"].map(order) * 3 + long["score"].map({v: i for i, v in enumerate(SCORES.values())})
    return long.sort_values("__o").drop(columns="__o").reset_index(drop=True)


def code_frequencies(frames: dict, framework: Framework, list_id: str, *, year: str | None = None,
                     region: str | None = None, level: float = 0.95, small_base=None) -> pd.DataFrame:
    """Per reporting year: how many audited reports ticked each code of a coded list, most common first.

    Every code is listed (zero when no report ticked it); ``rank`` is 1 for
    the most common, ties sharing a rank.
    """
    lst = framework.code_list(list_id)
    audits = select_audits(frames, year=year, region=region)
    audits = audits[audits["framework"] == framework.id]
    columns = ["reporting_year", "list", "code", "label", "count", "n", "p", "ci_low", "ci_high", "rank", "flag"]
    if audits.empty:
        return pd.DataFrame(columns=columns)
    bases = audits.groupby("reporting_year").size().rename("n")
    ticked = frames["codes"][frames["codes"]["list"] == list_id].merge(
        audits[["audit_id", "reporting_year"]], on="audit_id")
    counts = (pd.crosstab(ticked["reporting_year"], ticked["code"]) if not ticked.empty
              else pd.DataFrame(index=bases.index))
    counts = counts.reindex(index=bases.index, columns=[c.id for c in lst.codes], fill_value=0)
    out = counts.stack().rename("count").reset_index().rename(columns={"level_1": "code"})
    out.columns = ["reporting_year", "code", "count"]
    out = out.merge(bases.reset_index(), on="reporting_year")
    out["list"] = list_id
    out["label"] = out["code"].map(lst.labels())
    out = with_small_base(_with_interval(out, "count", "n", level=level), ("p", "ci_low", "ci_high"), small_base)
    out["rank"] = out.groupby("reporting_year")["count"].rank(method="min", ascending=False).astype(int)
    out = out.sort_values(["reporting_year", "rank", "code"],
                          key=lambda s: s.map({c.id: i for i, c in enumerate(lst.codes)}) if s.name == "code" else s)
    return out[columns].reset_index(drop=True)


ENGLAND_COLUMNS = {"evidenced": "england_evidenced", "n": "england_n", "p": "england_p",
                   "ci_low": "england_ci_low", "ci_high": "england_ci_high", "flag": "england_flag"}


def with_england(region_summary: pd.DataFrame, england_summary: pd.DataFrame) -> pd.DataFrame:
    """A region's criterion summary with England's figures beside each row (``england_evidenced``,
    ``england_n``, ``england_p``, its interval and small-base flag, matched on reporting year and
    criterion), for a regional lead reading the region against the national figure: the figures
    the region view's chart draws beside the region's."""
    keys = ["reporting_year", "criterion"]
    eng = england_summary[[*keys, *ENGLAND_COLUMNS]].rename(columns=ENGLAND_COLUMNS)
    return region_summary.merge(eng, on=keys, how="left")


def year_on_year(frames: dict, framework: Framework, *, region: str | None = None,
                 level: float = 0.95) -> pd.DataFrame:
    """Share of reports evidencing each criterion, one row per criterion and reporting year."""
    return criterion_summary(frames, framework, region=region, level=level)


def load_published(path: Path = PUBLISHED_FIGURES) -> list[dict]:
    """The published figures the sample reproduces (see data/audits/published_figures.toml)."""
    return tomllib.loads(path.read_text(encoding="utf-8"))["figures"]


def published_check(frames: dict, framework: Framework, register: pd.DataFrame,
                    figures: list[dict] | None = None) -> pd.DataFrame:
    """Each published figure beside the same figure computed from the data in hand.

    Columns: ``year, figure, published, computed, matches, source``; the
    sample data are built so that every row matches.
    """
    rows = []
    for fig in figures if figures is not None else load_published():
        year = fig["year"]
        audits = select_audits(frames, year=year)
        n = len(audits)
        if fig["kind"] == "audited":
            published, computed = str(fig["count"]), str(n)
        elif fig["kind"] == "code":
            freq = code_frequencies(frames, framework, fig["list"], year=year)
            row = freq[freq["code"] == fig["code"]]
            count = int(row["count"].iloc[0]) if len(row) else 0
            rank = int(row["rank"].iloc[0]) if len(row) else None
            published = f"{fig['count']} of {fig['of']}" + (f", rank {fig['rank']}" if "rank" in fig else "")
            computed = f"{count} of {n}" + (f", rank {rank}" if "rank" in fig and rank is not None else "")
        elif fig["kind"] == "criterion":
            scored = _scores(frames, framework, year, None)
            scored = scored[scored["criterion"] == fig["criterion"]]
            count = int(scored["score"].isin(fig["scores"]).sum())
            published, computed = f"{fig['count']} of {fig['of']}", f"{count} of {len(scored)}"
        elif fig["kind"] == "submission_rate":
            rate = submission_rate(register, year, date.fromisoformat(fig["by"]))
            total = rate.iloc[-1]
            published = f"{fig['percent']}%"
            computed = (f"{round(total['rate'] * 100)}% ({total['received']} of {total['partnerships']})"
                        if total["partnerships"] else "no register")
        else:
            raise ValueError(f"unknown kind of published figure: {fig['kind']}")
        matches = computed.split(" (")[0] == published
        rows.append({"year": year, "figure": fig["text"], "published": published, "computed": computed,
                     "matches": matches, "source": fig["source"]})
    return pd.DataFrame(rows, columns=["year", "figure", "published", "computed", "matches", "source"])


def finding_text(row: pd.Series, *, region: str | None = None) -> str:
    """A plain sentence stating one criterion's result, to start a finding from."""
    where = f" in {region}" if region else ""
    return (f"{row['evidenced']} of {row['n']} audited {row['reporting_year']} yearly reports{where} "
            f"({row['p']:.0%}; 95% interval {row['ci_low']:.0%} to {row['ci_high']:.0%}) fully or partly "
            f"evidenced: {row['label'].lower()}. {row['not_evidenced']} did not.")
