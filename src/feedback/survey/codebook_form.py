"""The Upload page's codebook form, without Streamlit: a codebook as the plain values
of one small form per question (and the survey's own fields), those values back as a
``Codebook``, each question's answer distribution (count and weighted share), the
checks still to do, and a preview of each question's positive share.

A question whose ``check`` is ``"why"`` is one the suggestion could not read: which
of its answers are favourable is for a person to tick. Ticking its positive answers
settles it (``check`` cleared); until then it is left out of the figures' checks,
counted as still to check, and the survey cannot be used.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.intervals import SmallBase
from feedback.survey import codebook as cbmod
from feedback.survey.answers import answer_key, factorize
from feedback.survey.labels import short_labels
from feedback.survey.rates import rates_by_group

NONE = "(none)"  # the column choice meaning "no such column"
KINDS = cbmod.KINDS
KIND_LABELS = {
    "agreement": "Agreement or rating scale",
    "awareness": "Awareness or knowledge",
    "usefulness": "Usefulness",
    "yes_no": "Yes or no",
    "multi_select": "One option of a multi-select or grid",
}
PREVIEW_COLUMNS = ["question", "question_text", "positive", "p", "n", "base_weighted", "note"]
DISTRIBUTION_COLUMNS = ["answer", "count", "weighted", "share"]
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


def kind_label(kind: str) -> str:
    """A kind in words (a kind the labels do not know yet is shown as it is)."""
    return KIND_LABELS.get(kind, str(kind).replace("_", " ").capitalize())


@dataclass
class Checks:
    """What is left before the codebook can be used: problems with the data (each a plain
    sentence) and the questions whose positive answers are still to be ticked."""

    problems: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # question ids with check = "why"

    @property
    def fits(self) -> bool:
        return not self.problems and not self.pending

    def summary(self) -> str:
        """One sentence for the page: green only when nothing is left."""
        if self.fits:
            return "The codebook fits the data."
        parts = []
        if self.pending:
            n = len(self.pending)
            parts.append("1 question still needs its positive answers ticked" if n == 1 else
                         f"{n} questions still need their positive answers ticked")
        if self.problems:
            n = len(self.problems)
            parts.append(f"{n} problem{'s' if n != 1 else ''} to fix")
        return "Before this survey can be used: " + " and ".join(parts) + "."


# ---------------------------------------------------------------- codebook <-> form values

def question_values(q: cbmod.Question) -> dict:
    """One question as its form's values (``use`` ticked; ``suggested`` keeps what the
    suggestion said, so a tick can be told from the suggestion)."""
    return {"use": True, "id": q.id, "column": q.column, "text": q.text, "kind": q.kind,
            "positive": list(q.positive or []), "exclude": list(q.exclude or []),
            "base_question": q.base_question or "", "base_label": q.base_label or "", "check": q.check or "",
            "question_set": q.question_set or "", "suggested": list(q.positive or []),
            "extra": {k: getattr(q, k) for k in ("comparable", "section", "finding")}}


def survey_values(cb: cbmod.Codebook, filename: str = "") -> dict:
    """The survey's own fields as the form shows them (columns: ``NONE`` for no column)."""
    return {"title": cb.title or filename, "audience": cb.audience or guess_audience(cb, filename),
            "wave": cb.wave or guess_wave(cb, filename), "fieldwork": cb.fieldwork or "",
            "source": cb.source or (f"Source: {filename}" if filename else ""),
            **{slot: getattr(cb, slot) or NONE for slot in ("role", "region", "weight")}}


def form_values(cb: cbmod.Codebook, filename: str = "") -> tuple[dict, list[dict]]:
    return survey_values(cb, filename), [question_values(q) for q in cb.questions]


def guess_wave(cb: cbmod.Codebook, filename: str = "") -> str:
    """The wave a survey most likely is: the first year in its title, fieldwork or file name."""
    for text in (cb.title, cb.fieldwork, filename):
        found = _YEAR.search(str(text or ""))
        if found:
            return found.group()
    return ""


def guess_audience(cb: cbmod.Codebook, filename: str = "") -> str:
    """The series a survey most likely belongs to: the one audience whose name (or words, as
    "Frontline professionals") its title or file name carries; "" when none or several do."""
    from feedback.survey.waves import AUDIENCE_NAMES

    text = f"{cb.title} {filename}".casefold().replace("_", " ")
    found = [a for a, words in AUDIENCE_NAMES.items()
             if re.search(rf"\b{re.escape(a)}\b", text) or words.casefold() in text]
    return found[0] if len(found) == 1 else ""


