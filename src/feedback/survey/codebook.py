"""The codebook: what a survey's columns mean (TOML, see docs/architecture.md).

``suggest_codebook`` drafts one from the data so nobody starts from a blank
file; ``validate`` says in plain English where a codebook and a data file
disagree, before any number is computed.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.survey.rates import answer_key  # the engine's own answer matching

KINDS = ("awareness", "agreement", "usefulness", "yes_no", "multi_select")
ROLE_NAMES = {"role", "jobrole"}
REGION_NAMES = {"region"}
WEIGHT_NAMES = {"weight", "wt", "weighting"}
MAX_SCALE_ANSWERS = 12  # more distinct answers than this: free text or an id, not a question

_AGREE = {"strongly agree", "tend to agree", "agree", "somewhat agree", "slightly agree", "agree strongly"}
_USEFUL = {"very useful", "fairly useful", "quite useful", "extremely useful", "useful", "somewhat useful"}
_AMOUNT = {"a great deal", "a fair amount", "a lot"}
# Positive answers are listed strongest first, whatever order the data met them in.
_STRONGEST_FIRST = ["strongly agree", "agree strongly", "tend to agree", "agree", "somewhat agree", "slightly agree",
                    "a great deal", "a lot", "a fair amount", "extremely useful", "very useful", "fairly useful",
                    "quite useful", "useful", "somewhat useful"]
_YES_NO_OTHER = {"no", "not sure", "don't know", "dont know", "don’t know", "can't remember", "prefer not to say",
                 "unsure"}
_SELECTED = {"selected", "not selected"}


@dataclass
class Question:
    """One question: which column, what counts as positive, and who is in its base."""

    id: str
    column: str
    text: str = ""
    kind: str = "yes_no"
    positive: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    base_question: str = ""
    base_label: str = ""
    comparable: bool = False  # wording/answers changed since earlier waves, but the user says it compares
    # Optional, for the drafted report annex: the heading the question's finding
    # sits under, and the finding as a phrase following its subject
    # ("report a good understanding of the Panel's remit and activities").
    section: str = ""
    finding: str = ""
    # "why" when the suggestion could not tell which answers are favourable: a person must
    # tick the positive answers before the figure is trusted ("" once settled).
    check: str = ""
    # The label shared by the questions made from one multi-select or one grid, so the
    # pages can keep them together ("" for a question on its own).
    question_set: str = ""


@dataclass
class Codebook:
    """Survey details, the role/region/weight columns, and the questions in order."""

    title: str = ""
    audience: str = ""
    fieldwork: str = ""
    source: str = ""
    wave: str = ""  # e.g. "2022": the wave of a yearly series (default: the year in the title)
    role: str = ""
    region: str = ""
    weight: str = ""
    questions: list[Question] = field(default_factory=list)

    def question(self, qid: str) -> Question:
        return next(q for q in self.questions if q.id == qid)


_SURVEY_KEYS = ("title", "audience", "fieldwork", "source", "wave")
_COLUMN_KEYS = ("role", "region", "weight")
_QUESTION_KEYS = tuple(f.name for f in fields(Question))
_OPTIONAL_KEYS = ("section", "finding", "comparable", "check", "question_set")  # written only when given


def _strings(value, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise InputError(f"codebook {where} must be a list of answers, e.g. [\"Yes\"]")
    return [str(v) for v in value]


CHECKS = ("", "why")  # "why": the positive answers are not known yet and must be ticked


def _check(value, qid: str) -> str:
    value = str(value).strip()
    if value not in CHECKS:
        raise InputError(f"codebook: question {qid!r} has check = {value!r}; use \"why\" (positive answers "
                         "still to be ticked) or leave it out")
    return value


def load_codebook(text_or_path) -> Codebook:
    """Codebook from TOML text or a path to a .toml file; structural mistakes raise InputError."""
    if isinstance(text_or_path, Path) or (isinstance(text_or_path, str) and "\n" not in text_or_path
                                          and "=" not in text_or_path and text_or_path.endswith(".toml")):
        path = Path(text_or_path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"codebook {path}: cannot be read ({err.__class__.__name__}); "
                             "check the path and that it is UTF-8 text.") from None
    else:
        text = str(text_or_path)
    try:
        data = tomllib.loads(text.lstrip("\ufeff"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"codebook: not valid TOML ({err}); compare it with a suggested codebook.") from None
    survey, columns = data.get("survey", {}), data.get("columns", {})
    if not isinstance(survey, dict) or not isinstance(columns, dict):
        raise InputError("codebook: [survey] and [columns] must be tables (sections)")
    questions = data.get("questions", [])
    if not isinstance(questions, list) or not questions:
        raise InputError("codebook: no [[questions]] found; add one [[questions]] section per question.")
    built, seen = [], set()
    for i, raw in enumerate(questions, start=1):
        if not isinstance(raw, dict):
            raise InputError(f"codebook: question {i} must be a [[questions]] table")
        unknown = sorted(set(raw) - set(_QUESTION_KEYS))
        if unknown:
            raise InputError(f"codebook: question {i} has unknown key(s) {', '.join(unknown)}; "
                             f"allowed: {', '.join(_QUESTION_KEYS)}")
        qid = str(raw.get("id", "")).strip()
        column = str(raw.get("column", qid)).strip()
        if not qid:
            raise InputError(f"codebook: question {i} has no id; give it id = \"...\"")
        if qid in seen:
            raise InputError(f"codebook: question id {qid!r} is used twice; ids must be unique")
        seen.add(qid)
        comparable = raw.get("comparable", False)
        if not isinstance(comparable, bool):
            raise InputError(f"codebook: question {qid!r} has comparable = {comparable!r}; use true or false")
        kind = str(raw.get("kind", "yes_no")).strip()
        if kind not in KINDS:
            raise InputError(f"codebook: question {qid!r} has kind {kind!r}; use one of {', '.join(KINDS)}")
        built.append(Question(id=qid, column=column, text=str(raw.get("text", "")), kind=kind,
                              positive=_strings(raw.get("positive", []), f"question {qid!r} positive"),
                              exclude=_strings(raw.get("exclude", []), f"question {qid!r} exclude"),
                              base_question=str(raw.get("base_question", "")).strip(),
                              base_label=str(raw.get("base_label", "")), comparable=comparable,
                              section=str(raw.get("section", "")).strip(),
                              finding=str(raw.get("finding", "")).strip(),
                              check=_check(raw.get("check", ""), qid),
                              question_set=str(raw.get("question_set", "")).strip()))
    return Codebook(**{k: str(survey.get(k, "")) for k in _SURVEY_KEYS},
                    **{k: str(columns.get(k, "")).strip() for k in _COLUMN_KEYS}, questions=built)


def dump_codebook(cb: Codebook) -> str:
    """The codebook as TOML (the format load_codebook reads)."""
    import tomli_w

    return tomli_w.dumps({
        "survey": {k: getattr(cb, k) or "" for k in _SURVEY_KEYS},
        "columns": {k: getattr(cb, k) or "" for k in _COLUMN_KEYS},
        "questions": [{k: v for k, v in asdict(q).items() if v or k not in _OPTIONAL_KEYS} for q in cb.questions],
    })


# ------------------------------------------------------------------ suggestion
def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _scale(answers: list[str], name: str, text: str) -> tuple[str, list[str]] | None:
    """(kind, positive answers) when the answers form a scale we recognise, else None."""
    rank = {k: i for i, k in enumerate(_STRONGEST_FIRST)}
    answers = sorted(answers, key=lambda a: rank.get(answer_key(a), len(rank)))
    keys = {answer_key(a): a for a in answers}
    about = f"{name} {text}".lower()
    knowing = any(w in about for w in ("aware", "heard", "know"))
    if set(keys) <= _SELECTED and "selected" in keys:
        return "multi_select", [keys["selected"]]
    if set(keys) <= {"0", "1"} and "1" in keys and text:
        return "multi_select", [keys["1"]]
    if any(k in _AGREE for k in keys):
        return "agreement", [a for k, a in keys.items() if k in _AGREE]
    if any(k in _USEFUL for k in keys):
        return "usefulness", [a for k, a in keys.items() if k in _USEFUL]
    if any(k in _AMOUNT for k in keys):
        return ("awareness" if knowing else "agreement"), [a for k, a in keys.items() if k in _AMOUNT]
    yes = [a for k, a in keys.items() if k == "yes" or k.startswith(("yes,", "yes -", "yes "))]
    if yes and all(k in _YES_NO_OTHER or k.startswith("no") or a in yes for k, a in keys.items()):
        return ("awareness" if knowing else "yes_no"), yes
    very = [a for k, a in keys.items() if k.startswith(("very ", "fairly "))
            and not k.startswith(("very un", "fairly un"))]
    if very:
        return "agreement", very
    return None


def _answers(series: pd.Series) -> list[str]:
    """Distinct answers in the data's order (categories first for SPSS labels)."""
    uniques = list(dict.fromkeys(str(u) for u in series.unique() if not pd.isna(u)))  # (no dropna: a copy)
    if isinstance(series.dtype, pd.CategoricalDtype):
        used = set(uniques)
        return [str(c) for c in series.cat.categories if str(c) in used]
    return uniques


