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
from feedback.survey import platforms
from feedback.survey.answers import answer_key  # the engine's own answer matching

KINDS = ("awareness", "agreement", "usefulness", "yes_no", "multi_select")
MAX_SCALE_ANSWERS = 12  # more distinct answers than this: free text or an id, not a question


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
    breaks: list[str] = field(default_factory=list)  # other data columns a tab book may break or filter by

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


def load_codebook(text_or_path, *, name: str | None = None) -> Codebook:
    """Codebook from TOML text or a path to a .toml file; structural mistakes raise InputError
    (``name``: the file the text came from, for the messages that can name it)."""
    path = None
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
    from feedback.safety import load_toml

    try:
        data = load_toml(text.lstrip("\ufeff"), f"codebook {name or path.name}" if name or path else "codebook")
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
    breaks = [b.strip() for b in _strings(columns.get("breaks", []), "[columns] breaks") if b.strip()]
    return Codebook(**{k: str(survey.get(k, "")) for k in _SURVEY_KEYS},
                    **{k: str(columns.get(k, "")).strip() for k in _COLUMN_KEYS}, questions=built,
                    breaks=list(dict.fromkeys(breaks)))


def dump_codebook(cb: Codebook) -> str:
    """The codebook as TOML (the format load_codebook reads)."""
    import tomli_w

    return tomli_w.dumps({
        "survey": {k: getattr(cb, k) or "" for k in _SURVEY_KEYS},
        "columns": {**{k: getattr(cb, k) or "" for k in _COLUMN_KEYS},
                    **({"breaks": list(cb.breaks)} if getattr(cb, "breaks", None) else {})},
        "questions": [{k: v for k, v in asdict(q).items() if v or k not in _OPTIONAL_KEYS} for q in cb.questions],
    })


# ------------------------------------------------------------------ suggestion
def _answers(series: pd.Series) -> list[str]:
    """Distinct answers in the data's order (categories first for SPSS labels)."""
    uniques = list(dict.fromkeys(str(u) for u in pd.unique(series.dropna())))  # each distinct answer once
    if isinstance(series.dtype, pd.CategoricalDtype):
        used = set(uniques)
        return [str(c) for c in series.cat.categories if str(c) in used]
    return uniques


@dataclass
class Suggestion:
    """A suggested codebook with what was inferred and why, for the Upload page to show.

    ``columns``: the role, region and weight choices (``ColumnChoice``: column, reason,
    sure); ``scales``: per question id, what ``scales.classify`` found (scale name, reason,
    ``check``); ``left_out``: columns that are not questions, with the reason (id, date,
    free text...)."""

    codebook: Codebook
    columns: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)

    def to_check(self) -> list[str]:
        """What a person should look at before trusting the figures, in words."""
        out = [f"{c.slot} column: {c.column or '(none)'}: {c.reason}" for c in self.columns.values() if not c.sure]
        out += to_check(self.codebook, self.scales)
        return out

    def notes(self) -> list[str]:
        """Every inference in words: the column choices, each question's scale, the columns
        left out. Unsure ones are marked "CHECK"."""
        out = [("CHECK " if not c.sure else "") + f"{c.slot}: {c.column or '(none)'} ({c.reason})"
               for c in self.columns.values()]
        for q in self.codebook.questions:
            match = self.scales.get(q.id)
            out.append(("CHECK " if q.check else "") + f"{q.id}: " + (getattr(match, "reason", "") or q.kind))
        out += [f"left out: {column} ({why})" for column, why in self.left_out.items()]
        return out

    def toml(self) -> str:
        """The codebook as TOML, headed by the notes as comments (TOML ignores them)."""
        head = "".join(f"# {' '.join(line.split())}\n" for line in ["Suggested codebook: what was inferred, and "
                                                                       "why.", *self.notes()])
        return head + "\n" + dump_codebook(self.codebook)


