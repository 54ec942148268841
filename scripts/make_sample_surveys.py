"""Write the app's embedded sample surveys (SYNTHETIC respondent records).

    python scripts/make_sample_surveys.py            # writes data/surveys/
    python scripts/make_sample_surveys.py --out DIR  # writes somewhere else

The Panel's 2021 YouGov survey (annual report 2021, chapter 11 and Annex D)
published only summary percentages. The respondent records written here are
invented: a fixed random seed, no network, and a construction that makes every
published headline percentage come out exactly (to the whole percentage) when
the app's `rates` are run on these files with their codebooks.

Outputs (all in the output folder):
- partners_2021.sav + partners_2021.toml: 139 safeguarding partners and
  business managers, unweighted, SPSS numeric codes with value labels, a
  user-missing code 99 "Not asked" for routed questions.
- frontline_2021.xlsx + frontline_2021.toml: 307 frontline professionals,
  weighted (YouGov-style weights, mean 1), text answers, a title block above
  the header row.
- frontline_2021_tables.xlsx: the frontline survey as YouGov-style data tables
  (weighted percentages by role and region), computed from the records above.
- partners_2022.*, frontline_2022.* and frontline_2022_tables.xlsx: an invented
  second wave, "2022 (synthetic)" (no 2022 figures were published), made from
  the 2021 records with deliberate changes by role and region, for the change
  between waves; one frontline question reworded (a break) and one new.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from feedback.regions import REGIONS  # noqa: E402

SEED = 20210930
FIELDWORK = "June to September 2021"
SOURCE = ("Source: YouGov survey for the Child Safeguarding Practice Review Panel, "
          "June to September 2021 (synthetic sample data)")
SYNTHETIC_NOTE = ("SYNTHETIC SAMPLE DATA: these respondent records are invented. They are "
                  "built to reproduce the percentages the Child Safeguarding Practice Review "
                  "Panel published from its 2021 YouGov survey (annual report 2021, chapter 11 "
                  "and Annex D); they are not the survey's real responses.")
SAV_FILE_LABEL = "SYNTHETIC sample data reproducing published 2021 figures"

# ---------------------------------------------------------------- answer scales
AGREE = {1: "Strongly agree", 2: "Tend to agree", 3: "Neither agree nor disagree",
         4: "Tend to disagree", 5: "Strongly disagree", 6: "Don't know"}
USEFUL = {1: "Very useful", 2: "Fairly useful", 3: "Not very useful",
          4: "Not at all useful", 5: "Don't know"}
USEFUL_WEB = {**USEFUL, 6: "Have not used it"}
YES_NO = {1: "Yes", 2: "No", 3: "Don't know"}
KNOW = {1: "A great deal", 2: "A fair amount", 3: "Just a little",
        4: "Heard of, know nothing about it", 5: "Never heard of it"}
READ = {1: "Yes, all of it", 2: "Yes, some of it", 3: "No, none of it", 4: "Don't know"}
MULTI = {1: "Selected", 0: "Not selected"}
NOT_ASKED_CODE = 99
NOT_ASKED = "Not asked"

# (positive labels, how positives split, non-positive labels and their shares)
SCALES = {
    "agree": (AGREE, ["Strongly agree", "Tend to agree"], [0.4, 0.6],
              {"Neither agree nor disagree": 0.45, "Tend to disagree": 0.25,
               "Strongly disagree": 0.1, "Don't know": 0.2}),
    "useful": (USEFUL, ["Very useful", "Fairly useful"], [0.35, 0.65],
               {"Not very useful": 0.55, "Not at all useful": 0.15, "Don't know": 0.3}),
    "useful_web": (USEFUL_WEB, ["Very useful", "Fairly useful"], [0.3, 0.7],
                   {"Not very useful": 0.55, "Not at all useful": 0.15, "Don't know": 0.3}),
    "yes_no": (YES_NO, ["Yes"], [1.0], {"No": 0.75, "Don't know": 0.25}),
    "know": (KNOW, ["A great deal", "A fair amount"], [0.3, 0.7],
             {"Just a little": 0.6, "Heard of, know nothing about it": 0.3,
              "Never heard of it": 0.1}),
    "read": (READ, ["Yes, all of it", "Yes, some of it"], [0.3, 0.7],
             {"No, none of it": 0.85, "Don't know": 0.15}),
    "multi": (MULTI, ["Selected"], [1.0], {"Not selected": 1.0}),
}
KIND = {"agree": "agreement", "useful": "usefulness", "useful_web": "usefulness",
        "yes_no": "yes_no", "know": "awareness", "read": "yes_no", "multi": "multi_select"}


@dataclass
class Q:
    id: str
    column: str
    text: str
    scale: str
    target: int | None            # published whole percentage (None: not published)
    base_question: str = ""
    base_label: str = ""
    kind: str = ""
    exclude: list[str] = field(default_factory=list)
    excluded_count: int = 0       # respondents giving the excluded answer (partners)
    aim: float | None = None      # aim for unpublished questions (share)

    @property
    def positive(self) -> list[str]:
        return SCALES[self.scale][1]

    @property
    def labels(self) -> dict[int, str]:
        return SCALES[self.scale][0]


ALL_PARTNERS = "All safeguarding partners"
ALL_FRONTLINE = "All frontline professionals"
MULTI_INFO = "Through which of these, if any, do you currently receive information from the Panel? "
MULTI_WANT = "Through which of these, if any, would you like to receive information from the Panel in future? "

PARTNER_QUESTIONS = [
    Q("understand_remit", "q01_understand_remit",
      "To what extent do you agree or disagree: I have a good understanding of the Panel's remit and activities",
      "agree", 87),
    Q("well_informed", "q02_well_informed",
      "To what extent do you agree or disagree: I feel well informed about the Panel's current activities",
      "agree", 87),
    Q("knowledge_improved", "q03_knowledge_improved",
      "To what extent do you agree or disagree: My knowledge of the Panel has improved compared to a year ago",
      "agree", 64),
    Q("trusted_source", "q04_trusted_source",
      "To what extent do you agree or disagree: The Panel is a trusted source of information",
      "agree", 86),
    Q("identifies_improvements", "q05_identifies_improvements",
      "To what extent do you agree or disagree: The Panel's work helps to identify improvements "
      "to multi-agency safeguarding practice",
      "agree", 86),
    Q("improving_system", "q06_improving_system",
      "To what extent do you agree or disagree: The Panel's work is improving the safeguarding system",
      "agree", 70),
    Q("rr_feedback_useful", "q07_rr_feedback_useful",
      "To what extent do you agree or disagree: The Panel's feedback on rapid reviews for serious "
      "child safeguarding incidents is useful",
      "agree", 74),
    Q("aware_ce_review", "q08_aware_ce_review",
      "Are you aware of the Panel's national review of criminal exploitation "
      "('It was hard to escape')?",
      "yes_no", 77, kind="awareness"),
    Q("ce_changes", "q09_ce_changes",
      "Has your organisation made changes to local safeguarding practice as a result of the "
      "criminal exploitation review?",
      "yes_no", 72, base_question="aware_ce_review",
      base_label="Safeguarding partners aware of the criminal exploitation review"),
    Q("aware_sudi_review", "q10_aware_sudi_review",
      "Are you aware of the Panel's national review into sudden unexpected death in infancy "
      "('Out of routine')?",
      "yes_no", 72, kind="awareness"),
    Q("sudi_changes", "q11_sudi_changes",
      "Has your organisation made changes to local safeguarding practice as a result of the "
      "SUDI review?",
      "yes_no", 67, base_question="aware_sudi_review",
      base_label="Safeguarding partners aware of the SUDI review"),
    Q("know_thematic_reviews", "q12_know_thematic_reviews",
      "How much, if anything, do you know about the Panel's national thematic reviews?",
      "know", 76),
    Q("read_annual_report", "q13_read_annual_report",
      "Have you read the Panel's annual report?",
      "read", 84),
    Q("recs_actionable", "q14_recs_actionable",
      "To what extent do you agree or disagree: The annual report's recommendations are "
      "understandable and actionable",
      "agree", 87, base_question="read_annual_report",
      base_label="Safeguarding partners who have read some of the annual report"),
    Q("activities_beneficial", "q15_activities_beneficial",
      "To what extent do you agree or disagree: The Panel's activities are beneficial for local "
      "safeguarding practice",
      "agree", 86),
    Q("comms_improve_practice", "q16_comms_improve_practice",
      "To what extent do you agree or disagree: The Panel's information and communication "
      "improves our local safeguarding practice",
      "agree", 64),
    Q("easy_to_find_info", "q17_easy_to_find_info",
      "To what extent do you agree or disagree: It is easy to find information about the Panel",
      "agree", 78),
    Q("govuk_useful", "q18_govuk_useful",
      "How useful, if at all, do you find the Panel's pages on the gov.uk website?",
      "useful_web", 73, exclude=["Have not used it"], excluded_count=9,
      base_label="Safeguarding partners who have used the Panel's gov.uk pages"),
    Q("took_part_rapid_review", "q19_took_part_rapid_review",
      "Have you taken part in a rapid review since the Panel was set up?",
      "yes_no", None, aim=96 / 139),
    Q("rr_feedback_improved_practice", "q20_rr_feedback_improved_practice",
      "How useful, if at all, was the Panel's feedback on your rapid review in improving your "
      "local practice?",
      "useful", 75, base_question="took_part_rapid_review",
      base_label="Safeguarding partners who took part in a rapid review"),
    Q("should_be_independent", "q21_should_be_independent",
      "Do you think the Panel should be independent of government?",
      "yes_no", 90),
    Q("is_independent", "q22_is_independent",
      "Do you think the Panel's work is currently independent of government?",
      "yes_no", 60),
    Q("info_via_letters", "q23_1_letters", MULTI_INFO + "Letters from the Panel", "multi", 60),
    Q("info_via_emails", "q23_2_emails", MULTI_INFO + "Emails from the Panel", "multi", 58),
    Q("want_newsletter", "q24_1_newsletter", MULTI_WANT + "A Panel newsletter", "multi", 66),
    Q("want_webinars", "q24_2_webinars", MULTI_WANT + "Webinars run by the Panel", "multi", 59),
]

FRONTLINE_QUESTIONS = [
    Q("heard_of_panel", "Q1_heard_of_panel",
      "Before today, had you heard of the Child Safeguarding Practice Review Panel?",
      "yes_no", 49, kind="awareness"),
    Q("aware_panel_reviews", "Q2_aware_panel_reviews",
      "Are you aware of any of the reviews the Panel has published?",
      "yes_no", 37, kind="awareness"),
    Q("know_thematic_reviews", "Q3_know_thematic_reviews",
      "How much, if anything, do you know about the Panel's national thematic reviews?",
      "know", 28),
    Q("aware_ce_review", "Q4_aware_ce_review",
      "Are you aware of the Panel's national review of criminal exploitation "
      "('It was hard to escape')?",
      "yes_no", None, kind="awareness", aim=0.31),
    Q("ce_review_useful", "Q5_ce_review_useful",
      "How useful, if at all, is the criminal exploitation review in your day-to-day role?",
      "useful", 86, base_question="aware_ce_review",
      base_label="Frontline professionals aware of the criminal exploitation review"),
    Q("aware_sudi_review", "Q6_aware_sudi_review",
      "Are you aware of the Panel's national review into sudden unexpected death in infancy "
      "('Out of routine')?",
      "yes_no", None, kind="awareness", aim=0.26),
    Q("sudi_review_useful", "Q7_sudi_review_useful",
      "How useful, if at all, is the SUDI review in your day-to-day role?",
      "useful", 81, base_question="aware_sudi_review",
      base_label="Frontline professionals aware of the SUDI review"),
]

PARTNER_ROLES = {"Local authority": 41, "Police": 30, "Health (ICB/CCG)": 32,
                 "Business manager": 36}
PARTNER_ROLE_EFFECT = {"Local authority": 0.3, "Police": -0.3, "Health (ICB/CCG)": -0.2,
                       "Business manager": 0.5}
PARTNER_REGIONS = dict(zip(REGIONS, [9, 21, 14, 8, 13, 11, 30, 19, 14]))

FRONTLINE_ROLES = {"Social worker": 100, "Health": 77, "Police": 60, "Education": 70}
# the profession mix the weights make the sample represent
FRONTLINE_ROLE_TARGET = {"Social worker": 0.15, "Health": 0.30, "Police": 0.20,
                         "Education": 0.35}
FRONTLINE_ROLE_EFFECT = {"Social worker": 1.4, "Health": 0.0, "Police": -0.35, "Education": -0.25}
FRONTLINE_REGIONS = dict(zip(REGIONS, [14, 40, 30, 26, 33, 34, 45, 51, 34]))
# England's population shares by region (ONS mid-2020, rounded)
REGION_TARGET = dict(zip(REGIONS, [0.047, 0.131, 0.097, 0.086, 0.105, 0.111, 0.159, 0.163,
                                   0.101]))


# ---------------------------------------------------------------- helpers
def _assign(rng: np.random.Generator, counts: dict[str, int]) -> np.ndarray:
    values = np.repeat(np.array(list(counts), dtype=object), list(counts.values()))
    return rng.permutation(values)


def _split(n: int, labels: list[str], shares: list[float]) -> list[str]:
    """n labels in proportion to shares (largest remainder), in label order."""
    raw = np.array(shares, dtype=float) / sum(shares) * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return [lab for lab, c in zip(labels, counts) for _ in range(c)]


def _fill(rng, answers: np.ndarray, idx_by_score: np.ndarray, labels: list[str],
          shares: list[float]) -> None:
    """Give respondents idx (best score first) labels in scale order, a little shuffled."""
    out = _split(len(idx_by_score), labels, shares)
    # mostly in score order (keen respondents give the stronger answers), with some noise
    jitter = np.arange(len(out)) + rng.normal(0, max(1.0, len(out) * 0.15), len(out))
    answers[idx_by_score[np.argsort(jitter, kind="stable")]] = np.array(out, dtype=object)


def _answer(rng, q: Q, score: np.ndarray, base: np.ndarray, n_positive: int,
            n_excluded: int = 0) -> np.ndarray:
    """Answers (labels; NOT_ASKED outside base) with exactly n_positive positives in base."""
    labels, pos, pos_split, neg = SCALES[q.scale]
    answers = np.full(len(score), NOT_ASKED, dtype=object)
    idx = np.flatnonzero(base)
    order = idx[np.argsort(-score[idx], kind="stable")]
    if n_excluded:
        # the excluded answer ("Have not used it") goes to the least engaged
        answers[order[len(order) - n_excluded:]] = q.exclude[0]
        order = order[: len(order) - n_excluded]
    _fill(rng, answers, order[:n_positive], pos, pos_split)
    _fill(rng, answers, order[n_positive:], list(neg), list(neg.values()))
    return answers


def _closest_count(target_pct: int, base: int) -> int:
    k = int(round(target_pct * base / 100))
    return min((k - 1, k, k + 1), key=lambda c: abs(100 * c / base - target_pct))


# ---------------------------------------------------------------- partners
def make_partners(rng: np.random.Generator) -> pd.DataFrame:
    n = sum(PARTNER_ROLES.values())
    role = _assign(rng, PARTNER_ROLES)
    region = _assign(rng, PARTNER_REGIONS)
    engagement = rng.normal(0, 1, n) + np.array([PARTNER_ROLE_EFFECT[r] for r in role])
    frame = pd.DataFrame({"respondent_id": np.arange(1001, 1001 + n), "role": role,
                          "region": region})
    done: dict[str, np.ndarray] = {}
    for q in PARTNER_QUESTIONS:
        score = 0.8 * engagement + 0.6 * rng.normal(0, 1, n)
        if q.base_question:
            base_q = next(b for b in PARTNER_QUESTIONS if b.id == q.base_question)
            base = np.isin(done[q.base_question], base_q.positive)
        else:
            base = np.ones(n, dtype=bool)
        base_n = int(base.sum()) - q.excluded_count
        k = (_closest_count(q.target, base_n) if q.target is not None
             else int(round(q.aim * base_n)))
        answers = _answer(rng, q, score, base, k, q.excluded_count)
        done[q.id] = answers
        frame[q.column] = answers
    return frame


def write_partners_sav(frame: pd.DataFrame, path: Path, questions: list[Q] = PARTNER_QUESTIONS,
                       file_label: str = SAV_FILE_LABEL, note: str = SYNTHETIC_NOTE) -> None:
    import pyreadstat

    out = pd.DataFrame({"respondent_id": frame["respondent_id"].astype("float64")})
    role_codes = {r: i for i, r in enumerate(PARTNER_ROLES, start=1)}
    region_codes = {r: i for i, r in enumerate(REGIONS, start=1)}
    out["role"] = frame["role"].map(role_codes).astype("float64")
    out["region"] = frame["region"].map(region_codes).astype("float64")
    value_labels = {"role": {v: k for k, v in role_codes.items()},
                    "region": {v: k for k, v in region_codes.items()}}
    column_labels = {"respondent_id": "Respondent ID (synthetic)",
                     "role": "Which of these best describes your role?",
                     "region": "In which region is your safeguarding partnership?"}
    missing = {}
    for q in questions:
        codes = {label: code for code, label in q.labels.items()}
        labels = dict(q.labels)
        if q.base_question:
            codes[NOT_ASKED] = NOT_ASKED_CODE
            labels[NOT_ASKED_CODE] = NOT_ASKED
            missing[q.column] = [NOT_ASKED_CODE]
        out[q.column] = frame[q.column].map(codes).astype("float64")
        assert out[q.column].notna().all(), q.column
        value_labels[q.column] = {float(k): v for k, v in labels.items()}
        column_labels[q.column] = q.text
    pyreadstat.write_sav(
        out, str(path), file_label=file_label, note=textwrap.wrap(note, 80),
        column_labels=column_labels, variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure={c: ("scale" if c == "respondent_id" else "nominal") for c in out},
        variable_format={c: "F8.0" for c in out})
    _stable_sav(path)


# ---------------------------------------------------------------- frontline
def _rake(role, region, iters=50) -> np.ndarray:
    w = np.ones(len(role))
    for _ in range(iters):
        for values, target in ((role, FRONTLINE_ROLE_TARGET), (region, REGION_TARGET)):
            for key, share in target.items():
                m = values == key
                w[m] *= share * len(w) / w[m].sum()
    return w


def make_frontline_weights(rng, role, region) -> np.ndarray:
    # YouGov-style: raked to profession mix and region, times a factor for the
    # other weighting variables (seniority, sector), trimmed to 0.4-2.5, mean 1
    w = _rake(role, region) * np.exp(rng.normal(0, 0.15, len(role)))
    for _ in range(20):
        w = np.clip(w, 0.4, 2.5)
        w = w / w.mean()
    w = np.round(np.clip(w, 0.4, 2.5), 4)
    # weights to 4 decimals that still sum to the sample size exactly (mean 1)
    w[np.argmax(w)] += round(len(w) - w.sum(), 4)
    return np.round(w, 4)


def _pick_weighted(order: np.ndarray, w: np.ndarray, target_sum: float, tol: float) -> np.ndarray:
    """Walk respondents best score first; take each unless it overshoots target_sum + tol;
    stop once within tol. If the walk ends short, swap one chosen respondent for one not
    chosen (the pair that lands nearest the target). Returns the chosen indices."""
    chosen, s = [], 0.0
    for i in order:
        if s >= target_sum - tol:
            break
        if s + w[i] <= target_sum + tol:
            chosen.append(i)
            s += w[i]
    if abs(s - target_sum) > tol:
        others = np.array([i for i in order if i not in set(chosen)], dtype=int)
        picked = np.array(chosen, dtype=int)
        gap = target_sum - s
        diff = w[others][:, None] - w[picked][None, :]   # add other, drop picked
        a, b = np.unravel_index(np.argmin(np.abs(diff - gap)), diff.shape)
        if abs(gap - diff[a, b]) <= tol:
            chosen[b] = others[a]
            s += diff[a, b]
    if abs(s - target_sum) > tol:
        raise RuntimeError(f"could not reach weighted target {target_sum:.3f} (got {s:.3f})")
    return np.array(chosen, dtype=int)


def make_frontline(rng: np.random.Generator) -> pd.DataFrame:
    n = sum(FRONTLINE_ROLES.values())
    role = _assign(rng, FRONTLINE_ROLES)
    region = _assign(rng, FRONTLINE_REGIONS)
    w = make_frontline_weights(rng, role, region)
    role_effect = np.array([FRONTLINE_ROLE_EFFECT[r] for r in role])
    engagement = rng.normal(0, 1, n) + role_effect
    W = w.sum()
    frame = pd.DataFrame({"respondent_id": np.arange(5001, 5001 + n), "role": role,
                          "region": region, "weight": w})
    tol = 0.001  # weighted shares within 0.1 percentage point of the aim

    def score():
        return engagement + 0.7 * rng.normal(0, 1, n)

    def ordered(mask, s):
        idx = np.flatnonzero(mask)
        return idx[np.argsort(-s[idx], kind="stable")]

    def rest(mask_pos, mask_base, labels_shares, answers, s):
        idx = ordered(mask_base & ~mask_pos, s)
        _fill(rng, answers, idx, list(labels_shares), list(labels_shares.values()))

    everyone = np.ones(n, dtype=bool)
    # Q1 heard of the Panel
    heard = np.zeros(n, dtype=bool)
    heard[_pick_weighted(ordered(everyone, score()), w, 0.49 * W, tol * W)] = True
    a1 = np.where(heard, "Yes", None).astype(object)
    rest(heard, everyone, {"No": 0.85, "Don't know": 0.15}, a1, score())
    # Q2 aware of the Panel's reviews (only those who had heard of it can be)
    aware = np.zeros(n, dtype=bool)
    aware[_pick_weighted(ordered(heard, score()), w, 0.37 * W, tol * W)] = True
    a2 = np.where(aware, "Yes", None).astype(object)
    rest(aware, everyone, {"No": 0.8, "Don't know": 0.2}, a2, score())
    # Q3 knowledge of the thematic reviews (at least a fair amount: among the aware)
    know = np.zeros(n, dtype=bool)
    s3 = score()
    know[_pick_weighted(ordered(aware, s3), w, 0.28 * W, tol * W)] = True
    a3 = np.full(n, None, dtype=object)
    _fill(rng, a3, ordered(know, s3), ["A great deal", "A fair amount"], [0.25, 0.75])
    _fill(rng, a3, ordered(heard & ~know, s3),
          ["Just a little", "Heard of, know nothing about it"], [0.6, 0.4])
    _fill(rng, a3, ordered(~heard, s3),
          ["Heard of, know nothing about it", "Never heard of it"], [0.15, 0.85])
    frame["Q1_heard_of_panel"], frame["Q2_aware_panel_reviews"] = a1, a2
    frame["Q3_know_thematic_reviews"] = a3
    # Q4-Q7 the two national reviews, and their usefulness among those aware of each
    for aware_col, useful_col, aim, target in (
            ("Q4_aware_ce_review", "Q5_ce_review_useful", 0.31, 0.86),
            ("Q6_aware_sudi_review", "Q7_sudi_review_useful", 0.26, 0.81)):
        aw = np.zeros(n, dtype=bool)
        aw[_pick_weighted(ordered(aware, score()), w, aim * W, 0.01 * W)] = True
        a = np.where(aw, "Yes", None).astype(object)
        rest(aw, everyone, {"No": 0.8, "Don't know": 0.2}, a, score())
        useful = np.zeros(n, dtype=bool)
        s = score()
        useful[_pick_weighted(ordered(aw, s), w, target * w[aw].sum(),
                              tol * w[aw].sum())] = True
        u = np.full(n, None, dtype=object)
        _fill(rng, u, ordered(useful, s), ["Very useful", "Fairly useful"], [0.4, 0.6])
        _fill(rng, u, ordered(aw & ~useful, s),
              ["Not very useful", "Not at all useful", "Don't know"], [0.55, 0.15, 0.3])
        frame[aware_col], frame[useful_col] = a, u
    return frame


def write_frontline_xlsx(frame: pd.DataFrame, path: Path, title: str = "Frontline professionals survey 2021",
                         note: str = SYNTHETIC_NOTE, fieldwork: str = FIELDWORK) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append([f"{title}: respondent data"])
    ws.append([note])
    ws.append([f"Fieldwork: {fieldwork}. Weighted: use the 'weight' column."])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(frame.columns))
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        ws.append([None if (v is None or (isinstance(v, float) and np.isnan(v))) else
                   (v.item() if hasattr(v, "item") else v) for v in row])
    ws.freeze_panes = "A5"
    _save_stable_xlsx(wb, path)


FIXED_STAMP = (2021, 10, 1, 0, 0, 0)


def _fix_props(wb) -> None:
    import datetime as dt

    wb.properties.creator = "scripts/make_sample_surveys.py (synthetic sample data)"
    wb.properties.title = "SYNTHETIC sample data"
    wb.properties.created = dt.datetime(*FIXED_STAMP)
    wb.properties.lastModifiedBy = None


def _save_stable_xlsx(wb, path: Path) -> None:
    """Save with fixed timestamps (zip entries and docProps/core.xml), so that running the
    generator again gives byte-identical files and no spurious git changes."""
    import io
    import re
    import zipfile

    _fix_props(wb)
    buf = io.BytesIO()
    wb.save(buf)
    year, month, day, hour, minute, second = FIXED_STAMP
    stamp = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())


def _stable_sav(path: Path) -> None:
    """Overwrite the SAV header's creation date and time (bytes 92-108) with a fixed stamp."""
    data = bytearray(path.read_bytes())
    assert data[:4] == b"$FL2", "not an SPSS system file"
    data[92:101] = b"01 Oct 21"
    data[101:109] = b"00:00:00"
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------- data tables
TABLE_NETS = {
    "useful": [("NET: Useful", ["Very useful", "Fairly useful"], 2),
               ("NET: Not useful", ["Not very useful", "Not at all useful"], 4)],
    "know": [("NET: A great deal or a fair amount", ["A great deal", "A fair amount"], 2),
             ("NET: Little or nothing", ["Just a little", "Heard of, know nothing about it",
                                         "Never heard of it"], 5)],
}
TABLE_SHEETS = {"Awareness": ["heard_of_panel", "aware_panel_reviews", "know_thematic_reviews",
                              "aware_ce_review", "aware_sudi_review"],
                "Reviews": ["ce_review_useful", "sudi_review_useful"]}
