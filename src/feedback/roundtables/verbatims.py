"""Open-ended survey answers coded with the roundtables' theme codebook, through the same
suggest-and-accept flow, then counted by the survey engine like any question.

``suggest_answers`` ranks sub-themes for each answer in a free-text column (the suggester that
suggests for roundtable points; it never codes). A person accepts, changes or rejects each;
their codes (``accepted``: row -> sub-theme ids) become one yes/no question per sub-theme with
``theme_questions``, so ``feedback.survey.rates.rates_by_group`` gives theme rates by role and
region with intervals and bases. The base of a theme is the respondents whose answer a person
coded (an empty answer, or one nobody has coded yet, is outside it): the roundtables and the
survey speak the same themes, counted the survey's way.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from feedback.errors import InputError
from feedback.export import safe_cell
from feedback.roundtables import suggest
from feedback.roundtables.themes import ThemeCodebook
from feedback.survey.codebook import Question
from feedback.survey.rates import rates_by_group
from feedback.survey.settings import DEFAULT_SETTINGS, Settings

YES, NO = "Yes", "No"
LEVELS = ("theme", "sub_theme")
# A column holds free-text answers when, among its non-blank values, at least MIN_DISTINCT are
# different from each other and the typical (median) answer has at least MIN_WORDS words.
MIN_ANSWERS, MIN_DISTINCT, MIN_WORDS = 5, 0.5, 3
PAGE_SIZE = 20


def suggest_answers(frame: pd.DataFrame, column: str, codebook: ThemeCodebook,
                    examples: Sequence[suggest.Example] | None = None, *, top: int = 3) -> pd.DataFrame:
    """One row per answer x candidate sub-theme: row (the frame's index), answer, rank, code,
    sub_theme, score, suggested, reason, coder. Empty answers are left out."""
    if column not in frame.columns:
        raise InputError(f"The survey has no column '{column}'. Choose the column of free-text answers.")
    answers = frame[column].astype("string").fillna("").str.strip()
    answers = answers[answers != ""]
    model = suggest.Suggester(codebook, suggest.load_examples() if examples is None else examples)
    points = pd.DataFrame({"row": answers.index, "answer": answers.to_numpy()})
    out = suggest.suggestion_frame(points, model.suggest(list(points["answer"]), top=top), codebook, text="answer")
    return out.assign(coder=suggest.SUGGESTER_CODER)


def theme_questions(frame: pd.DataFrame, survey_codebook, column: str, accepted: Mapping[object, Iterable[str]],
                    codebook: ThemeCodebook, *, level: str = "sub_theme"):
    """(frame, survey codebook) with one yes/no column and question per sub-theme of the theme
    codebook (``level="theme"``: per theme, "Yes" when any of its sub-themes was coded): "Yes"
    where a person coded the answer to it, "No" where they coded the answer otherwise (an empty
    list is "none of these"), blank (outside the base) where nobody coded it."""
    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    known = codebook.by_id()
    unknown = sorted({c for codes in accepted.values() for c in codes} - set(known))
    if unknown:
        raise InputError(f"Unknown sub-theme(s): {', '.join(unknown)}. Choose from the codebook.")
    missing = [r for r in accepted if r not in frame.index]
    if missing:
        raise InputError(f"{len(missing)} coded row(s) are not in the survey (first: {missing[0]!r}).")
    coded = pd.Series({r: frozenset(c) for r, c in accepted.items()}, dtype=object)
    out = frame.copy()
    questions = list(survey_codebook.questions)
    used = {q.id for q in questions}
    label = f"Themes in '{column}' (coded answers)"
    for name, ids, text, key in _indicators(codebook, level):
        col = f"{column}: {name}"
        values = pd.Series("", index=frame.index, dtype=object)
        values.loc[coded.index] = [YES if codes & ids else NO for codes in coded]
        out[col] = values
        qid = f"theme_{key}"
        while qid in used:
            qid += "_"
        used.add(qid)
        questions.append(Question(id=qid, column=col, text=f"{column}: {text}", kind="multi_select",
                                  positive=[YES], question_set=label, base_label="respondents whose answer was coded"))
    return out, dataclasses.replace(survey_codebook, questions=questions)


def _indicators(codebook: ThemeCodebook, level: str) -> list[tuple[str, frozenset[str], str, str]]:
    """(column name, sub-theme ids counted, question text, id stem) per indicator column."""
    if level == "sub_theme":
        return [(c.name, frozenset([c.id]), c.label, c.id) for c in codebook.codes]
    return [(theme, frozenset(c.id for c in codebook.codes if c.theme == theme), theme,
             re.sub(r"[^a-z0-9]+", "_", theme.lower()).strip("_")) for theme in codebook.themes]


# ---------------------------------------------------------------- the Open answers page's model

def free_text_columns(frame: pd.DataFrame, survey_codebook) -> pd.DataFrame:
    """Every column of the file the codebook does not use (as a question, role, region or weight),
    with what was found in it: column, answers (non-blank), blank, distinct (share of the answers
    that differ from each other), words (the median answer's), free_text (True when it looks like
    open answers) and why, in words."""
    used = {q.column for q in survey_codebook.questions}
    used |= {getattr(survey_codebook, k, "") for k in ("role", "region", "weight")}
    records = []
    for col in frame.columns:
        if col in used:
            continue
        text = frame[col].astype("string").fillna("").str.strip()
        answers = text[text != ""]
        n = len(answers)
        distinct = answers.nunique() / n if n else 0.0
        words = float(answers.str.split().str.len().median()) if n else 0.0
        numeric = n > 0 and pd.to_numeric(answers, errors="coerce").notna().all()
        if n < MIN_ANSWERS:
            free, why = False, f"only {n} non-blank answer(s): at least {MIN_ANSWERS} are needed"
        elif numeric:
            free, why = False, "numbers, not text"
        elif distinct < MIN_DISTINCT:
            free, why = False, (f"{distinct:.0%} of the answers differ: categories rather than free text "
                                f"(free text needs {MIN_DISTINCT:.0%})")
        elif words < MIN_WORDS:
            free, why = False, (f"the typical answer has {words:g} word(s): codes or names rather than sentences "
                                f"(free text needs {MIN_WORDS})")
        else:
            free, why = True, (f"not a question in the codebook; {distinct:.0%} of {n} answers differ and the "
                               f"typical answer has {words:g} words")
        records.append((col, n, len(text) - n, round(distinct, 3), words, free, why))
    return pd.DataFrame(records, columns=["column", "answers", "blank", "distinct", "words", "free_text", "why"])


@dataclasses.dataclass(frozen=True)
class Answer:
    """One non-blank answer and what the suggester offers for it."""

    row: object                      # the frame's index label
    number: int                      # the respondent's row in the file, 1 = the first respondent
    text: str
    offered: tuple[suggest.Suggestion, ...]

    @property
    def suggested(self) -> list[str]:
        """The codes accepting the suggestions gives (an empty list: none of these)."""
        return [s.code for s in self.offered if s.suggested]


def answers_with_suggestions(frame: pd.DataFrame, column: str, codebook: ThemeCodebook,
                             examples: Sequence[suggest.Example] | None = None, *, top: int = 3) -> list[Answer]:
    """The non-blank answers of ``column`` in file order, each with its ranked suggestions (at most
    ``top``, scoring at least ``suggest.SHOW``; the reason of each in ``Suggestion.reason``)."""
    if column not in frame.columns:
        raise InputError(f"The survey has no column '{column}'. Choose the column of free-text answers.")
    text = frame[column].astype("string").fillna("").str.strip()
    positions = pd.Series(range(1, len(frame) + 1), index=frame.index)
    text = text[text != ""]
    model = suggest.Suggester(codebook, suggest.load_examples() if examples is None else examples)
    rows = model.suggest(list(text), top=top)
    return [Answer(r, int(positions[r]), str(t), tuple(o)) for r, t, o in zip(text.index, text, rows, strict=True)]


def page(answers: Sequence[Answer], number: int, size: int = PAGE_SIZE) -> list[Answer]:
    """The answers on page ``number`` (1 = the first), clipped to the pages there are."""
    pages = page_count(len(answers), size)
    number = min(max(int(number), 1), pages)
    return list(answers[(number - 1) * size: number * size])


def page_count(n: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-n // size))


def coding_summary(frame: pd.DataFrame, column: str, accepted: Mapping[object, Iterable[str]],
                   settings: Settings) -> dict:
    """What the rates rest on: respondents, answers (non-blank), blank, coded, not yet coded, coded
    with no theme, and ``few``: a sentence when the coded answers are fewer than the settings'
    low-reliability base (or fewer than half the answers), else ""."""
    text = frame[column].astype("string").fillna("").str.strip()
    answers = int((text != "").sum())
    coded = sum(1 for r in accepted if r in frame.index)
    none = sum(1 for r, c in accepted.items() if r in frame.index and not list(c))
    few = ""
    if coded < settings.flag:
        few = (f"Only {coded} answer(s) are coded: every theme rate rests on fewer than {settings.flag} "
               "respondents, below the low-reliability base. Code more answers before quoting these rates.")
    elif coded < answers / 2:
        few = (f"{coded} of {answers} answers are coded: the rates describe the coded answers only, and may "
               "not describe everyone who answered. Code the rest before quoting these rates.")
    return {"column": column, "respondents": len(frame), "answers": answers, "blank": len(frame) - answers,
            "coded": coded, "not_coded": answers - coded, "none_of_these": none, "few": few}


def theme_rates(frame: pd.DataFrame, survey_codebook, column: str, accepted: Mapping[object, Iterable[str]],
                codebook: ThemeCodebook, *, by: str = "role", settings: Settings = DEFAULT_SETTINGS,
                level: str = "theme", raking=None) -> pd.DataFrame:
    """The share of respondents mentioning each theme (``level="sub_theme"``: each sub-theme) by
    ``by`` ("role" or "region"), with total: ``rates_by_group`` on one yes/no column per theme
    (``theme_questions``), with the settings' interval, level and small-base rules. The base is
    the respondents whose answer a person coded."""
    if by not in ("role", "region"):
        raise InputError(f"unknown grouping {by!r}: use role or region")
    if not any(r in frame.index for r in accepted):
        raise InputError("No answer is coded yet: code some answers to see theme rates.")
    out, cb = theme_questions(frame, survey_codebook, column, accepted, codebook, level=level)
    theme_cb = dataclasses.replace(cb, questions=cb.questions[len(survey_codebook.questions):])
    return rates_by_group(out, theme_cb, by=((by,),), **settings.engine(), raking=raking)


def codings_table(frame: pd.DataFrame, column: str, accepted: Mapping[object, Iterable[str]],
                  answers: Sequence[Answer], codebook: ThemeCodebook, *, coder: str) -> pd.DataFrame:
    """The codings to export, one row per coded answer in file order: the respondent's row in the
    file, the answer (neutralised against spreadsheet formulas), the sub-theme ids and names, the
    themes, who coded, the suggester whose suggestions were shown, and whether the codes are
    exactly its suggestions."""
    by_id = codebook.by_id()
    records = []
    for a in answers:
        if a.row not in accepted:
            continue
        codes = [c for c in by_id if c in set(accepted[a.row])]  # codebook order
        records.append({"Respondent row": a.number, "Column": column, "Answer": safe_cell(a.text),
                        "Codes": ";".join(codes), "Sub-themes": "; ".join(by_id[c].name for c in codes),
                        "Themes": "; ".join(dict.fromkeys(by_id[c].theme for c in codes)),
                        "Coded by": coder, "Suggester": suggest.SUGGESTER_CODER,
                        "Same as suggested": "Yes" if set(codes) == set(a.suggested) else "No"})
    return pd.DataFrame(records, columns=["Respondent row", "Column", "Answer", "Codes", "Sub-themes", "Themes",
                                          "Coded by", "Suggester", "Same as suggested"])


def codings_from_table(frame: pd.DataFrame, table: pd.DataFrame) -> dict:
    """The codings of an export (``codings_table``'s CSV read back: "Respondent row" and "Codes")
    as ``accepted`` (the frame's index label -> sub-theme ids)."""
    for col in ("Respondent row", "Codes"):
        if col not in table.columns:
            raise InputError(f"The codings file has no '{col}' column: use the file the Open answers page exports.")
    out = {}
    for number, codes in zip(table["Respondent row"], table["Codes"].fillna(""), strict=True):
        position = int(number) - 1
        if not 0 <= position < len(frame):
            raise InputError(f"Respondent row {number} is not in the survey ({len(frame)} respondents).")
        out[frame.index[position]] = [c for c in str(codes).split(";") if c]
    return out


def cli_command(survey, column: str, *, by: str, settings: Settings, level: str = "theme") -> str:
    """The command line that gives the same theme rates from the survey's files (its codebook as
    FILE.toml, as ``feedback.survey.cli.cli_command`` names it) and the codings export."""
    parts = ["python -m feedback roundtables theme-rates", shlex.quote(survey.filename), "--codebook",
             shlex.quote(Path(survey.filename).with_suffix(".toml").name), "--column", shlex.quote(column),
             "--codings", "codings.csv", "--by", by]
    raking = getattr(survey, "raking", None)
    if raking is not None:
        parts += ["--targets", shlex.quote(Path(survey.filename).stem + "_targets.csv")]
        if raking.cap:
            parts.append(f"--cap {raking.cap:g}")
    if level != "theme":
        parts += ["--count", level]
    return " ".join(parts + settings.options())