def suggest_codebook(data, known=()) -> Codebook:
    """A draft codebook: role/region/weight columns by name, and every column whose
    answers form a recognised scale as a question. "Don't know" stays in the base
    (YouGov practice); free-text and id columns are left out.

    Ids are short ("q01_understand_remit" -> "understand_remit"), or the id a codebook in
    ``known`` (e.g. a loaded survey's) gives the same question text, so the surveys can be
    compared. A question left blank exactly where an earlier question was not answered
    positively is routed: its base is that question (``base_question``, ``base_label``).
    The title and fieldwork come from the file's title rows when it has them."""
    frame = data.frame
    texts = getattr(data, "question_text", {}) or {}
    found = {"role": "", "region": "", "weight": ""}
    for column in frame.columns:
        key = _key(column)
        for slot, names in (("role", ROLE_NAMES), ("region", REGION_NAMES), ("weight", WEIGHT_NAMES)):
            if key in names and not found[slot]:
                found[slot] = column
    special = set(found.values())
    by_text = _known_ids(known)
    questions, used = [], set()
    for column in frame.columns:
        if column in special:
            continue
        series = frame[column]
        if series.nunique(dropna=True) > MAX_SCALE_ANSWERS:
            continue
        text = str(texts.get(column, "") or "")
        scale = _scale(_answers(series), str(column), text)
        if scale is None:
            continue
        kind, positive = scale
        qid = by_text.get(_text_key(text)) if text else None
        qid = _unique(qid or short_id(str(column)), used)
        questions.append(Question(id=qid, column=str(column), text=text or str(column), kind=kind,
                                  positive=positive, exclude=[], base_question="",
                                  base_label="All respondents"))
    questions = _with_routing(frame, questions)
    name = Path(getattr(data, "filename", "") or "survey").stem
    title, fieldwork = title_and_fieldwork(getattr(data, "title_rows", ()) or ())
    return Codebook(title=title or name, audience="", fieldwork=fieldwork,
                    source=f"Source: {title or getattr(data, 'filename', '') or name}",
                    questions=questions, **found)