FRONTLINE_TITLE = "Child Safeguarding Practice Review Panel: survey of frontline professionals 2021"


def table_rows(frame: pd.DataFrame, q: Q) -> list[list]:
    """One question's rows: text, base, weighted and unweighted samples, answers and nets."""
    w = frame["weight"].to_numpy(float)
    answers = frame[q.column].to_numpy(object)
    asked = pd.notna(frame[q.column]).to_numpy()
    groups = [np.ones(len(frame), dtype=bool)]
    groups += [(frame["role"] == r).to_numpy() for r in FRONTLINE_ROLES]
    groups += [(frame["region"] == r).to_numpy() for r in REGIONS]
    base_text = ("Base: All frontline professionals" if not q.base_question
                 else "Base: " + q.base_label)
    rows = [[q.text], [base_text],
            ["Weighted Sample"] + [int(round(w[g & asked].sum())) for g in groups],
            ["Unweighted Sample"] + [int((g & asked).sum()) for g in groups]]

    def pct(labels):
        out = []
        for g in groups:
            b = g & asked
            out.append(float(w[b & np.isin(answers, labels)].sum() / w[b].sum())
                       if w[b].sum() > 0 else None)
        return out

    nets = TABLE_NETS.get(q.scale, [])
    for pos, label in enumerate(q.labels.values(), start=1):
        rows.append([label] + pct([label]))
        for net_label, members, after in nets:
            if after == pos:
                rows.append([net_label] + pct(members))
    return rows


