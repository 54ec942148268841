"""What the survey explorer pages need, without Streamlit: the embedded sample
surveys, a loaded survey (respondent-level data + codebook, or a data tables
workbook), its results for a choice of groupings / region / method, its bases,
the comparison of two groups or two audiences, and table/notes for export.

Every number comes from the survey engine (``feedback.survey.rates``,
``.tables``, ``.compare``); this module only chooses what to ask it.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.export import TABLE_LABELS  # the survey pages' table heads as published

GROUPINGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Role": (("role",),),
    "Region": (("region",),),
    "Role and region": (("role",), ("region",)),
    "Role × region": (("role", "region"),),
}
METHODS: dict[str, str] = {
    "wilson": "Wilson (recommended)",
    "clopper-pearson": "Clopper–Pearson (exact)",
    "jeffreys": "Jeffreys",
    "agresti-coull": "Agresti–Coull",
    "logit": "Logit (design-based)",
    "beta": "Korn–Graubard beta (design-based)",
    "mean": "Wald on the design (mean)",
}
LEVELS: dict[float, str] = {0.90: "90%", 0.95: "95%", 0.99: "99%"}
ADJUSTS: dict[str, str] = {"holm": "Holm", "bh": "Benjamini–Hochberg", "none": "None"}
TESTS: dict[str, str] = {"design": "Design-based t test (recommended)",
                         "rao-scott": "Rao-Scott chi-squared test (R's svychisq)",
                         "effective-base": "z test on effective bases (tab-book convention)"}
BASES: dict[str, str] = {"n": "Unweighted base", "n_eff": "Effective base"}

# Columns of the results table shown and exported (the results model, in its order).
TABLE_COLUMNS = ["question", "question_text", "base_label", "by", "group", "n", "base_weighted", "p", "ci_low",
                 "ci_high", "n_eff", "deff", "se", "flag", "sig_vs_rest", "p_value_vs_rest", "p_adj_vs_rest",
                 "method", "level", "source", "deff_kish", "t_vs_rest", "df_vs_rest", "test", "letter", "higher_than",
                 "n_not_grouped"]


def data_dir() -> Path:
    """The embedded sample data folder (``FEEDBACK_DATA_DIR`` overrides)."""
    env = os.environ.get("FEEDBACK_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "data"


@dataclass(frozen=True)
class Sample:
    name: str
    data_file: str
    codebook_file: str | None  # for data tables: optional, gives question ids and positive answers
    kind: str = "respondents"
    synthetic_wave: bool = False  # an invented later wave (for trends): never the wave a report annex reports


SAMPLES: tuple[Sample, ...] = (
    Sample("Safeguarding partners 2021 (sample)", "partners_2021.sav", "partners_2021.toml"),
    Sample("Frontline professionals 2021 (sample)", "frontline_2021.xlsx", "frontline_2021.toml"),
    Sample("Frontline professionals 2021, data tables (sample)", "frontline_2021_tables.xlsx", "frontline_2021.toml",
           kind="data tables"),
    # an invented second wave, for change between waves (no 2022 figures were published)
    Sample("Safeguarding partners 2022 (synthetic)", "partners_2022.sav", "partners_2022.toml",
           synthetic_wave=True),
    Sample("Frontline professionals 2022 (synthetic)", "frontline_2022.xlsx", "frontline_2022.toml",
           synthetic_wave=True),
    Sample("Frontline professionals 2022, data tables (synthetic)", "frontline_2022_tables.xlsx",
           "frontline_2022.toml", kind="data tables", synthetic_wave=True),
)


def available_samples() -> list[Sample]:
    """The embedded samples whose files are present."""
    folder = data_dir() / "surveys"
    return [s for s in SAMPLES if (folder / s.data_file).exists()
            and (s.codebook_file is None or (folder / s.codebook_file).exists())]


def sample_files(sample: Sample) -> tuple[bytes, str | None]:
    folder = data_dir() / "surveys"
    content = (folder / sample.data_file).read_bytes()
    codebook = (folder / sample.codebook_file).read_text(encoding="utf-8") if sample.codebook_file else None
    return content, codebook


def content_hash(*parts: bytes | str | None) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = b"" if part is None else (part.encode("utf-8") if isinstance(part, str) else part)
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@dataclass
class Survey:
    """A loaded survey, ready for ``results``."""

    name: str
    filename: str
    kind: str  # "respondents" | "data tables"
    frame: pd.DataFrame | None = None
    codebook: object | None = None
    tables: pd.DataFrame | None = None  # results model read from a data tables workbook
    content: bytes | None = None  # the workbook's bytes (data tables are re-read per choice of grouping)
    title: str = ""
    audience: str = ""
    fieldwork: str = ""
    source: str = ""
    notes: list[str] = field(default_factory=list)
    key: str = ""  # content hash of data + codebook: the cache key for results
    raking: object | None = None  # weighting.Raking when raked to population margins (weighting_ui, --targets)

    @property
    def n(self) -> int:
        if self.frame is not None:
            return int(len(self.frame))
        total = self.tables[self.tables["by"] == "total"]
        return int(total["n"].max()) if len(total) else 0  # the published unweighted total base

    @property
    def weighted(self) -> bool:
        if self.kind == "data tables":
            return bool(self.tables is not None and
                        (self.tables["base_weighted"] - self.tables["n"]).abs().gt(0.5).any())
        return bool(getattr(self.codebook, "weight", ""))

    def questions(self) -> pd.DataFrame:
        """id, text and base label of each question, in the survey's order."""
        if self.kind == "respondents":
            return pd.DataFrame([{"question": q.id, "question_text": q.text or q.id,
                                  "base_label": q.base_label or "", "kind": q.kind or ""}
                                 for q in self.codebook.questions])
        out = (self.tables[["question", "question_text", "base_label"]]
               .drop_duplicates("question").reset_index(drop=True))
        kinds = {q.id: q.kind for q in getattr(self.codebook, "questions", [])} if self.codebook else {}
        return out.assign(kind=[kinds.get(q, "") for q in out["question"]])


