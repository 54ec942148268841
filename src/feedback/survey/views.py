"""The survey pages' model, without Streamlit: a loaded survey's results for a choice of
grouping, region and settings, its bases, the Overview's headline cards, the comparison
of two groups, a region and the rest of England or two audiences, and the tables as
read on screen.

Every number comes from the survey engine (``feedback.survey.rates``, ``.tables``,
``.compare``); this module only chooses what to ask it.
"""

from __future__ import annotations

import collections
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from feedback.charts import percent_label
from feedback.export import TABLE_LABELS
from feedback.regions import ENGLAND, REGIONS, neighbours, region_name, region_total_label, rest_of_england_label
from feedback.survey import data_tables
from feedback.survey.compare import compare_groups
from feedback.survey.labels import short_labels, stem_split
from feedback.survey.rates import rates_by_group
from feedback.survey.settings import DEFAULT_SETTINGS, Settings

if TYPE_CHECKING:
    from feedback.survey.loading import Survey


GROUPINGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Role": (("role",),),
    "Region": (("region",),),
    "Role and region": (("role",), ("region",)),
    "Role × region": (("role", "region"),),
}

def groupings_for(kind: str) -> list[str]:
    """The groupings a survey offers: published data tables do not cross role with region."""
    return list(GROUPINGS) if kind == "respondents" else [g for g in GROUPINGS if g != "Role × region"]


# Columns of the results table shown and exported (the results model, in its order).
TABLE_COLUMNS = ["question", "question_text", "base_label", "by", "group", "n", "base_weighted", "p", "ci_low",
                 "ci_high", "n_eff", "deff", "se", "flag", "sig_vs_rest", "p_value_vs_rest", "p_adj_vs_rest",
                 "method", "level", "source", "deff_kish", "t_vs_rest", "df_vs_rest", "test", "letter", "higher_than",
                 "n_not_grouped"]


def results(survey: Survey, *, grouping: str = "Role", region: str | None = None, settings: Settings = DEFAULT_SETTINGS,
            questions: list[str] | None = None) -> pd.DataFrame:
    """The results model for the chosen grouping, region (a domain of the full
    design) and settings; questions in the order asked (else the survey's)."""
    if survey.kind == "respondents":
        out = rates_by_group(survey.frame, survey.codebook, by=GROUPINGS[grouping],
                             filter={"region": region} if region else None, **settings.engine(),
                             raking=survey.raking)
    else:
        out = _tables_results(survey, grouping=grouping, region=region, settings=settings)
    if region:
        # A region's own total reads "North West (all)": "Total" would suggest England.
        out = out.copy()
        out.loc[out["by"] == "total", "group"] = region_total_label(region)
        if isinstance(region, str) or len(region) == 1:
            # Grouped by region within one region, the one region group is the total again: shown once.
            only = region if isinstance(region, str) else region[0]
            out = out[~((out["by"] == "region") & (out["group"] == only))]
    return for_questions(out, questions) if questions else out.reset_index(drop=True)


def for_questions(res: pd.DataFrame, questions: list[str]) -> pd.DataFrame:
    """The rows of ``questions`` only, in that order (the order a person picked them in)."""
    order = {q: i for i, q in enumerate(dict.fromkeys(questions))}
    rank = res["question"].map(order)
    out = res[rank.notna()].assign(__o=rank).sort_values("__o", kind="stable").drop(columns="__o")
    return out.reset_index(drop=True)