def write_frontline_tables(frame: pd.DataFrame, path: Path, questions_list: list[Q] = FRONTLINE_QUESTIONS,
                           title: str = FRONTLINE_TITLE, fieldwork: str = FIELDWORK, note: str = SYNTHETIC_NOTE,
                           sheets: dict[str, list[str]] = TABLE_SHEETS) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    questions = {q.id: q for q in questions_list}
    header2 = [None, "Total", *FRONTLINE_ROLES, *REGIONS]
    n_roles, n_regions = len(FRONTLINE_ROLES), len(REGIONS)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, ids in sheets.items():
        ws = wb.create_sheet(sheet)
        ws.append([title])
        ws.append([f"Fieldwork: {fieldwork}"])
        ws.append([f"Sample: {len(frame)} frontline professionals"])
        ws.append([note])
        ws.append([])
        ws["A1"].font = Font(bold=True, size=13)
        banner1 = [None, "Total", "Role"] + [None] * (n_roles - 1) + ["Region"] + \
            [None] * (n_regions - 1)
        ws.append(banner1)
        r1 = ws.max_row
        ws.merge_cells(start_row=r1, start_column=3, end_row=r1, end_column=2 + n_roles)
        ws.merge_cells(start_row=r1, start_column=3 + n_roles, end_row=r1,
                       end_column=2 + n_roles + n_regions)
        ws.append(header2)
        for cell in (*ws[r1], *ws[r1 + 1]):
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for qid in ids:
            for row in table_rows(frame, questions[qid]):
                ws.append(row)
                r = ws.max_row
                if row[0] in ("Weighted Sample", "Unweighted Sample") or len(row) == 1:
                    if len(row) == 1 and not str(row[0]).startswith("Base:"):
                        ws.cell(r, 1).font = Font(bold=True)
                    continue
                for c in range(2, len(row) + 1):
                    ws.cell(r, c).number_format = "0%"
                if str(row[0]).startswith("NET:"):
                    for c in range(1, len(row) + 1):
                        ws.cell(r, c).font = Font(bold=True)
            ws.append([])
        ws.column_dimensions["A"].width = 60
    _save_stable_xlsx(wb, path)