def short_id(column: str, limit: int = 32) -> str:
    """A short question id from a column name: lower case, words joined by "_", a leading
    question number ("q01_", "Q1.", "Q12a ") dropped, cut at a word within ``limit``."""
    words = re.sub(r"[^0-9a-z]+", " ", str(column).casefold()).split()
    if len(words) > 1 and re.fullmatch(r"q\d+[a-z]?|\d+", words[0]):
        words = words[1:]
    if len(words) > 1 and re.fullmatch(r"\d+", words[0]):  # "q23_1_letters": the item number too
        words = words[1:]
    out = ""
    for word in words:
        if len(out) + len(word) + (1 if out else 0) > limit:
            break
        out = f"{out}_{word}" if out else word
    return out or (words[0][:limit] if words else "question")


def _unique(qid: str, used: set[str]) -> str:
    candidate, n = qid, 2
    while candidate in used:
        candidate, n = f"{qid}_{n}", n + 1
    used.add(candidate)
    return candidate


def _text_key(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _known_ids(known) -> dict[str, str]:
    """Question text -> id from loaded codebooks (first one wins)."""
    books = [known] if isinstance(known, Codebook) else list(known or ())
    out: dict[str, str] = {}
    for cb in books:
        for q in getattr(cb, "questions", ()):
            if q.text:
                out.setdefault(_text_key(q.text), q.id)
    return out


_FIELDWORK = re.compile(r"fieldwork(?:\s+dates?)?\s*(?:[:\-–]|was|ran|took place)?\s*(.+)", re.IGNORECASE)


def title_and_fieldwork(rows) -> tuple[str, str]:
    """From the title rows above a file's header: the title (the first row, before a
    ": respondent-level data"-style tail) and the fieldwork dates ("Fieldwork: June to
    September 2021." -> "June to September 2021")."""
    title, fieldwork = "", ""
    for row in rows:
        text = " ".join(str(row).split())
        if not text:
            continue
        match = _FIELDWORK.search(text)
        if match and not fieldwork:
            fieldwork = re.split(r"\.\s|\.$|;", match.group(1).strip(), maxsplit=1)[0].strip()
            continue
        if not title and not text.upper().startswith(("SYNTHETIC", "NOTE", "SOURCE")):
            head, sep, tail = text.partition(": ")
            title = head if sep and re.search(r"respondent|data|export|responses", tail, re.IGNORECASE) else text
    return title, fieldwork


def _positive_mask(series: pd.Series, positive: list[str]) -> np.ndarray:
    """Who gave one of the positive answers: each distinct answer is matched once, not each row."""
    wanted = {answer_key(p) for p in positive}
    codes, uniques = pd.factorize(series)  # a missing answer gets -1: the False appended last
    return np.array([answer_key(u) in wanted for u in uniques] + [False], dtype=bool)[codes]


def _with_routing(frame: pd.DataFrame, questions: list[Question]) -> list[Question]:
    """Mark routed questions: answered by (nearly) everyone positive on an earlier question
    and by nobody else. The nearest such earlier question is the base."""
    if not questions:
        return questions
    answered = np.column_stack([frame[q.column].notna().to_numpy() for q in questions])
    positive = np.column_stack([_positive_mask(frame[q.column], q.positive) for q in questions])
    n_answered, n_positive = answered.sum(axis=0), positive.sum(axis=0)
    out = list(questions)
    for i, q in enumerate(questions):
        asked, n = answered[:, i], n_answered[i]
        if n == len(asked) or n == 0:
            continue
        # An earlier question can route this one only if everyone who answered this one was positive
        # on it, so it has at least as many positive answers, and at most n / 0.9: counted first, the
        # few that fit are then checked row by row (not every earlier question: quadratic in questions).
        fit = np.flatnonzero((n_positive[:i] > 0) & (n_positive[:i] >= n) & (n >= 0.9 * n_positive[:i]))
        if len(fit):
            covered = fit[positive[:, fit][asked].all(axis=0)]  # nobody not positive on it answered
            if len(covered):
                earlier = questions[int(covered[-1])]  # the nearest
                what = earlier.text if len(earlier.text) <= 70 else earlier.text[:69].rstrip() + "…"
                out[i] = Question(**{**asdict(q), "base_question": earlier.id,
                                     "base_label": f"Those answering {' or '.join(earlier.positive)} to “{what}”"})
    return out


def column_answers(frame: pd.DataFrame, limit: int = 8) -> dict[str, str]:
    """Each column's distinct answers, most common first ("Yes; No; Don't know"), for the
    codebook editor: what the positive answers can be chosen from."""
    out = {}
    for column in frame.columns:
        counts = frame[column].value_counts(dropna=True)
        shown = [str(v) for v in counts.index[:limit]]
        more = len(counts) - len(shown)
        out[str(column)] = "; ".join(shown) + (f"; … {more} more" if more > 0 else "")
    return out


# ------------------------------------------------------------------ validation
def validate(cb: Codebook, frame: pd.DataFrame) -> list[str]:
    """Plain-English problems where the codebook and the data disagree (empty = fine)."""
    problems = []
    columns = set(frame.columns)
    for slot in _COLUMN_KEYS:
        column = getattr(cb, slot, "") or ""
        if column and column not in columns:
            problems.append(f"the {slot} column {column!r} named in the codebook's [columns] is not in the data")
    weight = getattr(cb, "weight", "") or ""
    if weight and weight in columns:
        raw = frame[weight]
        values = pd.to_numeric(raw.astype("string").str.strip(), errors="coerce")
        text = raw.notna() & values.isna()
        if text.any():
            row = int(text.to_numpy().nonzero()[0][0])
            problems.append(f"the weight column {weight!r} is not numeric (data row {row + 1}: "
                            f"{raw.iloc[row]!r}); weights must be numbers")
        elif raw.isna().any():
            problems.append(f"the weight column {weight!r} is empty on {int(raw.isna().sum())} row(s); "
                            "every respondent needs a weight")
        if (values < 0).any():
            problems.append(f"the weight column {weight!r} has {int((values < 0).sum())} negative weight(s); "
                            "weights must be 0 or more")
    ids = Counter(q.id for q in cb.questions)
    for qid in sorted(qid for qid, n in ids.items() if n > 1):
        problems.append(f"question id {qid!r} is used more than once; ids must be unique")
    for q in cb.questions:
        if q.base_question and q.base_question not in ids:
            problems.append(f"question {q.id!r}: base_question {q.base_question!r} is not a question id in the "
                            "codebook")
        elif q.base_question == q.id:
            problems.append(f"question {q.id!r} is its own base_question")
        if q.kind not in KINDS:
            problems.append(f"question {q.id!r}: kind {q.kind!r} is not one of {', '.join(KINDS)}")
        if q.column not in columns:
            lowered = {str(c).casefold(): str(c) for c in frame.columns}
            close = difflib.get_close_matches(q.column.casefold(), list(lowered), n=1)
            hint = f" (did you mean {lowered[close[0]]!r}?)" if close else ""
            problems.append(f"question {q.id!r}: column {q.column!r} is not in the data{hint}")
            continue
        if not q.positive:
            problems.append(f"question {q.id!r} (column {q.column!r}) lists no positive answers")
            continue
        present = {answer_key(a): a for a in _answers(frame[q.column])}
        wanted = [answer_key(p) for p in q.positive]
        if present and not any(w in present for w in wanted):
            problems.append(f"question {q.id!r}: none of its positive answers {q.positive} is in column "
                            f"{q.column!r} (answers there: {', '.join(list(present.values())[:8])})")
            continue
        others = [k for k in present if k not in wanted]
        for label, w in zip(q.positive, wanted):
            if w not in present:
                near = difflib.get_close_matches(w, others, n=1, cutoff=0.8)
                if near:
                    problems.append(f"question {q.id!r}: positive answer {label!r} is not in column {q.column!r}; "
                                    f"did you mean {present[near[0]]!r}?")
    return problems