def with_england(region_res: pd.DataFrame, england_res: pd.DataFrame) -> pd.DataFrame:
    """A region's results with England's total beside the region's own total, for
    charts and tables a regional lead reads against the national figure.

    England's rows have ``by = "england"`` and ``group = "England"`` and follow the
    region's total row of each question; their significance columns are blank (they
    are a comparison line, not a tested group)."""
    eng = england_res[(england_res["by"] == "total")
                      & england_res["question"].isin(set(region_res["question"]))].copy()
    eng["by"] = "england"
    eng["group"] = ENGLAND
    for col in ("sig_vs_rest",):
        if col in eng:
            eng[col] = ""
    for col in ("p_value_vs_rest", "p_adj_vs_rest"):
        if col in eng:
            eng[col] = np.nan
    out = pd.concat([region_res, eng[region_res.columns]], ignore_index=True)
    order = {q: i for i, q in enumerate(pd.unique(region_res["question"]))}
    rank = out["by"].map({"total": 0, "england": 1}).fillna(2)
    out = out.assign(__q=out["question"].map(order), __r=rank, __i=range(len(out)))
    return out.sort_values(["__q", "__r", "__i"], kind="stable").drop(columns=["__q", "__r", "__i"]) \
        .reset_index(drop=True)


def all_suppressed(res: pd.DataFrame) -> bool:
    """True when every total figure is suppressed [c]: the region has too few responses
    to show anything, and the page should say what to do instead."""
    total = res[res["by"] == "total"]
    return bool(len(total)) and bool((total["flag"] == "[c]").all())


def suppressed_advice(region: str | tuple[str, ...], *, suppress: int, largest_base: int) -> str:
    """What to do when a region's figures are all suppressed, in plain words."""
    names = [region] if isinstance(region, str) else list(region)
    near = [r for r in neighbours(names) if r not in names]
    text = (f"{region_name(region)} has too few responses to show any figure: at most {largest_base} answered a "
            f"question, and figures from fewer than {suppress} responses are suppressed [c] to protect "
            "respondents. Choose All England in the sidebar to see the national figures")
    if near:
        text += f", or combine {region_name(region)} with a neighbouring region ({', '.join(near)})"
    return text + "."


def _tables_results(survey: Survey, *, grouping: str, region, settings: Settings) -> pd.DataFrame:
    """Data tables: the engine's ``rates_from_tables`` (intervals from the
    published bases; the small-base rules on the published unweighted bases; no tests).
    A region view is the published region column alone: published tables do not cross
    region with role."""
    small = settings.replace(suppress_on="n", flag_on="n").small_base
    by, filter = (None, {"region": region}) if region else (GROUPINGS[grouping], None)
    return data_tables.rates_from_tables(survey.tables, survey.codebook, by=by, filter=filter, method=settings.method,
                                    level=settings.level, small_base=small)


def bases(survey: Survey, region: str | None = None) -> pd.DataFrame:
    """Respondents by role and region: unweighted n and weighted base per group
    (columns ``by, group, n, base_weighted``), the total first."""
    if survey.kind != "respondents":
        first = survey.tables["question"].iloc[0]
        rows = survey.tables[survey.tables["question"] == first].drop_duplicates(["by", "group"])
        if region:
            rows = rows[(rows["by"] == "region") & (rows["group"] == region)].assign(by="total")
        return rows[["by", "group", "n", "base_weighted"]].reset_index(drop=True)
    frame, cb = survey.frame, survey.codebook
    weight_col = getattr(cb, "weight", "") or ""
    w = pd.to_numeric(frame[weight_col], errors="coerce").fillna(0).to_numpy(float) if weight_col \
        else np.ones(len(frame))
    inside = np.ones(len(frame), dtype=bool)
    region_col = getattr(cb, "region", "") or ""
    if region and region_col:
        names = [region] if isinstance(region, str) else list(region)
        inside = np.isin(frame[region_col].astype(str).to_numpy(), names)
    rows = [{"by": "total", "group": region_total_label(region) if region else "Total", "n": int(inside.sum()),
             "base_weighted": float(w[inside].sum())}]
    for key in ("role", "region"):
        col = getattr(cb, key, "") or ""
        if not col or col not in frame:
            continue
        missing = "Not stated or outside England" if key == "region" else "Not stated"  # regions read at load
        labels = frame[col].astype("string").fillna(missing).to_numpy()
        sub = pd.DataFrame({"group": labels[inside], "w": w[inside]})
        agg = sub.groupby("group", sort=False).agg(n=("w", "size"), base_weighted=("w", "sum")).reset_index()
        order = _group_order(key, list(agg["group"]))
        agg = agg.set_index("group").loc[order].reset_index()
        rows += [{"by": key, "group": g, "n": int(n), "base_weighted": float(b)}
                 for g, n, b in agg.itertuples(index=False)]
    return pd.DataFrame(rows)