def _meta(codebook, attr: str) -> str:
    for holder in (codebook, getattr(codebook, "survey", None)):
        if holder is None:
            continue
        value = holder.get(attr) if isinstance(holder, dict) else getattr(holder, attr, None)
        if value:
            return str(value)
    return ""


def is_data_tables(filename: str, content: bytes) -> bool:
    """Does this XLSX look like a YouGov-style data tables workbook (not respondent rows)?"""
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        return False
    from feedback.survey import data_tables as tables

    detector = getattr(tables, "is_data_tables", None)
    if detector is not None:
        return bool(detector(filename, content))
    try:
        tables.read_data_tables(filename, content)
    except InputError:
        return False
    return True


def load_survey(filename: str, content: bytes, codebook_text: str | None = None, *, name: str | None = None,
                kind: str = "auto", targets: str | None = None, cap: float | None = None) -> Survey:
    """Read a respondent-level file with its codebook (suggested when not given),
    or a data tables workbook. Raises ``InputError`` with a plain message.
    ``targets``: CSV text of population margins (variable,category,target) to rake to, with an
    optional ``cap``; every result then uses the raked design."""
    if kind == "auto":
        kind = "data tables" if codebook_text is None and is_data_tables(filename, content) else "respondents"
    if kind == "data tables":
        from feedback.survey import codebook as cbmod
        from feedback.survey import data_tables as tables

        cb = cbmod.load_codebook(codebook_text) if codebook_text else None
        frame = tables.read_data_tables(filename, content, cb)
        if "by" in frame and (frame["by"] == "region").any():  # published region columns in the Panel's spelling
            from feedback.regions import region_groups_normalised

            regional = frame["by"] == "region"
            frame.loc[regional, "group"] = region_groups_normalised(frame.loc[regional, "group"])
        fieldwork = str(frame.attrs.get("fieldwork", ""))
        return Survey(name=name or filename, filename=filename, kind=kind, tables=frame, content=content, codebook=cb,
                      audience=_meta(cb, "audience") if cb else "",
                      title=_tables_title(frame) or name or filename, source=_tables_source(frame, filename),
                      fieldwork=fieldwork)
    from feedback.survey import codebook as cbmod
    from feedback.survey import read

    data = read.read_survey(filename, content)
    notes: list[str] = []
    if codebook_text:
        cb = cbmod.load_codebook(codebook_text)
    else:  # a suggestion nobody reviewed: questions whose positive answers are unknown are left out, and said so
        cb, notes = cbmod.without_unchecked(cbmod.suggest_codebook(data))
    problems = cbmod.validate(cb, data.frame)
    if problems:
        raise InputError(f"{filename}: the codebook does not fit the data:\n- " + "\n- ".join(problems))
    from feedback.regions import with_regions_normalised
    from feedback.survey.rates import code_answers

    # Regions in the Panel's spelling and order, once, at load: labels, filters, addresses and exports agree.
    frame, region_notes = with_regions_normalised(data.frame, getattr(cb, "region", "") or "")
    raking = None
    if targets:
        from feedback.survey.weighting import rake, read_targets

        raking = rake(frame, cb, read_targets(targets), cap=cap)
    frame = code_answers(frame, cb)  # answers coded once, kept with the survey
    return Survey(name=name or _meta(cb, "title") or filename, filename=filename, kind=kind, frame=frame,
                  codebook=cb, title=_meta(cb, "title") or filename, audience=_meta(cb, "audience"),
                  fieldwork=_meta(cb, "fieldwork"), source=_meta(cb, "source") or f"Source: {filename}",
                  notes=notes + region_notes, raking=raking)