# ---------------------------------------------------------------- codebooks

# The report annex's headings (Annex D's sections) and each finding as a phrase
# following its subject, e.g. "[Most safeguarding partners] report a good understanding ...".
PERCEPTIONS = "Perceptions of the Panel"
IMPACT = "Impact of thematic reviews and annual reports"
KNOWLEDGE = "Improving safeguarding knowledge"
DEVELOPMENT = "Areas of development"
ANNEX_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "partners": {
        "understand_remit": (PERCEPTIONS, "report a good understanding of the Panel's remit and activities"),
        "well_informed": (PERCEPTIONS, "report being well informed about the Panel's current activities"),
        "knowledge_improved": (PERCEPTIONS, "think their knowledge of the Panel has improved compared to a year ago"),
        "trusted_source": (PERCEPTIONS, "see the Panel as a trusted source of information"),
        "identifies_improvements": (PERCEPTIONS, "think the Panel's work identifies improvements in how areas can "
                                                 "work together on safeguarding"),
        "improving_system": (PERCEPTIONS, "agree that the Panel's work is improving the safeguarding system"),
        "rr_feedback_useful": (PERCEPTIONS, "agree that the Panel's feedback on rapid reviews is useful"),
        "aware_ce_review": (IMPACT, "are aware of the criminal exploitation review"),
        "ce_changes": (IMPACT, "say their organisation has already made changes to local safeguarding practice as "
                               "a result of the criminal exploitation review"),
        "aware_sudi_review": (IMPACT, "are aware of the national review into sudden unexpected death in infancy "
                                      "(SUDI)"),
        "sudi_changes": (IMPACT, "say their organisation has already made changes to local safeguarding practice "
                                 "as a result of the SUDI review"),
        "know_thematic_reviews": (IMPACT, "know at least a fair amount about the Panel's thematic reviews"),
        "read_annual_report": (IMPACT, "have read some of the Panel's annual report"),
        "recs_actionable": (IMPACT, "think the annual report's recommendations are understandable and actionable"),
        "activities_beneficial": (KNOWLEDGE, "think the Panel's activities are beneficial for local safeguarding "
                                             "practice"),
        "comms_improve_practice": (KNOWLEDGE, "think the Panel's information and communication improves their "
                                              "local safeguarding practice"),
        "easy_to_find_info": (KNOWLEDGE, "think that it is easy to find information about the Panel"),
        "govuk_useful": (KNOWLEDGE, "find the Panel's pages on the gov.uk website useful"),
        "took_part_rapid_review": (KNOWLEDGE, "have taken part in a rapid review since the Panel was set up"),
        "rr_feedback_improved_practice": (KNOWLEDGE, "found the Panel's feedback useful in improving their local "
                                                     "practice"),
        "should_be_independent": (DEVELOPMENT, "think the Panel should be independent of government"),
        "is_independent": (DEVELOPMENT, "think that the Panel's work is currently independent of government"),
        "info_via_letters": (DEVELOPMENT, "receive information directly from the Panel's letters"),
        "info_via_emails": (DEVELOPMENT, "receive information directly from the Panel's emails"),
        "want_newsletter": (DEVELOPMENT, "would like to receive information via a Panel newsletter"),
        "want_webinars": (DEVELOPMENT, "would like to receive information via webinars run by the Panel"),
    },
    "frontline": {
        "heard_of_panel": (DEVELOPMENT, "have heard of the Panel"),
        "aware_panel_reviews": (DEVELOPMENT, "are aware of the Panel's reviews"),
        "know_thematic_reviews": (DEVELOPMENT, "report knowledge of the Panel's thematic reviews"),
        "aware_ce_review": (IMPACT, "are aware of the criminal exploitation review"),
        "ce_review_useful": (IMPACT, "consider the criminal exploitation review useful in their day-to-day role"),
        "aware_sudi_review": (IMPACT, "are aware of the SUDI review"),
        "sudi_review_useful": (IMPACT, "consider the SUDI review useful in their day-to-day role"),
    },
}