def _group_order(key: str, groups: list[str]) -> list[str]:
    if key == "region":
        return [r for r in REGIONS if r in groups] + sorted(g for g in groups if g not in REGIONS)
    return sorted(groups)


def headline(survey: Survey, *, region: str | None = None, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """The total row of every question (the Overview's cards)."""
    out = results(survey, grouping="Role", region=region, settings=settings)
    return out[out["by"] == "total"].reset_index(drop=True)


def _test_keywords(settings: Settings | None) -> dict:
    """Level and adjustment of a comparison: the settings', or (None) the results' own level and Holm."""
    return {"level": None, "adjust": DEFAULT_SETTINGS.adjust} if settings is None \
        else {"level": settings.level, "adjust": settings.adjust}


def compare_two_groups(res: pd.DataFrame, group_a: str, group_b: str, *,
                       settings: Settings | None = None) -> pd.DataFrame:
    """Difference between two groups of one grouping on every question (engine's compare_groups)."""
    return compare_groups(res, group_a=group_a, group_b=group_b, **_test_keywords(settings))


def compare_audiences(res_a: pd.DataFrame, res_b: pd.DataFrame, *, label_a: str, label_b: str,
                      settings: Settings | None = None) -> pd.DataFrame:
    """Total of survey a against total of survey b on the questions (ids) they share."""
    return compare_groups(res_a, res_b, group_a=_total_label(res_a), group_b=_total_label(res_b),
                          label_a=label_a, label_b=label_b, **_test_keywords(settings))


def compare_region_with_rest(res_region: pd.DataFrame, res_rest: pd.DataFrame, scope, *,
                             settings: Settings | None = None) -> pd.DataFrame:
    """A region's total against the rest of England's total on every question: two sets of
    respondents that share no one, so the test is on two independent samples (England as a
    whole would contain the region and overlap it)."""
    return compare_groups(res_region, res_rest, group_a=_total_label(res_region), group_b=_total_label(res_rest),
                          label_a=region_name(scope), label_b=rest_of_england_label(scope),
                          **_test_keywords(settings))


def with_england_share(diff: pd.DataFrame, england_res: pd.DataFrame) -> pd.DataFrame:
    """A comparison with England's share (``p_england``, all regions) beside each question, for
    reading a region against the national figure (England is not tested: it contains the region)."""
    total = england_res[england_res["by"] == "total"].drop_duplicates("question").set_index("question")["p"]
    return diff.assign(p_england=diff["question"].map(total))


def default_pair(res: pd.DataFrame, key: str) -> tuple[str, str] | None:
    """The two groups of grouping ``key`` a comparison opens on: the two with the most
    figures shown (not suppressed [c]), in the grouping's order; None when fewer than two
    groups have any figure to compare."""
    rows = res[res["by"] == key]
    groups = list(pd.unique(rows["group"]))
    shown = rows[rows["flag"] != "[c]"] if "flag" in rows else rows
    counts = shown.groupby("group").size().reindex(groups, fill_value=0)
    with_data = [g for g in groups if counts[g] > 0]
    if len(with_data) < 2:
        return None
    best = sorted(with_data, key=lambda g: (-counts[g], groups.index(g)))[:2]
    return tuple(sorted(best, key=groups.index))


def _total_label(res: pd.DataFrame) -> str:
    total = res[res["by"] == "total"]
    return str(total["group"].iloc[0]) if len(total) else "Total"


def shared_questions(a: Survey, b: Survey) -> list[str]:
    ids_b = set(b.questions()["question"])
    return [q for q in a.questions()["question"] if q in ids_b]


@dataclass
class HeadlineCard:
    """One Overview card: a single question, or the items of a multi-select
    question under their stem ("Through which of these ...? Letters 60%, Emails 58%")."""

    title: str            # the question's short label, or the multi-select stem
    help: str             # the full question text(s)
    rows: pd.DataFrame    # the total rows shown, with ``item`` (the option's words) and England's figure if any

    @property
    def summary(self) -> str:
        """'Letters from the Panel 60%, Emails from the Panel 58%' (``[c]``/``[u]`` kept)."""
        return ", ".join(f"{item} {percent_label(p, flag)}"
                         for item, p, flag in zip(self.rows["item"], self.rows["p"], self.rows["flag"]))

    def lines(self, columns: tuple[str, ...]) -> list[tuple]:
        """The rows' ``columns`` (those present) as named tuples, read a whole column at a time:
        ``itertuples`` indexes every column of every card, a third of the Overview's run."""
        present = tuple(c for c in columns if c in self.rows.columns)
        row = _line_type(present)
        return [row(*values) for values in zip(*(self.rows[c].tolist() for c in present))]


@functools.lru_cache(maxsize=16)
def _line_type(columns: tuple[str, ...]):
    return collections.namedtuple("Line", columns)


def headline_cards(head: pd.DataFrame, questions: pd.DataFrame, *, england: pd.DataFrame | None = None,
                   limit: int = 110) -> list[HeadlineCard]:
    """The Overview's cards from the total rows ``head``: consecutive multi-select
    items sharing a question stem become one card, so "Letters from the Panel" (how
    people receive information now) and "A Panel newsletter" (what they would like)
    are read under their own question. ``england``: England's total rows, shown
    beside a region's figure (column ``p_england`` and its flag ``flag_england``)."""
    head = head.reset_index(drop=True)
    kinds = dict(zip(questions["question"], questions.get("kind", pd.Series([""] * len(questions)))))
    texts = [str(t or q) for q, t in zip(head["question"], head["question_text"])]
    stems, items = zip(*[stem_split(t) if kinds.get(q) == "multi_select" else ("", t)
                         for q, t in zip(head["question"], texts)]) if len(head) else ((), ())
    head = head.assign(item=list(items), _stem=list(stems))
    if england is not None and len(england):
        eng = england[england["by"] == "total"].set_index("question")
        head = head.assign(p_england=head["question"].map(eng["p"]),
                           flag_england=head["question"].map(eng["flag"]).fillna(""))
    # A run of consecutive rows with the same non-empty stem is one card; any other row is a card alone.
    stem = head.pop("_stem")
    starts = (stem != stem.shift()).to_numpy()
    run = np.cumsum(starts)
    sizes = np.bincount(run)[run]
    alone = ((stem == "") | (sizes == 1)).to_numpy()
    labels = short_labels(list(head["question"]), texts, limit=limit)
    head["item"] = np.where(alone, head["question"].map(labels), head["item"])
    bounds = np.flatnonzero(starts | alone).tolist() + [len(head)]
    cards = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        rows = head.iloc[start:stop].reset_index(drop=True)
        if not alone[start]:
            stem_text = stem_split(str(rows["question_text"].iloc[0]))[0]
            cards.append(HeadlineCard(title=stem_text, help="\n".join(rows["question_text"].astype(str)), rows=rows))
        else:
            cards.append(HeadlineCard(title=rows["item"].iloc[0], help=str(rows["question_text"].iloc[0] or ""),
                                      rows=rows))
    return cards


# The results table as shown on screen: what matters first, the question text last.


# The results table as shown on screen: what matters first, the question text last.
DISPLAY_ORDER = ["question", "group", "letter", "by", "p", "ci_low", "ci_high", "higher_than", "n", "base_weighted",
                 "n_eff", "flag", "sig_vs_rest", "p_value_vs_rest", "p_adj_vs_rest", "t_vs_rest", "df_vs_rest",
                 "test", "deff", "deff_kish", "se", "n_not_grouped", "question_text", "base_label", "method", "level",
                 "source"]


def table_for_display(res: pd.DataFrame) -> pd.DataFrame:
    """The results table as read on screen: plain-English column names, the most-read
    columns first, percentages to one decimal place, and a suppressed figure shown as
    its symbol ``[c]`` in the cell, as GSS tables do. Exports keep the CLI's numbers."""
    cols = [c for c in DISPLAY_ORDER if c in res.columns]
    shown = res[cols].copy()
    for c in ("p", "ci_low", "ci_high"):
        if c in shown.columns:
            text = (100 * shown[c].astype(float)).map("{:.1f}".format)
            shown[c] = text.where(shown[c].notna(), shown.get("flag", "").where(shown.get("flag", "") != "", "[x]"))
    for c in ("p_value_vs_rest", "p_adj_vs_rest"):
        if c in shown.columns:
            shown[c] = p_value_text(shown[c])
    return shown.rename(columns={**TABLE_LABELS, "ci_low": "Interval from (%)", "ci_high": "Interval to (%)"})


# ---------------------------------------------------------------- comparisons as read on screen

def p_value_text(values) -> pd.Series:
    """p values as read: "< 0.001" below a thousandth, else three decimals; blank when missing."""
    v = pd.to_numeric(pd.Series(values), errors="coerce")
    text = v.map("{:.3f}".format).where(v >= 0.001, "< 0.001")
    return text.where(v.notna(), "")


def points_text(values, digits: int = 1) -> pd.Series:
    """Differences of proportions in percentage points: "−48.2 pts", "+3.0 pts" (true minus sign)."""
    v = 100 * pd.to_numeric(pd.Series(values), errors="coerce")
    text = v.map(lambda x: f"{x:+.{digits}f} pts").str.replace("-", "\u2212", regex=False)
    return text.where(v.notna(), "not available")


def compare_for_display(diff: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as read on screen: shares in %, differences and their interval
    in percentage points, p values "< 0.001" rather than "0.0000". Exports keep the numbers."""
    out = pd.DataFrame({"Question id": diff["question"]})
    out["First (%)"] = (100 * diff["p_a"]).round(1)
    out["Second (%)"] = (100 * diff["p_b"]).round(1)
    if "p_england" in diff:
        out["England (%)"] = (100 * diff["p_england"]).round(1).to_numpy()
    out["Difference"] = points_text(diff["diff"]).to_numpy()
    low, high = points_text(diff["diff_low"]).to_numpy(), points_text(diff["diff_high"]).to_numpy()
    out["Interval"] = [f"{a} to {b}" if "not" not in a + b else "not available" for a, b in zip(low, high)]
    out["Significant"] = diff["sig"].fillna("")
    out["p value"] = p_value_text(diff["p_value"]).to_numpy()
    out["Adjusted p value"] = p_value_text(diff["p_adj"]).to_numpy()
    out["First effective n"] = diff["n_eff_a"].round(1)
    out["Second effective n"] = diff["n_eff_b"].round(1)
    for col, name in (("group_a", "First"), ("group_b", "Second")):
        if col in diff:
            out[name] = diff[col]
    if "question_text" in diff:
        out["Question"] = diff["question_text"]
    return out


def difference_rows(diff: pd.DataFrame, *, symbols: dict[str, str], limit: int = 60) -> pd.DataFrame:
    """A comparison as its chart draws it: differences and their interval in percentage points,
    each bar's label ("+3.0 pts ▲") and a short label per question."""
    plot = diff.copy()
    plot[["diff", "diff_low", "diff_high"]] = 100 * plot[["diff", "diff_low", "diff_high"]]
    plot["label"] = [text + (f" {symbols.get(sig, '')}" if sig and text != "not available" else "")
                     for text, sig in zip(points_text(diff["diff"]), diff["sig"])]
    short = short_labels(list(plot["question"]), list(plot["question_text"]), limit=limit)
    return plot.assign(question_label=plot["question"].map(short))


def one_source(*sources: str) -> str:
    """One source line for several surveys: "Source: A; B" (not "Source: A Source: B")."""
    parts = []
    for text in sources:
        text = str(text or "").strip()
        if text.lower().startswith("source:"):
            text = text[len("source:"):].strip()
        if text and text not in parts:
            parts.append(text.rstrip("."))
    return ("Source: " + "; ".join(parts) + ".") if parts else ""