def _strings(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(";")
    return [str(v).strip() for v in values if str(v).strip()]


def to_question(values: dict) -> cbmod.Question:
    """A question from its form's values. Ticking positive answers on a question still to
    check settles it: the check goes once the ticks differ from the suggestion's (or the
    form says they were confirmed)."""
    positive = _strings(values.get("positive"))
    check = str(values.get("check") or "")
    suggested = {answer_key(a) for a in _strings(values.get("suggested"))}
    if check and positive and ({answer_key(a) for a in positive} != suggested or values.get("confirmed")):
        check = ""
    extra = values.get("extra") or {}
    return cbmod.Question(
        id=str(values.get("id") or "").strip(), column=str(values.get("column") or ""),
        text=str(values.get("text") or ""), kind=str(values.get("kind") or "agreement"), positive=positive,
        exclude=_strings(values.get("exclude")), base_question=str(values.get("base_question") or "").strip(),
        base_label=str(values.get("base_label") or ""), comparable=bool(extra.get("comparable", False)),
        section=str(extra.get("section") or ""), finding=str(extra.get("finding") or ""), check=check,
        question_set=str(values.get("question_set") or ""))


def to_codebook(survey: dict, questions: list[dict]) -> cbmod.Codebook:
    """The codebook the form describes: questions not ticked "use" are left out, and a base
    question that is left out is dropped (the question is then asked of everyone)."""
    used = [to_question(v) for v in questions if v.get("use", True) and (v.get("id") or v.get("column"))]
    ids = {q.id for q in used}
    used = [q if not q.base_question or q.base_question in ids else
            dataclasses.replace(q, base_question="", base_label="All respondents") for q in used]

    def column(slot: str) -> str:
        value = str(survey.get(slot) or "")
        return "" if value == NONE else value

    return cbmod.Codebook(title=str(survey.get("title") or ""), audience=str(survey.get("audience") or "").strip(),
                          fieldwork=str(survey.get("fieldwork") or ""), source=str(survey.get("source") or ""),
                          wave=str(survey.get("wave") or "").strip(), role=column("role"), region=column("region"),
                          weight=column("weight"), questions=used)


def new_question(frame: pd.DataFrame, column: str, taken: list[str], texts: dict | None = None) -> dict:
    """Form values for a question added by hand from a column: its positive answers are
    for the person to tick (``check = "why"``), and its kind is shown, not assumed later."""
    qid, n = cbmod.short_id(column), 2
    base = qid
    while qid in taken:
        qid, n = f"{base}_{n}", n + 1
    answers = frame[column].dropna().astype(str).str.strip()
    two = set(answers.str.casefold().unique()) <= {"yes", "no", "don't know", "dont know", "not sure"}
    text = str((texts or {}).get(column) or column)
    return question_values(cbmod.Question(id=qid, column=str(column), text=text,
                                          kind="yes_no" if two else "agreement", positive=[],
                                          base_label="All respondents", check="why"))


def question_groups(questions: list[dict]) -> list[tuple[str, list[int]]]:
    """The questions in the page's order: each question set together (at its first
    question's place), a question on its own as a group of one with no label."""
    groups: list[tuple[str, list[int]]] = []
    where: dict[str, int] = {}
    for i, v in enumerate(questions):
        label = str(v.get("question_set") or "")
        if label and label in where:
            groups[where[label]][1].append(i)
            continue
        if label:
            where[label] = len(groups)
        groups.append((label, [i]))
    return groups


def item_text(text: str, question_set: str) -> str:
    """A question of a set by what tells it apart: the option or grid row after the set's own
    wording ("Q5. Which have you read? - Annual report" in set "Q5. Which have you read?" ->
    "Annual report"); the whole text when it does not start with the set's wording."""
    text, stem = " ".join(str(text).split()), " ".join(str(question_set).split())
    if stem and text.casefold().startswith(stem.casefold()):
        rest = text[len(stem):].strip(" -–—:|.").strip()
        if rest:
            return rest
    return text


def short_texts(questions: list[dict], limit: int = 90) -> list[str]:
    """Each question's text as its form's title shows it: the option or grid row of a set, and
    without a lead-in shared with the questions around it (ids may repeat while being edited)."""
    ids = [v["id"] for v in questions]
    tags = ids if len(set(ids)) == len(ids) else [str(i) for i in range(len(ids))]  # a clash is told apart by id
    shorts = short_labels(tags, [item_text(v.get("text") or v["column"], v.get("question_set", ""))
                                 for v in questions], limit=limit)
    return [shorts[t] for t in tags]


def still_to_tick(questions: list[dict]) -> list[str]:
    """Ids of the questions in use whose positive answers the suggestion could not tell."""
    return [v["id"] for v in questions if v.get("use", True) and v.get("check") == "why"]


def unused_columns(columns, survey: dict, questions: list[dict]) -> list[str]:
    """The data's columns that are neither a question nor the role, region or weight column:
    what a question can still be added from."""
    taken = {v["column"] for v in questions} | {survey.get("role"), survey.get("region"), survey.get("weight")}
    return [str(c) for c in columns if str(c) not in taken]


# ---------------------------------------------------------------- answers and checks

def _weights(frame: pd.DataFrame, weight: str) -> tuple[np.ndarray, bool]:
    """The weights (ones when none or not usable) and whether they are the column's."""
    if not weight or weight == NONE or weight not in frame.columns:
        return np.ones(len(frame)), False
    values = pd.to_numeric(frame[weight], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        return np.ones(len(frame)), False
    return values, True


def distribution(frame: pd.DataFrame, column: str, weight: str = "", also=(), *,
                 weights: tuple[np.ndarray, bool] | None = None) -> pd.DataFrame:
    """Each answer in ``column`` with its count and weighted share of those answering
    (scale order for labelled SPSS answers, else most common first). Answers in ``also``
    (a codebook's positive or excluded answers nobody gave) are listed with a count of 0.
    ``attrs``: ``missing`` (no answer) and ``weighted`` (False when unweighted)."""
    series = frame[column]
    weights, weighted = weights if weights is not None else _weights(frame, weight)
    codes, uniques = factorize(series)
    labels = [" ".join(str(u).split()) for u in uniques]
    has = codes >= 0
    count = np.bincount(codes[has], minlength=len(labels)).astype(np.int64)
    total = np.bincount(codes[has], weights=weights[has], minlength=len(labels))
    out = pd.DataFrame({"answer": labels, "count": count, "weighted": total})
    out = out.groupby(out["answer"].map(answer_key), sort=False).agg(
        answer=("answer", "first"), count=("count", "sum"), weighted=("weighted", "sum")).reset_index(drop=True)
    if isinstance(series.dtype, pd.CategoricalDtype):
        rank = {answer_key(c): i for i, c in enumerate(series.cat.categories)}
        out = out.iloc[np.argsort([rank.get(answer_key(a), len(rank)) for a in out["answer"]], kind="stable")]
    else:
        out = out.sort_values(["count", "answer"], ascending=[False, True], kind="stable")
    whole = out["weighted"].sum()
    out["share"] = out["weighted"] / whole if whole > 0 else np.nan
    out = out[DISTRIBUTION_COLUMNS].reset_index(drop=True)
    out.attrs.update(missing=int((~has).sum()), weighted=weighted)
    return with_named(out, also)


def with_named(dist: pd.DataFrame, named=()) -> pd.DataFrame:
    """The distribution with the answers in ``named`` that nobody gave (count 0) at the end."""
    seen = {answer_key(a) for a in dist["answer"]}
    extra = [a for a in dict.fromkeys(_strings(named)) if answer_key(a) not in seen and answer_key(a)]
    if not extra:
        return dist
    out = pd.concat([dist, pd.DataFrame({"answer": extra, "count": 0, "weighted": 0.0, "share": 0.0})],
                    ignore_index=True)
    out.attrs.update(dist.attrs)
    return out


def distributions(frame: pd.DataFrame, columns, weight: str = "") -> dict[str, pd.DataFrame]:
    """``distribution`` of each column (once per column; the weights read once)."""
    weights = _weights(frame, weight)
    return {str(c): distribution(frame, c, weights=weights) for c in dict.fromkeys(columns) if c in frame.columns}


def column_summary(frame: pd.DataFrame, column: str, numbers: bool = False) -> str:
    """What a role, region or weight column holds, in a few words, so a wrong choice shows
    (``numbers``: a weight, described by its range and mean when it is numeric)."""
    if not column or column == NONE or column not in frame.columns:
        return "No column chosen."
    series = frame[column]
    values = pd.to_numeric(series, errors="coerce")
    if series.notna().any() and values.notna().sum() == series.notna().sum() and (
            numbers or values.nunique() > 12):
        return f"Numbers from {values.min():,.2f} to {values.max():,.2f}, mean {values.mean():,.2f}."
    counts = series.dropna().astype(str).value_counts()
    shown = ", ".join(counts.index[:6])
    more = len(counts) - 6
    return (f"{len(counts)} value{'s' if len(counts) != 1 else ''}: {shown}"
            + (f" and {more} more." if more > 0 else "."))


def pending(cb: cbmod.Codebook) -> list[str]:
    """Ids of the questions whose positive answers are still to be ticked."""
    return [q.id for q in cb.questions if q.check == "why"]


def checks(cb: cbmod.Codebook, frame: pd.DataFrame) -> Checks:
    """The codebook's problems with the data and the questions still to check. A question
    still to check is checked for its column and id only (its answers are not settled);
    the others go through ``codebook.validate``."""
    waiting = set(pending(cb))
    problems = []
    if not cb.questions:
        return Checks(["Tick \"Use\" on at least one question."], [])
    for q in cb.questions:
        if q.id in waiting and q.column not in frame.columns:
            problems.append(f"question {q.id!r}: column {q.column!r} is not in the data")
    settled = [q if q.base_question not in waiting else dataclasses.replace(q, base_question="")
               for q in cb.questions if q.id not in waiting]
    ids = [q.id for q in cb.questions]
    problems += [f"question id {i!r} is used more than once; ids must be unique"
                 for i in sorted({i for i in ids if ids.count(i) > 1}) if i in waiting]
    if not all(ids):
        problems.append("a question has no id: give it one")
    problems += cbmod.validate(dataclasses.replace(cb, questions=settled), frame)
    for q in cb.questions:
        both = [a for a in q.positive if answer_key(a) in {answer_key(x) for x in q.exclude}]
        if both:
            problems.append(f"question {q.id!r}: {both[0]!r} is ticked as positive and also left out of the base; "
                            "an answer left out is not counted at all")
    return Checks(problems, sorted(waiting, key=ids.index))


# ---------------------------------------------------------------- preview

def preview(frame: pd.DataFrame, cb: cbmod.Codebook) -> pd.DataFrame:
    """Each question's positive share as the survey's pages will show it (weighted, its
    base: unweighted and weighted), from the survey engine. A question that cannot be
    counted yet (answers still to tick, a column or base question missing) has a note
    saying why instead of a share."""
    columns = set(map(str, frame.columns))
    waiting = set(pending(cb))
    ids = [q.id for q in cb.questions]
    notes: dict[str, str] = {}
    for q in cb.questions:
        if q.id in waiting or not q.positive:
            notes[q.id] = "tick its positive answers"
        elif q.column not in columns:
            notes[q.id] = f"column {q.column} is not in the data"
        elif ids.count(q.id) > 1 or not q.id:
            notes[q.id] = "give it an id of its own"
    changed = True
    while changed:  # a question routed through one that cannot be counted cannot be counted either
        changed = False
        for q in cb.questions:
            if q.id not in notes and q.base_question and (q.base_question not in ids or q.base_question in notes):
                notes[q.id] = f"its base question {q.base_question} cannot be counted yet"
                changed = True
    counted = [q for q in cb.questions if q.id not in notes]
    shares = pd.DataFrame(columns=["question", "p", "n", "base_weighted"])
    if counted:
        try:
            res = rates_by_group(frame, dataclasses.replace(cb, questions=counted), by=(),
                                 small_base=SmallBase(suppress=1, flag=0), adjust="none")
            shares = res[res["by"] == "total"][["question", "p", "n", "base_weighted"]]
        except InputError as err:
            notes.update({q.id: str(err) for q in counted})
    shares = shares.set_index("question")
    rows = []
    for q in cb.questions:
        has = q.id in shares.index and q.id not in notes
        rows.append({"question": q.id, "question_text": q.text or q.id, "positive": "; ".join(q.positive),
                     "p": float(shares.at[q.id, "p"]) if has else np.nan,
                     "n": int(shares.at[q.id, "n"]) if has else 0,
                     "base_weighted": float(shares.at[q.id, "base_weighted"]) if has else np.nan,
                     "note": notes.get(q.id, "")})
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


def share_words(row) -> str:
    """A preview row in words: "43.2% positive (base 300, weighted 298.4)"."""
    if row.get("note"):
        return f"No figure yet: {row['note']}."
    p = row.get("p")
    if p is None or not np.isfinite(p):
        return "No figure: nobody in its base."
    weighted = row.get("base_weighted")
    tail = f", weighted {weighted:,.1f}" if weighted is not None and abs(weighted - row["n"]) > 0.05 else ""
    return f"{100 * p:.1f}% positive (base {row['n']:,}{tail})."
