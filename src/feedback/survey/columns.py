"""Which columns of a respondent file are the role, the region and the weight, and
which are left out (ids, dates, status, durations, e-mails and names, free text),
found by their values as well as their names.

Every choice comes with its reason and whether it is sure (``ColumnChoice``), so
the Upload page can show each one and flag the unsure ones. Each column's
distinct values are looked at once (never each row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from feedback.regions import normalise_region, normalise_regions

MAX_SCALE_ANSWERS = 12  # more distinct answers than this: free text or an id, not a question
MAX_ROLES = 30  # more distinct values than this: not a grouping of respondents
REGION_SHARE = 0.6  # a column is a region column when this share of its answers are English regions
WEIGHT_MEAN = (0.8, 1.25)  # a weight's mean is near 1
MAX_DISTINCT_KEPT = 61  # distinct values kept in a profile (enough to judge a region or role column)
_SAMPLE = 200  # distinct values looked at to tell ids, dates, e-mails and free text

_ROLE_NAME = re.compile(
    r"\b(?:job\s*role|role|roles|job|jobs|job\s*title|profession|professional\s*group|occupation|"
    r"organi[sz]ation(?:al)?\s*type|type\s*of\s*organi[sz]ation|sector|agency|staff\s*group|discipline|"
    r"service\s*area|respondent\s*type|audience|partner\s*type|stakeholder\s*type|employer|work\s*setting|"
    r"organi[sz]ation\s+you\s+work\s+(?:for|in|at)|where\s+you\s+work|who\s+you\s+work\s+for|"
    r"professional\s*(?:background|role|group)|department|staff\s*type|position|"
    r"best\s+describes?\s+(?:you|your|yourself|the\s+organi[sz]ation|where\s+you\s+work|"
    r"the\s+(?:agency|service|sector)))\b", re.IGNORECASE)
_ROLE_EXACT = {"role", "jobrole", "job_role", "profession", "occupation"}
_REGION_NAME = re.compile(r"\b(?:region|regions|gor|government\s*office\s*region|rgn|ons\s*region|area\s*region)\b"
                          r"|^region", re.IGNORECASE)
_WEIGHT_NAME = re.compile(r"(?:^|[^a-z])(?:weight|weights|weighting|wt|wgt|wght|weighted)(?:[^a-z]|$)|weight",
                          re.IGNORECASE)

# Columns that are not answers to questions: by name, then by values.
_LEFT_OUT_NAMES = (
    ("id", re.compile(r"^(?:id|uid|uuid|serial|ref|reference|record|case|respid|respondent|responseid)$|"
                      r"\b(?:respondent|response|record|case|collector|panel(?:list)?|participant|user|survey)"
                      r"\s*(?:id|number|no|ref|reference)\b|(?:^|[^a-z])id$|^id(?:[^a-z]|$)|"
                      r"external\s*(?:data\s*)?reference|\bref(?:erence)?\s*(?:no|number)?$", re.IGNORECASE)),
    ("date", re.compile(r"\b(?:date|time|timestamp|datetime|started|submitted|completed|completion|start|end|"
                        r"recorded|modified|created|last\s*modified)\b|date$|time$", re.IGNORECASE)),
    ("duration", re.compile(r"\b(?:duration|seconds|minutes|time\s*taken|length\s*of\s*interview|loi)\b",
                            re.IGNORECASE)),
    ("status", re.compile(r"^(?:status|progress|finished|complete|completed|distribution\s*channel|"
                          r"user\s*language|language|ip\s*address|ip|consent|quality|speeder|flag|source|"
                          r"channel|device|browser|operating\s*system|screen\s*resolution|latitude|longitude|"
                          r"location\s*latitude|location\s*longitude|custom\s*data.*|collector.*|"
                          r"response\s*type|survey\s*(?:status|version)|version|wave|batch)$", re.IGNORECASE)),
    ("e-mail or name", re.compile(r"\b(?:e-?mail|email\s*address|first\s*name|last\s*name|full\s*name|surname|"
                                  r"forename|name|recipient.*|phone|telephone|mobile|ip\s*address|e-?mail\s*address)\b",
                                  re.IGNORECASE)),
    ("free text", re.compile(r"\b(?:comments?|please\s+(?:specify|describe|explain)|other\s*\(?\s*please|"
                             r"in\s+your\s+own\s+words|verbatim|open\s*(?:text|ended|response)|free\s*text|"
                             r"anything\s+else|why\s+do\s+you\s+say|tell\s+us\s+(?:more|why)|text\s*entry)\b",
                             re.IGNORECASE)),
)
# Who the respondents are, but not their role: never the role column by default.
_DEMOGRAPHIC = re.compile(r"\b(?:gender|sex|age|age\s*group|age\s*band|ethnicity|ethnic\s*group|disability|"
                          r"religion|sexuality|sexual\s*orientation|marital|language|nationality|country|"
                          r"county|local\s*authority|la|postcode|town|city)\b", re.IGNORECASE)
_DATE_VALUE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?$|"
                         r"^\d{1,2}:\d{2}(?::\d{2})?$")
_EMAIL_VALUE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_QUESTION_NAME = re.compile(r"^\s*(?:[a-z]{1,3}\s*)?\d+[a-z]?(?:[._\-\s:)]|$)|\?", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnChoice:
    """One column the suggestion chose (or none): ``slot`` "role", "region" or "weight";
    ``column`` "" when none was found; ``reason`` in words; ``sure`` False when a person
    should check it (shown amber on the Upload page)."""

    slot: str
    column: str
    reason: str
    sure: bool

    def __str__(self) -> str:
        shown = repr(self.column) if self.column else "(none)"
        return f"{self.slot}: {shown} - {self.reason}" + ("" if self.sure else " [check]")


@dataclass
class ColumnProfile:
    """What a column holds, from its distinct values."""

    name: str
    distinct: list[str]  # distinct answers, as text, in the data's order (at most MAX_DISTINCT_KEPT kept)
    n_distinct: int
    answered: int
    numbers: np.ndarray | None  # the values as numbers when every answered value is one
    left_out: str = ""  # "id", "date", ... when the column is not an answer to a question


def profile(frame: pd.DataFrame, column) -> ColumnProfile:
    """The column's distinct values (each looked at once) and what kind of column it is.
    A column with many distinct values (ids, free text, weights) is judged on a sample of
    them; numbers are read in full only when the sample is all numbers."""
    series = frame[column]
    answered = int(series.notna().sum())
    if isinstance(series.dtype, pd.CategoricalDtype):
        used = set(pd.unique(series.dropna()))
        uniques = [c for c in series.cat.categories if c in used]
    else:
        uniques = pd.unique(series.dropna())
    count = len(uniques)
    head = [str(u) for u in uniques[:_SAMPLE]]  # as spelled in the data (the suggestion's answers)
    numbers = None
    if head and not pd.to_numeric(pd.Series(head, dtype=object).str.strip(), errors="coerce").isna().any():
        every = pd.Series(uniques, dtype=object) if count > _SAMPLE else pd.Series(head, dtype=object)
        values = pd.to_numeric(every.astype(str).str.strip(), errors="coerce").to_numpy(float)
        numbers = None if np.isnan(values).any() else values
    prof = ColumnProfile(name=str(column), distinct=head[:MAX_DISTINCT_KEPT], n_distinct=count, answered=answered,
                         numbers=numbers)
    prof.left_out = _left_out(prof, series, head)
    return prof


def _left_out(prof: ColumnProfile, series: pd.Series, text: list[str]) -> str:
    name = " ".join(re.sub(r"[_.]+", " ", prof.name).split())
    question = bool(_QUESTION_NAME.search(prof.name))  # "Q5_time_spent", "How long ...?": a question's name
    for what, pattern in _LEFT_OUT_NAMES:
        if question and what != "free text":
            continue
        if pattern.search(name):
            return what
    sample = [v.strip() for v in text[:50]]
    if sample and all(_DATE_VALUE.match(v) for v in sample):
        return "date"
    if sample and sum(bool(_EMAIL_VALUE.match(v)) for v in sample) >= 0.8 * len(sample):
        return "e-mail or name"
    if prof.n_distinct > MAX_SCALE_ANSWERS:
        if prof.numbers is not None:
            whole = bool(np.all(np.mod(prof.numbers, 1) == 0))
            if whole and prof.n_distinct >= 0.9 * prof.answered:
                return "id"
            return ""  # numbers: perhaps a weight (looked at below), else left out as not a question
        lengths = [len(v) for v in sample]
        if prof.n_distinct >= 0.5 * max(prof.answered, 1) or (lengths and np.mean(lengths) > 25):
            return "free text"
    return ""


def is_demographic(column: str, text: str = "") -> bool:
    """Named or labelled as who the respondents are: gender, age, ethnicity, area..."""
    words = " ".join(re.sub(r"[_.]+", " ", f"{column} {text}").split())
    return bool(_DEMOGRAPHIC.search(words))


def looks_like_question(column: str, text: str = "") -> bool:
    """Named or labelled like a question: "Q5. ...", "S1 ...", "q12_know", or text with "?"."""
    return bool(_QUESTION_NAME.search(str(column))) or "?" in str(text) or len(str(text).split()) >= 5


def choose_columns(data, profiles: dict | None = None, questions: set | None = None) -> dict[str, ColumnChoice]:
    """The role, region and weight columns of ``data`` (``SurveyData``), each with its reason.

    ``questions``: columns already known to be questions in a known scale (never the role)."""
    frame = data.frame
    texts = getattr(data, "question_text", {}) or {}
    profiles = profiles or {c: profile(frame, c) for c in frame.columns}
    questions = questions or set()
    region = _region(frame, profiles)
    weight = _weight(frame, profiles, taken={region.column})
    role = _role(profiles, texts, taken={region.column, weight.column}, questions=questions)
    return {"role": role, "region": region, "weight": weight}


def _region(frame: pd.DataFrame, profiles: dict) -> ColumnChoice:
    by_values = []
    named = []
    for column, prof in profiles.items():
        if prof.left_out in ("id", "date", "duration") or prof.answered == 0:
            continue
        is_named = bool(_REGION_NAME.search(str(column)))
        if prof.n_distinct <= 60 and any(normalise_region(v) for v in prof.distinct):  # a look before a count
            found = normalise_regions(frame[column])
            regions = int(pd.Series(found.values).nunique())
            if found.share >= REGION_SHARE and regions >= 2:
                by_values.append((not is_named, -found.share, column, found, regions))
                continue
        if is_named and prof.n_distinct <= MAX_ROLES:
            named.append(column)
    if by_values:
        by_values.sort(key=lambda t: (t[0], t[1]))
        unnamed, _, column, found, regions = by_values[0]
        others = [c for *_, c, _, _ in by_values[1:]]
        reason = (f"{found.share:.0%} of its answers are English regions ({regions} regions"
                  + (f"; not regions: {', '.join(list(found.not_regions)[:4])}" if found.not_regions else "") + ")")
        if not unnamed:
            reason = "named like a region, and " + reason
        if others:
            reason += f"; {', '.join(map(repr, others))} also hold regions"
        sure = found.share >= 0.8 and not others
        return ColumnChoice("region", str(column), reason, sure)
    if named:
        return ColumnChoice("region", str(named[0]), "named like a region, but its values are not English region "
                            "names or ONS codes: check it", False)
    return ColumnChoice("region", "", "no column holds English region names or ONS codes (E12000001-E12000009)",
                        True)


def _weight(frame: pd.DataFrame, profiles: dict, taken: set) -> ColumnChoice:
    named, unnamed = [], []
    for column, prof in profiles.items():
        if column in taken or prof.left_out in ("id", "date", "duration", "e-mail or name", "free text"):
            continue
        is_named = bool(_WEIGHT_NAME.search(str(column)))
        if prof.numbers is None:
            if is_named:
                named.append((column, False, "named like a weight, but not every value is a number"))
            continue
        values = prof.numbers
        positive = bool(np.all(values >= 0)) and bool(np.any(values > 0))
        fractional = bool(np.any(np.mod(values, 1) != 0))
        if is_named:
            named.append((column, positive, ""))
        elif positive and fractional and prof.n_distinct > 5 and weight_mean_ok(frame, column):
            unnamed.append(column)
    if named:
        fits = [c for c, ok, _ in named if ok]
        if fits:
            final = [c for c in fits if re.search(r"final|overall|total|main|rim|raking|survey", str(c), re.I)]
            column = (final or fits)[0]
            prof = profiles[column]
            reason = f"named like a weight; values from {prof.numbers.min():g} to {prof.numbers.max():g}"
            sure = len(fits) == 1 or bool(final)
            if not weight_mean_ok(frame, column):
                mean = float(pd.to_numeric(frame[column], errors="coerce").mean())
                reason += f", mean {mean:.3g} (not near 1: a grossing weight? rates are the same either way)"
                sure = False
            if len(fits) > 1:
                reason += f"; other weight columns: {', '.join(repr(c) for c in fits if c != column)}"
            return ColumnChoice("weight", str(column), reason, sure)
        column, _, why = named[0]
        return ColumnChoice("weight", "", f"{column!r} is named like a weight but {why or 'has negative values'}: "
                            "no weight chosen (figures unweighted)", False)
    if unnamed:
        return ColumnChoice("weight", "", f"no column is named like a weight; {unnamed[0]!r} holds positive "
                            "fractions and might be one: choose it if it is (figures unweighted until then)", False)
    return ColumnChoice("weight", "", "no weight column: figures are unweighted", True)


def weight_mean_ok(frame: pd.DataFrame, column: str) -> bool:
    """The respondents' mean weight is near 1 (a weight scaled to the sample size)."""
    values = pd.to_numeric(frame[column], errors="coerce")
    mean = float(values.mean()) if values.notna().any() else 0.0
    return WEIGHT_MEAN[0] <= mean <= WEIGHT_MEAN[1]


