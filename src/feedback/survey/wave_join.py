"""An uploaded survey as one more wave of a series: whether it can join, why not in
words that say what to do, and, when it shares no question id with the series, a
mapping of its questions to the series' questions matched by their text, which a
person confirms before the upload joins under the series' ids.

Waves are linked by question id (``waves``). An upload made by another supplier, or
from a new questionnaire, often carries ids of its own: matched by text, the same
question gets the series' id and its change between waves is tested as usual; a
question whose wording changed is still a break in the series (``[b]``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from feedback.errors import InputError
from feedback.survey import waves
from feedback.survey.loading import YOUR_UPLOAD

JOINS = "joins"
UNREADABLE = "unreadable"
OTHER_KIND = "other kind"
OTHER_AUDIENCE = "other audience"
NO_AUDIENCE = "no audience"
SAME_WAVE = "same wave"
NO_SHARED_IDS = "no shared ids"
MATCH_COLUMNS = ["upload_id", "upload_text", "series_id", "series_text", "score"]
MATCH_CUTOFF = 60.0  # token-sort similarity (0-100) below which two texts are not offered as one question


@dataclass
class Join:
    """Whether an upload joins a series: ``status`` (one of the constants above), what to
    tell the person (plain words), the wave when it joins, the upload's audience, and the
    suggested matches of its questions when it shares no question id."""

    status: str
    message: str = ""
    wave: waves.Wave | None = None
    audience: str = ""
    matches: pd.DataFrame | None = None
    series_questions: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> text, to match to

    @property
    def joins(self) -> bool:
        return self.status == JOINS


def question_texts(wave_or_survey) -> dict[str, str]:
    """Question id -> text, in the survey's order."""
    survey = getattr(wave_or_survey, "survey", wave_or_survey)
    questions = survey.questions()
    return dict(zip(questions["question"].astype(str), questions["question_text"].astype(str)))


def series_texts(series: Iterable[waves.Wave]) -> dict[str, str]:
    """Every question id of a series with its latest wording (the waves oldest first)."""
    out: dict[str, str] = {}
    for wave in series:
        out.update(question_texts(wave))
    return out


def assess_upload(read: Callable, *, name: str, audience: str, kind: str, series: list[waves.Wave]) -> Join:
    """The session's upload as one more wave of ``series`` (waves of ``audience`` and ``kind``),
    or why it cannot be one. ``read()`` gives the uploaded survey or raises ``InputError``;
    ``name`` is how the person named it."""
    try:
        survey = read()
    except InputError as err:
        return Join(UNREADABLE, f"{YOUR_UPLOAD} {name} could not be read: {err}")
    return assess(survey, audience=audience, kind=kind, series=series, series_audiences=waves.series_audiences(),
                  name=name)