def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def codebook_toml(title: str, audience: str, weight: str, questions: list[Q],
                  default_base: str, comment: str, *, fieldwork: str = FIELDWORK, source: str = SOURCE,
                  wave: str = "") -> str:
    annex = ANNEX_TEXT.get(audience, {})
    lines = [f"# {line}" for line in comment.splitlines()]
    lines += ["", "[survey]", f"title = {_toml_str(title)}", f"audience = {_toml_str(audience)}",
              f"fieldwork = {_toml_str(fieldwork)}", f"source = {_toml_str(source)}"]
    lines += [f"wave = {_toml_str(wave)}"] if wave else []
    lines += ["",
              "[columns]", 'role = "role"', 'region = "region"', f"weight = {_toml_str(weight)}"]
    for q in questions:
        kind = q.kind or KIND[q.scale]
        lines += ["", "[[questions]]", f"id = {_toml_str(q.id)}", f"column = {_toml_str(q.column)}",
                  f"text = {_toml_str(q.text)}", f"kind = {_toml_str(kind)}",
                  "positive = [" + ", ".join(_toml_str(p) for p in q.positive) + "]",
                  "exclude = [" + ", ".join(_toml_str(p) for p in q.exclude) + "]",
                  f"base_question = {_toml_str(q.base_question)}",
                  f"base_label = {_toml_str(q.base_label or default_base)}"]
        if q.id in annex:
            section, finding = annex[q.id]
            lines += [f"section = {_toml_str(section)}", f"finding = {_toml_str(finding)}"]
    return "\n".join(lines) + "\n"