def suggest(data, known=()) -> Suggestion:
    """``suggest_codebook`` with its reasons: every column choice and every question's scale.

    Role, region and weight are found by their values as well as their names
    (``feedback.survey.columns``); a column is a question when its answers are in a scale
    the vocabulary knows (``feedback.survey.scales``), or when it is named like a question;
    a question whose favourable answers cannot be told gets ``check = "why"``."""
    from feedback.survey import columns as colmod
    from feedback.survey.scales import classify

    frame = data.frame
    texts = getattr(data, "question_text", {}) or {}
    sets = getattr(data, "question_sets", {}) or {}
    profiles = {c: colmod.profile(frame, c) for c in frame.columns}
    matches = {}
    for column, prof in profiles.items():
        if prof.left_out or not 1 <= prof.n_distinct <= MAX_SCALE_ANSWERS:
            continue
        text = str(texts.get(column, "") or "")
        matches[column] = classify(prof.distinct, f"{column} {text}",  # each distinct answer, in the data's order
                                   labelled=bool(text) and text != str(column))
    recognised = {c for c, m in matches.items() if m.scale}
    choices = colmod.choose_columns(data, profiles, questions=recognised)
    special = {c.column for c in choices.values() if c.column}
    by_text = _known_ids(known)
    questions, used, scales, left_out = [], set(), {}, {}
    for column, prof in profiles.items():
        if column in special:
            continue
        if prof.left_out:
            left_out[str(column)] = prof.left_out
            continue
        if column not in matches:
            left_out[str(column)] = (f"more than {MAX_SCALE_ANSWERS} different answers: free text or numbers, "
                                      "not a question"
                                      if prof.n_distinct else "no answers")
            continue
        match = matches[column]
        text = str(texts.get(column, "") or "")
        if not match.scale and not colmod.looks_like_question(str(column), text):
            left_out[str(column)] = ("categories that are not a scale the app knows, and not named like a "
                                     "question: add it as a question if it is one")
            continue
        if not match.scale and colmod.is_demographic(str(column), text):
            left_out[str(column)] = ("who the respondents are (gender, age, area...), not a question with a "
                                     "favourable answer: add it as a question if it is one")
            continue
        qid = by_text.get(_text_key(text)) if text else None
        qid = _unique(qid or short_id(str(column), text), used)
        scales[qid] = match
        questions.append(Question(id=qid, column=str(column), text=text or str(column), kind=match.kind,
                                  positive=list(match.positive), exclude=list(match.exclude), base_question="",
                                  base_label="All respondents", check=match.check,
                                  question_set=str(sets.get(column, "") or "")))
    questions = _with_routing(frame, questions)
    name = Path(getattr(data, "filename", "") or "survey").stem
    title, fieldwork = title_and_fieldwork(getattr(data, "title_rows", ()) or ())
    cb = Codebook(title=title or name, audience="", fieldwork=fieldwork,
                  source=f"Source: {title or getattr(data, 'filename', '') or name}", questions=questions,
                  **{slot: choice.column for slot, choice in choices.items()})
    # What the supplier's layout knows: metadata columns, question sets, "[ASK IF …]" routing.
    platforms.annotate_codebook(cb, data)
    return Suggestion(codebook=cb, columns=choices, scales=scales, left_out=left_out)


def suggest_codebook(data, known=()) -> Codebook:
    """A draft codebook: role/region/weight columns by their values and names, and every
    column whose answers form a scale the vocabulary knows (``feedback.survey.scales``) as a
    question, its positive answers the scale's favourable end, strongest first. A column
    named like a question whose answers are not in a known scale is a question with
    ``check = "why"`` and no positive answer guessed. "Don't know" and "Prefer not to say"
    stay in the base (YouGov practice, as in the Panel's codebooks); "not applicable"
    answers ("Have not used it") are excluded. Id, date, status, duration, e-mail/name
    and free-text columns are left out. ``suggest`` gives the reasons as well.

    Ids are short and readable (``short_id``), or the id a codebook in ``known`` (e.g. a
    loaded survey's) gives the same question text, so the surveys can be compared. A
    question left blank exactly where an earlier question was not answered positively is
    routed: its base is that question (``base_question``, ``base_label``). The title and
    fieldwork come from the file's title rows when it has them."""
    return suggest(data, known).codebook


_STOP = frozenset("""
a about above across after again against all also am an and any anything are as at be been before being below
between both but by can could did do does doing done during each either else ever every few for from further
had has have having here how however i if in into is it its itself just least less let like made make many may
me might more most much must my near need neither no nor not now of off on once one only or other our ours out
over own per please rather really same say says should since so some such than that the their theirs them
then there these they this those through thus to too under until up upon us very was we well were what when
where whether which while who whom whose why will with within would yes yet you your yours yourself
following best describes describe currently current overall extent agree disagree think thinking feel feels
generally say said rate rating how much many often way ways following statements statement regarding
respect terms kind type sort if at all find found panel panels panel's anything something
""".split()) - {"rate"}
_LEAD_IN = re.compile(r"^(?:to what extent|how much|how far|please (?:say|tell us|indicate)|thinking about|"
                      r"overall|in general|do you agree|how strongly)[^:?]*[:?]\s+(?=\S)", re.IGNORECASE)