def assess(survey, *, audience: str, kind: str, series: list[waves.Wave], series_audiences: Iterable[str] = (),
           name: str = "") -> Join:
    """Can ``survey`` (the session's upload) be one more wave of ``series`` (waves of
    ``audience`` and ``kind``)? ``series_audiences``: the audiences that have a series, so
    that an upload of another audience is pointed at its own series."""
    name = name or getattr(survey, "name", "") or getattr(survey, "filename", "")
    own = str(getattr(survey, "audience", "") or "")
    words = waves.audience_words
    if survey.kind != kind:
        return Join(OTHER_KIND, f"{YOUR_UPLOAD} {name} is {survey.kind}, these waves are {kind}: it cannot be added "
                                "as a wave.", audience=own)
    if not own:
        return Join(NO_AUDIENCE, f"{YOUR_UPLOAD} {name} names no audience, so it is in no series. If it is a survey "
                                 f"of {words(audience).lower()}, add it to these waves (or set its Audience on the "
                                 "Upload page).", audience=own)
    if own != audience:
        if own in set(series_audiences):
            return Join(OTHER_AUDIENCE, f"{YOUR_UPLOAD} {name} is a survey of {words(own).lower()} (audience "
                                        f"\"{own}\"); these waves are of {words(audience).lower()}. Show the "
                                        f"{words(own)} series to add it there.", audience=own)
        return Join(OTHER_AUDIENCE, f"{YOUR_UPLOAD} {name} is a survey of {words(own).lower()} (audience \"{own}\"), "
                                    "and no earlier wave of that audience is loaded. If it is a survey of "
                                    f"{words(audience).lower()}, set its Audience to \"{audience}\" on the Upload "
                                    "page.", audience=own)
    label = waves.wave_label(survey)
    if label in {w.label for w in series}:
        return Join(SAME_WAVE, f"{YOUR_UPLOAD} {name} has the wave label '{label}', the same as a wave already "
                               "shown: give it its own Wave (e.g. its year) on the Upload page.", audience=own)
    mine = question_texts(survey)
    theirs = series_texts(series)
    if not set(mine) & set(theirs):
        matches = match_questions(mine, theirs)
        found = int((matches["series_id"] != "").sum())
        return Join(NO_SHARED_IDS, f"{YOUR_UPLOAD} {name} ({label}) shares no question id with these waves, so its "
                                   f"questions cannot be linked to theirs as they are. {found} of its "
                                   f"{len(mine)} questions match a question of the series by their text: check "
                                   "the matches below and confirm them to add it.", audience=own, matches=matches,
                    series_questions=theirs)
    return Join(JOINS, wave=waves.Wave(label, survey), audience=own)


def match_questions(upload: Mapping[str, str], series: Mapping[str, str], *,
                    cutoff: float = MATCH_CUTOFF) -> pd.DataFrame:
    """Each upload question with the series question whose text is most alike (one to one:
    the pairing with the highest total similarity, from rapidfuzz's token-sort ratio on
    the whole score matrix at once), or ``series_id`` "" when none reaches ``cutoff``."""
    from rapidfuzz import fuzz, process, utils
    from scipy.optimize import linear_sum_assignment

    up_ids, se_ids = list(upload), list(series)
    chosen = [""] * len(up_ids)
    scores = np.zeros(len(up_ids))
    if up_ids and se_ids:
        matrix = process.cdist([upload[i] for i in up_ids], [series[i] for i in se_ids],
                               scorer=fuzz.token_sort_ratio, processor=utils.default_process, workers=1)
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        for r, c in zip(rows, cols):
            if matrix[r, c] >= cutoff:
                chosen[r], scores[r] = se_ids[c], float(matrix[r, c])
    return pd.DataFrame({"upload_id": up_ids, "upload_text": [upload[i] for i in up_ids], "series_id": chosen,
                         "series_text": [series.get(i, "") for i in chosen], "score": np.round(scores, 1)},
                        columns=MATCH_COLUMNS)


def apply_mapping(codebook, mapping: Mapping[str, str]):
    """The codebook with each question in ``mapping`` (upload id -> series id; "" or absent:
    kept) under the series' id, base questions renamed with it. Two questions given one id,
    or a new id that another question already has, is refused."""
    rename = {k: v.strip() for k, v in mapping.items() if v and v.strip()}
    targets = list(rename.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise InputError(f"two questions are matched to the series question {twice[0]!r}: match each series "
                         "question at most once")
    kept = {q.id for q in codebook.questions if q.id not in rename}
    clash = sorted(kept & set(targets))
    if clash:
        raise InputError(f"the series question id {clash[0]!r} is already the id of another question of the upload")
    questions = [dataclasses.replace(q, id=rename.get(q.id, q.id),
                                     base_question=rename.get(q.base_question, q.base_question))
                 for q in codebook.questions]
    return dataclasses.replace(codebook, questions=questions)


def with_audience(codebook, audience: str):
    """The codebook with its ``[survey] audience`` set (an upload added to a series)."""
    return dataclasses.replace(codebook, audience=str(audience))