def _comment(data_file: str) -> str:
    return (f"Codebook for {data_file}.\n"
            "SYNTHETIC SAMPLE DATA: the respondent records in that file are invented, built to\n"
            "reproduce the percentages the Child Safeguarding Practice Review Panel published\n"
            "from its 2021 YouGov survey (annual report 2021, chapter 11 and Annex D).\n"
            "Regenerate with: python scripts/make_sample_surveys.py")


# ---------------------------------------------------------------- the later wave (2022, synthetic)
# No 2022 figures were published: this second wave is invented to show change
# between waves. Each respondent's chance of a positive answer is the 2021
# sample's rate for their role (weighted, within the question's base), moved by
# the changes below; some are large enough to be significant, others are not.
SEED_2022 = 20220930
WAVE_2022 = "2022 (synthetic)"
FIELDWORK_2022 = "June to September 2022"
SOURCE_2022 = ("Source: synthetic second wave for the Child Safeguarding Practice Review Panel's "
               "survey, 2022 (invented sample data, no published figures)")
NOTE_2022 = ("SYNTHETIC SAMPLE DATA: an invented second wave, '2022 (synthetic)'. The Panel has published "
             "no 2022 figures from this survey; the records are made up from the 2021 sample with "
             "deliberate changes, so that some changes between the waves are significant and some are not.")