def _tables_title(frame: pd.DataFrame) -> str:
    return str(frame.attrs.get("title", "")) if hasattr(frame, "attrs") else ""


def _tables_source(frame: pd.DataFrame, filename: str) -> str:
    for attr in ("source", "title"):
        value = frame.attrs.get(attr) if hasattr(frame, "attrs") else None
        if value:
            return str(value) if attr == "source" else f"Source: {value}"
    return f"Source: {filename} (published data tables)"


def results(survey: Survey, *, grouping: str = "Role", region: str | None = None, method: str = "wilson",
            level: float = 0.95, suppress: int = 10, flag: int = 30, adjust: str = "holm",
            questions: list[str] | None = None, test: str = "design", suppress_on: str = "n",
            flag_on: str = "n") -> pd.DataFrame:
    """The results model for the chosen grouping, region (a domain of the full
    design), method, level, small-base rules and test; questions in survey order."""
    if survey.kind == "respondents":
        from feedback.survey.rates import SmallBase, rates_by_group

        out = rates_by_group(survey.frame, survey.codebook, by=GROUPINGS[grouping],
                             filter={"region": region} if region else None, method=method, level=level,
                             small_base=SmallBase(suppress=suppress, flag=flag, suppress_on=suppress_on,
                                                  flag_on=flag_on), adjust=adjust, test=test,
                             raking=survey.raking)
    else:
        out = _tables_results(survey, grouping=grouping, region=region, method=method, level=level,
                              suppress=suppress, flag=flag, adjust=adjust)
    if region:
        # A region's own total reads "North West (all)": "Total" would suggest England.
        out = out.copy()
        out.loc[out["by"] == "total", "group"] = region_total_label(region)
        if isinstance(region, str) or len(region) == 1:
            # Grouped by region within one region, the one region group is the total again: shown once.
            only = region if isinstance(region, str) else region[0]
            out = out[~((out["by"] == "region") & (out["group"] == only))]
    if questions:
        keep = [q for q in questions if q in set(out["question"])]
        out = out[out["question"].isin(keep)]
        out = out.assign(__o=out["question"].map({q: i for i, q in enumerate(keep)})) \
            .sort_values("__o", kind="stable").drop(columns="__o")
    return out.reset_index(drop=True)