def short_id(column: str, text: str = "", limit: int = 32) -> str:
    """A short, readable question id.

    A column already named like an id ("q01_understand_remit", "Q23_1_letters": a
    question number and at most five words) keeps its words without the number
    ("understand_remit", "letters"). A column named by its question ("Q5. Overall,
    how would you rate the Panel's communication?") becomes the question number plus
    its key words ("q5_rate_communication"): lead-ins ("To what extent do you agree
    or disagree:"), common words and "Panel" are dropped, at most three key words, cut
    at a word within ``limit``. ``text``: the question text, used when the column name
    is only a number ("Q5")."""
    raw = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", "", str(column))  # "gov.uk" -> "govuk"
    text = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", "", str(text or ""))
    words = re.sub(r"[^0-9a-z]+", " ", raw.casefold().replace("'", "").replace("’", "")).split()
    number = []
    if words and re.fullmatch(r"[a-z]{0,3}\d+[a-z]?", words[0]):
        number = [words[0] if re.match(r"[a-z]", words[0]) else f"q{words[0]}"]
        rest = words[1:]
        if rest and re.fullmatch(r"\d{1,2}", rest[0]):  # "q23_1_letters", "Q6_1. ...": the item number too
            number.append(rest[0])
            rest = rest[1:]
    else:
        rest = words
    slug = re.fullmatch(r"[A-Za-z]{0,3}\d*[a-z]?(?:[_.\- ]\d{1,2})?[_.\- ]?[A-Za-z0-9_]*", raw.strip()) \
        and " " not in raw.strip()
    if rest and (slug or (len(rest) <= 5 and not re.search(r"[?:,]", raw) and len("_".join(rest)) <= limit)):
        return _cut(rest, limit) or "_".join(number) or "question"
    if not rest and text and text != raw:  # "Q5" with its question text
        rest = re.sub(r"[^0-9a-z]+", " ", _without_lead_in(text).casefold().replace("'", "")).split()
    else:
        rest = re.sub(r"[^0-9a-z]+", " ", _without_lead_in(" ".join(raw.split()[1:] if number else raw.split()))
                      .casefold().replace("'", "").replace("’", "")).split() if rest else rest
    if " - " in raw:  # a grid or multi-select item, "stem - option": the option tells the items apart
        option = re.sub(r"[^0-9a-z]+", " ", raw.rsplit(" - ", 1)[1].casefold()).split()
        if 0 < len(option) <= 6 and any(w not in _STOP for w in option):
            rest = option
    key = [w for w in rest if w not in _STOP and not re.fullmatch(r"\d+", w) and len(w) > 1]
    key = list(dict.fromkeys(key))[:3]
    out = "_".join(number)
    for word in key:
        if len(out) + len(word) + (1 if out else 0) > limit:
            break
        out = f"{out}_{word}" if out else word
    return out or (words[0][:limit] if words else "question")


def _without_lead_in(text: str) -> str:
    return _LEAD_IN.sub("", " ".join(str(text).split()))


def _cut(words: list[str], limit: int) -> str:
    out = ""
    for word in words:
        if len(out) + len(word) + (1 if out else 0) > limit:
            break
        out = f"{out}_{word}" if out else word
    return out or (words[0][:limit] if words else "")


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
    """Plain-English problems where the codebook and the data disagree, and questions whose
    positive answers a person has still to tick (``check = "why"``): empty only when the
    codebook fits the data and nothing is left to check."""
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
        if q.check == "why":
            problems.append(_check_message(q))
            if not q.positive:
                continue
        elif not q.positive:
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


def _check_message(q: Question, reason: str = "") -> str:
    suggested = f" (suggested, not confirmed: {', '.join(q.positive)})" if q.positive else ""
    why = reason or "the suggestion could not tell which answers are favourable"
    return (f"question {q.id!r} (column {q.column!r}): tick its positive answers{suggested}. Why: {why}. "
            "Then clear check = \"why\".")


def to_check(cb: Codebook, reasons: dict | None = None) -> list[str]:
    """The questions whose positive answers a person must still tick (``check = "why"``),
    one message each (``reasons``: per question id, a ``ScaleMatch`` or text saying why)."""
    reasons = reasons or {}
    out = []
    for q in cb.questions:
        if q.check == "why":
            reason = reasons.get(q.id, "")
            out.append(_check_message(q, getattr(reason, "reason", reason) or ""))
    return out


def without_unchecked(cb: Codebook) -> tuple[Codebook, list[str]]:
    """The codebook without the questions still to be checked, and a note naming them
    (for a survey loaded with a suggested codebook nobody has reviewed)."""
    left = [q for q in cb.questions if q.check == "why"]
    if not left:
        return cb, []
    ids = {q.id for q in left}
    kept = [q for q in cb.questions if q.id not in ids and q.base_question not in ids]
    dropped = [q.id for q in cb.questions if q not in kept]
    note = (f"{len(dropped)} question(s) left out until their positive answers are ticked (the suggestion could not "
            f"tell which answers are favourable): {', '.join(dropped)}.")
    from dataclasses import replace

    return replace(cb, questions=kept), [note]


FITS = "The codebook fits the data."


@dataclass
class Review:
    """A codebook checked against its data, as the Upload page shows it: ``problems`` (red:
    the codebook and the data disagree), ``to_tick`` (amber: questions whose positive answers
    a person must still tick, ``check = "why"``). ``message`` is ``FITS`` only when both are
    empty."""

    problems: list[str]
    to_tick: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.to_tick

    @property
    def message(self) -> str:
        if self.ok:
            return FITS
        parts = []
        if self.problems:
            parts.append(f"{len(self.problems)} problem(s) to fix")
        if self.to_tick:
            parts.append(f"{len(self.to_tick)} question(s) whose positive answers are still to be ticked")
        return " and ".join(parts) + " before the survey can be used."


def review(cb: Codebook, frame: pd.DataFrame, reasons: dict | None = None) -> Review:
    """``validate`` split into what is wrong and what is left to tick (with the suggestion's
    reasons, ``Suggestion.scales``, when given)."""
    ticks = set(to_check(cb))
    problems = [p for p in validate(cb, frame) if p not in ticks]
    return Review(problems=problems, to_tick=to_check(cb, reasons))