SAV_LABEL_2022 = "SYNTHETIC second wave 2022: invented, no published figures"
PARTNER_ROLES_2022 = {"Local authority": 44, "Police": 33, "Health (ICB/CCG)": 35, "Business manager": 38}
PARTNER_REGIONS_2022 = dict(zip(REGIONS, [10, 23, 15, 9, 14, 12, 32, 21, 14]))
FRONTLINE_ROLES_2022 = {"Social worker": 105, "Health": 95, "Police": 85, "Education": 95}
FRONTLINE_REGIONS_2022 = dict(zip(REGIONS, [17, 50, 37, 32, 41, 42, 56, 63, 42]))
# question id -> {"all": change, role or region: change} in the share giving a positive answer
PARTNER_CHANGES = {
    "knowledge_improved": {"all": 0.14},
    "easy_to_find_info": {"all": -0.14},
    "is_independent": {"Police": 0.30},
    "comms_improve_practice": {"North West": 0.32},
    "well_informed": {"all": 0.03},
    "trusted_source": {"London": -0.32},
}
FRONTLINE_CHANGES = {
    "heard_of_panel": {"Education": 0.18, "Police": 0.22, "Health": 0.02, "London": 0.15},
    "aware_panel_reviews": {"all": 0.05},
    "aware_sudi_review": {"Police": 0.06},
}
FRONTLINE_QUESTIONS_2022 = [
    # reworded in 2022: a break in the series [b]
    Q("aware_panel_reviews", "Q2_aware_panel_reviews",
      "Are you aware of any of the national or local reviews the Panel has published?",
      "yes_no", None, kind="awareness") if q.id == "aware_panel_reviews" else q for q in FRONTLINE_QUESTIONS
] + [Q("used_practice_guide", "Q8_used_practice_guide",
       "Have you used any of the Panel's practice guidance in your work in the past year?",
       "yes_no", None, kind="yes_no", aim=0.34)]
TABLE_SHEETS_2022 = {"Awareness": TABLE_SHEETS["Awareness"], "Reviews": [*TABLE_SHEETS["Reviews"],
                                                                          "used_practice_guide"]}


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    from scipy.stats import norm

    return norm.cdf(x)


def _positive_mask(answers, q: Q) -> np.ndarray:
    return np.isin(np.asarray(answers, dtype=object), q.positive)


def _rates_2021(frame: pd.DataFrame, questions: list[Q], weights: np.ndarray) -> dict[str, dict[str, float]]:
    """Per question and role: the 2021 weighted share positive within the question's base."""
    by_id = {q.id: q for q in questions}
    out = {}
    for q in questions:
        answers = frame[q.column].to_numpy(object)
        base = pd.notna(frame[q.column]).to_numpy() & (answers != NOT_ASKED)
        if q.exclude:
            base &= ~np.isin(answers, q.exclude)
        if q.base_question:
            parent = by_id[q.base_question]
            base &= _positive_mask(frame[parent.column], parent)
        pos = base & _positive_mask(answers, q)
        out[q.id] = {r: float(weights[pos & (frame["role"] == r).to_numpy()].sum()
                              / max(weights[base & (frame["role"] == r).to_numpy()].sum(), 1e-9))
                     for r in frame["role"].unique()}
    return out


def _later_wave(rng, questions: list[Q], old_rates, changes, role, region, *, nested: bool,
                empty=NOT_ASKED, excluded_share: float = 0.0) -> dict[str, np.ndarray]:
    """Answers per question column for the later wave (see the note above)."""
    n = len(role)
    engagement = rng.normal(0, 1, n)
    done: dict[str, np.ndarray] = {}
    out = {}
    for q in questions:
        labels, pos_labels, pos_split, neg = SCALES[q.scale]
        rate = (np.array([old_rates[q.id][r] for r in role]) if q.id in old_rates
                else np.full(n, q.aim if q.aim is not None else 0.5))
        moved = changes.get(q.id, {})
        rate = rate + moved.get("all", 0.0) + np.array([moved.get(r, 0.0) for r in role]) \
            + np.array([moved.get(g, 0.0) for g in region])
        rate = np.clip(rate, 0.03, 0.97)
        if q.base_question:
            base = np.isin(done[q.base_question], next(b for b in questions if b.id == q.base_question).positive)
        else:
            base = np.ones(n, dtype=bool)
        # a routed question's rate is already among its base: drawn afresh. Otherwise one latent
        # score per respondent (frontline: nested, aware of reviews only if heard of the Panel)
        if q.base_question:
            u = rng.random(n)
        elif nested:
            u = _normal_cdf(engagement)
        else:
            u = _normal_cdf((engagement + 0.6 * rng.normal(0, 1, n)) / np.sqrt(1.36))
        positive = base & (1 - u < rate)
        answers = np.full(n, empty, dtype=object)
        idx = np.flatnonzero(base)
        if q.exclude and excluded_share:
            out_idx = idx[rng.random(len(idx)) < excluded_share]
            answers[out_idx] = q.exclude[0]
            positive[out_idx] = False
            idx = np.setdiff1d(idx, out_idx)
        pos_idx = idx[positive[idx]]
        neg_idx = idx[~positive[idx]]
        answers[pos_idx] = rng.choice(pos_labels, len(pos_idx), p=np.array(pos_split) / sum(pos_split))
        shares = np.array(list(neg.values()), dtype=float)
        answers[neg_idx] = rng.choice(list(neg), len(neg_idx), p=shares / shares.sum())
        done[q.id] = answers
        out[q.column] = answers
    return out