def region_name(region: str | tuple[str, ...] | list[str] | None) -> str:
    """Plain words for a region, or several combined: "North East and North West"."""
    if not region:
        return "England (all regions)"
    if isinstance(region, str):
        return region
    names = list(region)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def region_total_label(region: str | tuple[str, ...] | list[str]) -> str:
    """The label of a region view's total row: "North West (all)"."""
    return f"{region_name(region)} (all)"


ENGLAND = "England"


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
    from feedback.regions import neighbours

    names = [region] if isinstance(region, str) else list(region)
    near = [r for r in neighbours(names) if r not in names]
    text = (f"{region_name(region)} has too few responses to show any figure: at most {largest_base} answered a "
            f"question, and figures from fewer than {suppress} responses are suppressed [c] to protect "
            "respondents. Choose All England in the sidebar to see the national figures")
    if near:
        text += f", or combine {region_name(region)} with a neighbouring region ({', '.join(near)})"
    return text + "."


def _tables_results(survey: Survey, *, grouping, region, method, level, suppress, flag, adjust) -> pd.DataFrame:
    """Data tables: the engine's ``rates_from_tables`` (intervals from the
    published bases). A region view is the published region column alone:
    published tables do not cross region with role."""
    from feedback.survey import data_tables as tables
    from feedback.survey.rates import SmallBase

    small = SmallBase(suppress=suppress, flag=flag)
    if region:
        return tables.rates_from_tables(survey.tables, survey.codebook, by=None, filter={"region": region},
                                        method=method,
                                        level=level, small_base=small)
    return tables.rates_from_tables(survey.tables, survey.codebook, by=GROUPINGS[grouping], method=method,
                                    level=level,
                                    small_base=small)


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
        from feedback.regions import REGIONS

        return [r for r in REGIONS if r in groups] + sorted(g for g in groups if g not in REGIONS)
    return sorted(groups)


def headline(survey: Survey, *, region: str | None = None, method: str = "wilson", level: float = 0.95,
             suppress: int = 10, flag: int = 30, **rules) -> pd.DataFrame:
    """The total row of every question (the Overview's cards)."""
    out = results(survey, grouping="Role", region=region, method=method, level=level, suppress=suppress, flag=flag,
                  **{k: v for k, v in rules.items() if k in ("suppress_on", "flag_on")})
    return out[out["by"] == "total"].reset_index(drop=True)


def compare_two_groups(res: pd.DataFrame, group_a: str, group_b: str, *, level: float | None = None,
                       adjust: str = "holm") -> pd.DataFrame:
    """Difference between two groups of one grouping on every question (engine's compare_groups)."""
    from feedback.survey.compare import compare_groups

    return compare_groups(res, group_a=group_a, group_b=group_b, level=level, adjust=adjust)


def compare_audiences(res_a: pd.DataFrame, res_b: pd.DataFrame, *, label_a: str, label_b: str,
                      level: float | None = None, adjust: str = "holm") -> pd.DataFrame:
    """Total of survey a against total of survey b on the questions (ids) they share."""
    from feedback.survey.compare import compare_groups

    return compare_groups(res_a, res_b, group_a=_total_label(res_a), group_b=_total_label(res_b),
                          label_a=label_a, label_b=label_b, level=level, adjust=adjust)


