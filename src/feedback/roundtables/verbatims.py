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
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from feedback.errors import InputError
from feedback.roundtables import suggest
from feedback.roundtables.themes import ThemeCodebook
from feedback.survey.codebook import Question

YES, NO = "Yes", "No"


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
                    codebook: ThemeCodebook):
    """(frame, survey codebook) with one yes/no column and question per sub-theme of the theme
    codebook: "Yes" where a person coded the answer to it, "No" where they coded the answer
    otherwise (an empty list is "none of these"), blank (outside the base) where nobody coded it."""
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
    for code in codebook.codes:
        col = f"{column}: {code.name}"
        values = pd.Series("", index=frame.index, dtype=object)
        values.loc[coded.index] = [YES if code.id in codes else NO for codes in coded]
        out[col] = values
        qid = f"theme_{code.id}"
        while qid in used:
            qid += "_"
        used.add(qid)
        questions.append(Question(id=qid, column=col, text=f"{column}: {code.label}", kind="multi_select",
                                  positive=[YES], question_set=label))
    return out, dataclasses.replace(survey_codebook, questions=questions)