def make_later_waves(partners_2021: pd.DataFrame, frontline_2021: pd.DataFrame):
    """The 2022 (synthetic) partners and frontline records."""
    rng = np.random.default_rng(SEED_2022)
    role, region = _assign(rng, PARTNER_ROLES_2022), _assign(rng, PARTNER_REGIONS_2022)
    old = _rates_2021(partners_2021, PARTNER_QUESTIONS, np.ones(len(partners_2021)))
    answers = _later_wave(rng, PARTNER_QUESTIONS, old, PARTNER_CHANGES, role, region, nested=False,
                          excluded_share=9 / 139)
    partners = pd.DataFrame({"respondent_id": np.arange(2001, 2001 + len(role)), "role": role,
                             "region": region, **answers})
    role, region = _assign(rng, FRONTLINE_ROLES_2022), _assign(rng, FRONTLINE_REGIONS_2022)
    w = make_frontline_weights(rng, role, region)
    old = _rates_2021(frontline_2021, FRONTLINE_QUESTIONS, frontline_2021["weight"].to_numpy(float))
    answers = _later_wave(rng, FRONTLINE_QUESTIONS_2022, old, FRONTLINE_CHANGES, role, region, nested=True,
                          empty=None)
    frontline = pd.DataFrame({"respondent_id": np.arange(6001, 6001 + len(role)), "role": role,
                              "region": region, "weight": w, **answers})
    return partners, frontline


def _comment_2022(data_file: str) -> str:
    return (f"Codebook for {data_file}.\n"
            "SYNTHETIC SAMPLE DATA: an invented second wave, \"2022 (synthetic)\"; the Panel has published\n"
            "no 2022 figures from this survey. Made up from the 2021 sample with deliberate changes.\n"
            "Regenerate with: python scripts/make_sample_surveys.py")


def write_later_waves(partners: pd.DataFrame, frontline: pd.DataFrame, out: Path) -> dict[str, Path]:
    paths = {name: out / name for name in (
        "partners_2022.sav", "partners_2022.toml", "frontline_2022.xlsx", "frontline_2022.toml",
        "frontline_2022_tables.xlsx")}
    write_partners_sav(partners, paths["partners_2022.sav"], file_label=SAV_LABEL_2022, note=NOTE_2022)
    paths["partners_2022.toml"].write_text(codebook_toml(
        "Safeguarding partners survey 2022 (synthetic)", "partners", "", PARTNER_QUESTIONS, ALL_PARTNERS,
        _comment_2022(f"partners_2022.sav ({len(partners)} safeguarding partners and business managers, "
                      "unweighted)"), fieldwork=FIELDWORK_2022, source=SOURCE_2022, wave=WAVE_2022),
        encoding="utf-8")
    write_frontline_xlsx(frontline, paths["frontline_2022.xlsx"],
                         title="Frontline professionals survey 2022 (synthetic)", note=NOTE_2022,
                         fieldwork=FIELDWORK_2022)
    paths["frontline_2022.toml"].write_text(codebook_toml(
        "Frontline professionals survey 2022 (synthetic)", "frontline", "weight", FRONTLINE_QUESTIONS_2022,
        ALL_FRONTLINE, _comment_2022(f"frontline_2022.xlsx ({len(frontline)} frontline professionals, weighted)"),
        fieldwork=FIELDWORK_2022, source=SOURCE_2022, wave=WAVE_2022), encoding="utf-8")
    write_frontline_tables(frontline, paths["frontline_2022_tables.xlsx"], FRONTLINE_QUESTIONS_2022,
                           title="Child Safeguarding Practice Review Panel: survey of frontline professionals "
                                 "2022 (synthetic)", fieldwork=FIELDWORK_2022, note=NOTE_2022,
                           sheets=TABLE_SHEETS_2022)
    return paths


# ---------------------------------------------------------------- main
def generate(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    partners = make_partners(rng)
    frontline = make_frontline(rng)
    paths = {name: out / name for name in (
        "partners_2021.sav", "partners_2021.toml", "frontline_2021.xlsx",
        "frontline_2021.toml", "frontline_2021_tables.xlsx")}
    write_partners_sav(partners, paths["partners_2021.sav"])
    paths["partners_2021.toml"].write_text(codebook_toml(
        "Safeguarding partners survey 2021", "partners", "", PARTNER_QUESTIONS, ALL_PARTNERS,
        _comment("partners_2021.sav (139 safeguarding partners and business managers, "
                 "unweighted)")), encoding="utf-8")
    write_frontline_xlsx(frontline, paths["frontline_2021.xlsx"])
    paths["frontline_2021.toml"].write_text(codebook_toml(
        "Frontline professionals survey 2021", "frontline", "weight", FRONTLINE_QUESTIONS,
        ALL_FRONTLINE, _comment("frontline_2021.xlsx (307 frontline professionals, weighted)")),
        encoding="utf-8")
    write_frontline_tables(frontline, paths["frontline_2021_tables.xlsx"])
    paths.update(write_later_waves(*make_later_waves(partners, frontline), out))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "surveys",
                        help="output folder (default: data/surveys)")
    args = parser.parse_args(argv)
    for path in generate(args.out).values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