def _role(profiles: dict, texts: dict, taken: set, questions: set) -> ColumnChoice:
    candidates = []
    for column, prof in profiles.items():
        if column in taken or column in questions or prof.left_out or prof.answered == 0:
            continue
        if not (2 <= prof.n_distinct <= MAX_ROLES) or prof.numbers is not None:
            continue
        candidates.append(column)
    named = [c for c in candidates
             if _ROLE_NAME.search(" ".join(re.sub(r"[_.]+", " ", str(c)).split()))
             or _ROLE_NAME.search(str(texts.get(c, "")))]
    if named:
        exact = [c for c in named if re.sub(r"[^a-z_]", "", str(c).casefold()) in _ROLE_EXACT]
        column = (exact or named)[0]
        reason = "named like a role (role, job, profession, organisation type)"
        if len(named) > 1:
            reason += f"; also named like one: {', '.join(repr(c) for c in named if c != column)}"
        return ColumnChoice("role", str(column), reason, bool(exact) or len(named) == 1)
    plain = [c for c in candidates if not looks_like_question(c, texts.get(c, ""))
             and not _DEMOGRAPHIC.search(" ".join(re.sub(r"[_.]+", " ", str(c)).split()))]
    if plain:
        column = plain[0]
        shown = ", ".join(profiles[column].distinct[:4])
        return ColumnChoice("role", str(column), f"the first column of categories that is not a question "
                            f"({shown}…): check it is the respondents' role", False)
    return ColumnChoice("role", "", "no column named like a role (role, job, profession, organisation type) "
                        "and no column of categories that is not a question", False)