def rest_of_england(scope: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Every region outside the scope: the independent sample a region is tested against."""
    from feedback.regions import REGIONS

    names = {scope} if isinstance(scope, str) else set(scope)
    return tuple(r for r in REGIONS if r not in names)


def rest_of_england_label(scope: str | tuple[str, ...] | list[str]) -> str:
    """ "Rest of England (all regions but London)": what a region is compared with."""
    return f"Rest of England (all regions but {region_name(scope)})"


def compare_region_with_rest(res_region: pd.DataFrame, res_rest: pd.DataFrame, scope, *,
                             level: float | None = None, adjust: str = "holm") -> pd.DataFrame:
    """A region's total against the rest of England's total on every question: two sets of
    respondents that share no one, so the test is on two independent samples (England as a
    whole would contain the region and overlap it)."""
    from feedback.survey.compare import compare_groups

    return compare_groups(res_region, res_rest, group_a=_total_label(res_region), group_b=_total_label(res_rest),
                          label_a=region_name(scope), label_b=rest_of_england_label(scope), level=level,
                          adjust=adjust)


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


def short_labels(ids: list[str], texts: list[str], limit: int = 70) -> dict[str, str]:
    """Short, unique labels for questions: a lead-in shared by several questions
    ("To what extent do you agree or disagree: ...") is dropped, long texts are
    cut at ``limit`` characters, and labels that still clash get their id."""
    texts = [str(t or i) for i, t in zip(ids, texts)]

    def split(text: str) -> tuple[str, str]:
        """('lead-in', 'rest') at the first ': ' or '? ' followed by more words."""
        cuts = [(text.find(sep), sep) for sep in (": ", "? ") if text.find(sep) > 0]
        if not cuts:
            return "", text
        at, sep = min(cuts)
        return text[: at + 1], text[at + len(sep):].strip()

    parts = [split(t) for t in texts]
    counts = pd.Series([lead for lead, _ in parts if lead]).value_counts()
    out = []
    for text, (lead, rest) in zip(texts, parts):
        if lead and rest and counts.get(lead, 0) > 1:
            text = rest[:1].upper() + rest[1:]
        out.append(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")
    seen = pd.Series(out).value_counts()
    return {i: (f"{label} ({i})" if seen[label] > 1 else label) for i, label in zip(ids, out)}


def _stem_split(text: str) -> tuple[str, str]:
    """('Through which of these ... from the Panel?', 'Letters from the Panel'): a
    multi-select item's question stem and its option, cut at the last '? ' or ': '."""
    cuts = [text.rfind(sep) for sep in ("? ", ": ")]
    at = max(cuts)
    if at <= 0:
        return "", text
    return text[: at + 1].strip(), text[at + 2:].strip()


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
        from feedback.charts import percent_label

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
    stems, items = zip(*[_stem_split(t) if kinds.get(q) == "multi_select" else ("", t)
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
            stem_text = _stem_split(str(rows["question_text"].iloc[0]))[0]
            cards.append(HeadlineCard(title=stem_text, help="\n".join(rows["question_text"].astype(str)), rows=rows))
        else:
            cards.append(HeadlineCard(title=rows["item"].iloc[0], help=str(rows["question_text"].iloc[0] or ""),
                                      rows=rows))
    return cards


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


def interval_notes(method: str) -> list[str]:
    """What a reader needs to know about the interval method at the edges (p of 0% or 100%)."""
    if method in ("logit", "beta", "mean"):
        return ["Where a group's share is 0% or 100% the design-based interval is not defined (no variation, so a "
                "standard error of 0); the interval shown there is Clopper–Pearson on the Kish effective base, "
                "from 0% or to 100%."]
    if method in ("clopper-pearson", "jeffreys"):
        return ["At 0% or 100% the interval reaches 0% or 100% (Clopper–Pearson by definition; Jeffreys with "
                "Brown, Cai and DasGupta's boundary correction)."]
    return []


def test_notes(res: pd.DataFrame, *, level: float, adjust: str) -> list[str]:
    """Which test the significance marks and letters come from, in words."""
    from feedback.survey.significance import TEST_NAMES, letters_legend, results_test

    used = [t for t in pd.unique(res["test"].astype(str)) if t] if "test" in res and len(res) else []
    if not used:
        return ["No significance tests: published data tables give no respondent-level data for them."]
    test = results_test(res)
    lvl = LEVELS.get(level, f"{level:.0%}")
    notes = [f"Test: {TEST_NAMES[test]}. sig_vs_rest: 'higher' or 'lower' when the group differs from the rest of "
             f"the sample at the {lvl} level ({ADJUSTS.get(adjust, adjust)} adjustment within each question and "
             "grouping); shown on charts as ▲ / ▼. The rest is the other respondents with a label for the grouping "
             "(within the region, if one is chosen)."]
    if test == "design":
        notes.append("Design-based test: the difference of the two weighted proportions over its linearised "
                     "standard error under the full design, on Student's t with n + n_rest - 2 degrees of freedom "
                     "(R survey's svyttest); respondents outside a question's base stay in the design. Where either "
                     "side is at exactly 0% or 100% (no design variance on that side, where the t test would claim "
                     "certainty) the comparison is made by the Rao-Scott test instead (R's svychisq(~y + group, "
                     "design, statistic = \"F\")); the test column says which.")
    if test == "rao-scott":
        notes.append("Rao-Scott test: Pearson's X² of answer by group against the rest, divided by its design "
                     "effect, on F(1, respondents in the design - 1), as R survey's svychisq(statistic = \"F\"); "
                     "t_vs_rest is the signed square root of F.")
    if "sig_vs_rest" in res and (res["sig_vs_rest"] == "[z]").any():
        notes.append("[z]: the group and the rest are both at 0%, or both at 100%: nothing to test; such "
                     "comparisons are left out of the adjustment's family.")
    notes += letters_legend(res)
    return notes


def difference_notes(diff: pd.DataFrame, *, level: float) -> list[str]:
    """Notes for a table or chart of differences (Compare page): the interval and the test used."""
    lvl = LEVELS.get(level, f"{level:.0%}")
    if "test" in diff and (diff["test"] == "design").all():
        return [f"Lines show {lvl} intervals for the difference (difference ± t × its design-based standard error).",
                "▲ / ▼ first group significantly higher / lower (design-based t test, adjusted)."]
    return [f"Lines show {lvl} intervals for the difference (Newcombe).",
            "▲ / ▼ first group significantly higher / lower (two-proportion z test on effective bases, adjusted)."]


DESIGN_NOTE = ("Design: weights only (R's svydesign(ids = ~1, weights = ~weight)); no strata or clusters are used. "
               "For a clustered or stratified sample the standard errors, intervals and tests are wrong (on R's "
               "apiclus1, a cluster sample, a se of 0.035 against 0.080 with the clusters): analyse such a design "
               "in R's survey package with its strata and clusters.")


def design_notes(survey) -> list[str]:
    """The design the figures assume, for respondent-level data (and its raking, if any)."""
    if getattr(survey, "kind", "respondents") != "respondents":
        return []
    notes = [DESIGN_NOTE]
    raking = getattr(survey, "raking", None)
    if raking is not None:
        from feedback.survey.cli import raking_notes

        notes += raking_notes(raking)
    return notes


def table_notes(survey: Survey, res: pd.DataFrame, *, region: str | None, grouping: str, method: str,
                level: float, suppress: int, flag: int, adjust: str, test: str = "design", suppress_on: str = "n",
                flag_on: str = "n") -> list[str]:
    """The notes sheet of an exported table: what the figures are and how they were made."""
    from feedback.survey.rates import SmallBase

    weighted = survey.weighted
    rules = SmallBase(suppress=suppress, flag=flag, suppress_on=suppress_on, flag_on=flag_on)
    notes = [
        f"Survey: {survey.title or survey.name}" + (f", fieldwork {survey.fieldwork}" if survey.fieldwork else "")
        + f" (file {survey.filename}).",
        f"Region: {region_name(region)}"
        + (" — a domain of the full sample, so intervals use the full design." if region else "."),
        f"Grouping: {grouping.lower()}.",
        "p, ci_low and ci_high are proportions (0 to 1) shown as percentages: p is the share giving a positive "
        "answer (the net, e.g. 'Strongly agree' + 'Tend to agree') among those in the question's base.",
        f"Intervals: {LEVELS.get(level, f'{level:.0%}')} confidence, {METHODS.get(method, method)} method"
        + (", on the Kish effective base (n_eff) because the data are weighted." if weighted else "."),
        *interval_notes(method),
        "n is the unweighted base (respondents with a weight above 0); base_weighted the weighted base; n_eff the "
        "Kish effective base; se the standard error. deff is R survey's design effect, the ratio of the design "
        "variance to simple random sampling's (below 1 is possible in small groups of unweighted data); "
        "deff_kish is Kish's n / n_eff, the effect of the weights alone.",
        *rules.describe(),
        *test_notes(res, level=level, adjust=adjust),
        *design_notes(survey),
    ]
    if "n_not_grouped" in res and len(res):
        missing = res[res["by"] != "total"].groupby("by", sort=False)["n_not_grouped"].max()
        for by, count in missing.items():
            if count > 0:
                notes.append(f"{int(count)} respondent(s) have no {by} recorded: they count in the total but in no "
                             f"{by} group and in no group's rest (column n_not_grouped, per question).")
    if survey.kind == "data tables":
        notes.append("Figures read from published data tables; intervals computed from the published bases.")
    if survey.source:
        notes.append(survey.source)
    notes.append("Produced with the Panel feedback analysis app; the same figures come from "
                 "`python -m feedback rates` with the same choices.")
    return notes


def cli_command(survey: Survey, *, grouping: str, region: str | None, method: str, level: float,
                suppress: int = 10, flag: int = 30, adjust: str = "holm", test: str = "design",
                suppress_on: str = "n", flag_on: str = "n") -> str:
    """The equivalent command line, shown under the table so analysts can reproduce it.

    File names and values are quoted for the shell (``shlex.quote``): a name such as
    ``notes; rm -rf ~.csv`` stays one argument.
    """
    import shlex

    parts = ["python -m feedback rates", shlex.quote(survey.filename)]
    if survey.kind == "respondents":
        parts += ["--codebook", shlex.quote(Path(survey.filename).with_suffix(".toml").name)]
    raking = getattr(survey, "raking", None)
    if raking is not None:  # the targets entered on the Upload page, saved as a CSV
        parts += ["--targets", shlex.quote(Path(survey.filename).stem + "_targets.csv")]
        if raking.cap:
            parts.append(f"--cap {raking.cap:g}")
    for g in GROUPINGS[grouping]:
        parts.append("--by " + shlex.quote("*".join(g)))
    if region:
        names = [region] if isinstance(region, str) else list(region)
        parts += ["--filter " + shlex.quote(f"region={name}") for name in names]
    parts += setting_options(method=method, level=level, suppress=suppress, flag=flag, adjust=adjust,
                             test=test if survey.kind == "respondents" else "design", suppress_on=suppress_on,
                             flag_on=flag_on)
    return " ".join(parts)


def setting_options(*, method: str, level: float, suppress: int = 10, flag: int = 30, adjust: str = "holm",
                    test: str = "design", suppress_on: str = "n", flag_on: str = "n") -> list[str]:
    """The command-line options of the survey settings (defaults left out, but method and level)."""
    parts = [f"--method {method}", f"--level {level:g}"]
    if suppress != 10 or flag != 30:
        parts.append(f"--small-base {suppress},{flag}")
    if suppress_on != "n" or flag_on != "n":
        words = {"n": "unweighted", "n_eff": "effective"}
        parts.append(f"--small-base-on {words[suppress_on]},{words[flag_on]}")
    if adjust != "holm":
        parts.append(f"--adjust {adjust}")
    if test != "design":
        parts.append(f"--test {test}")
    return parts


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
