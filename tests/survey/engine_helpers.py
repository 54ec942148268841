"""Small builders shared by the survey engine's tests (codebooks and frames)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def make_codebook(questions, role="role", region="region", weight=""):
    """A Codebook from dicts of Question fields (id and column default to each other)."""
    from feedback.survey.codebook import Codebook, Question

    built = []
    for q in questions:
        fields = {"kind": "yes_no", "text": q.get("id", q.get("column")), "exclude": [], "base_question": "",
                  "base_label": "", **q}
        fields.setdefault("column", fields["id"])
        fields.setdefault("id", fields["column"])
        built.append(Question(**fields))
    return Codebook(title="Test survey", audience="test", fieldwork="2021", source="Source: test",
                    role=role, region=region, weight=weight, questions=built)


def reference_survey() -> tuple[pd.DataFrame, object]:
    """R survey's fixture and its codebook (positive answers as in the reference README)."""
    frame = pd.read_csv(FIXTURES / "weighted_survey.csv")
    codebook = make_codebook([
        {"id": "heard_of_panel", "positive": ["Yes"]},
        {"id": "panel_improves_system", "positive": ["Strongly agree", "Tend to agree"], "kind": "agreement"},
        {"id": "attended_webinar", "positive": ["Yes"]},
    ], weight="weight")
    return frame, codebook


ROLES = ["Social worker", "Health", "Police", "Education"]
FOUR_REGIONS = ["North East", "London", "South West", "East Midlands"]
AGREE = ["Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree",
         "Strongly disagree", "Don't know"]


def frontline_like(n: int = 600, seed: int = 1, weighted: bool = False) -> tuple[pd.DataFrame, object]:
    """A small frontline-style survey: awareness, a routed usefulness question, an agree scale."""
    import numpy as np

    rng = np.random.default_rng(seed)
    role = rng.choice(ROLES, n, p=[0.4, 0.3, 0.15, 0.15])
    region = rng.choice(FOUR_REGIONS, n, p=[0.2, 0.4, 0.3, 0.1])
    aware_rate = np.select([role == "Social worker", role == "Health"], [0.7, 0.35], 0.25)
    aware = np.where(rng.random(n) < aware_rate, "Yes", rng.choice(["No", "Not sure"], n))
    useful = rng.choice(["Very useful", "Fairly useful", "Not very useful", "Don't know"], n, p=[.4, .4, .15, .05])
    useful = np.where(aware == "Yes", useful, None)
    agree = rng.choice(AGREE, n, p=[0.2, 0.35, 0.15, 0.1, 0.1, 0.1]).astype(object)
    agree[rng.random(n) < 0.05] = None  # item non-response
    frame = pd.DataFrame({"role": role, "region": region, "aware": aware, "useful": useful, "agree": agree})
    if weighted:
        frame["wt"] = rng.lognormal(0, 0.4, n)
    codebook = make_codebook([
        {"id": "aware_reviews", "column": "aware", "positive": ["Yes"], "kind": "awareness"},
        {"id": "review_useful", "column": "useful", "positive": ["Very useful", "Fairly useful"],
         "base_question": "aware_reviews", "kind": "usefulness", "base_label": "Those aware of the reviews"},
        {"id": "panel_improves", "column": "agree", "positive": ["Strongly agree", "Tend to agree"],
         "kind": "agreement"},
    ], weight="wt" if weighted else "")
    return frame, codebook


def design_survey():
    """R survey's design-test fixture (a routed question, item non-response, weights of 0) and its codebook."""
    frame = pd.read_csv(FIXTURES / "design_survey.csv")
    codebook = make_codebook([
        {"id": "heard_of_panel", "positive": ["Yes"]},
        {"id": "panel_improves_system", "positive": ["Strongly agree", "Tend to agree"], "kind": "agreement"},
        {"id": "attended_webinar", "positive": ["Yes"]},
        {"id": "knows_panel_role", "positive": ["Yes"], "exclude": ["Don't know"],
         "base_question": "heard_of_panel", "base_label": "Those who had heard of the Panel"},
    ], weight="weight")
    return frame, codebook
