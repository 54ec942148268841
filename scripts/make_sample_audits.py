"""Write the sample register and audits of safeguarding partners' yearly reports
to data/audits/ (deterministic: same bytes on every run).

SAMPLE built from the published figures: the counts in
data/audits/published_figures.toml (Panel annual report 2021 chapter 10; the
Panel's paragraph 22 on the WWCSC evaluation of 2019-20 reports) are
reproduced exactly. Everything else is invented: the partnership names
("<Region> sample partnership NN"), the dates, the page numbers and quotes,
and every count the publications do not give (filler scores drawn at random
with a fixed seed). No row describes a real partnership.

Run: python scripts/make_sample_audits.py
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "audits"

SAMPLE_NOTE = ("SAMPLE built from the published figures (Panel annual report 2021 ch. 10; WWCSC evaluation of "
               "2019-20 reports): not a real audit.")
AUDITOR = "What Works for Children's Social Care (sample)"

# Partnerships per region: 137 in all, roughly as local areas group into partnerships.
PARTNERSHIPS = {
    "North East": 11, "North West": 21, "Yorkshire and the Humber": 15, "East Midlands": 8,
    "West Midlands": 13, "East of England": 10, "London": 29, "South East": 18, "South West": 12,
}
RECEIVED_BY_CUTOFF = {"2019-20": 68, "2020-21": 67}   # 68 published by Jan 2021; 67/137 = 48.9% -> 49%
CUTOFF = {"2019-20": date(2021, 1, 31), "2020-21": date(2022, 6, 1)}
LATE = {"2019-20": 55, "2020-21": 50}                  # invented: reports that arrived after the cut-off

CRITERIA = ["partner_activity", "effectiveness", "priorities_rationale", "impact", "little_progress",
            "review_actions", "learning_embedded", "child_family_feedback", "independent_scrutiny",
            "leadership", "wt_requirements"]

# 2020-21, 18 reports: (fully, partly, not). Published: partner_activity (all described activities),
# impact (11 not), review_actions (17 evidenced), independent_scrutiny (13 evidenced). The rest invented.
SCORES_2020 = {
    "partner_activity": (12, 6, 0), "effectiveness": (4, 9, 5), "priorities_rationale": (3, 8, 7),
    "impact": (1, 6, 11), "little_progress": (2, 6, 10), "review_actions": (9, 8, 1),
    "learning_embedded": (7, 8, 3), "child_family_feedback": (1, 5, 12), "independent_scrutiny": (7, 6, 5),
    "leadership": (5, 8, 5), "wt_requirements": (4, 9, 5),
}
# 2019-20, 68 reports: only wt_requirements is published (49 fully or partly); the rest invented.
SCORES_2019 = {
    "partner_activity": (40, 24, 4), "effectiveness": (14, 30, 24), "priorities_rationale": (10, 26, 32),
    "impact": (3, 17, 48), "little_progress": (6, 18, 44), "review_actions": (30, 28, 10),
    "learning_embedded": (22, 30, 16), "child_family_feedback": (5, 19, 44), "independent_scrutiny": (25, 22, 21),
    "leadership": (18, 30, 20), "wt_requirements": (21, 28, 19),
}
# Coded lists: reports ticking each code. 2020-21 neglect 11 (most common), domestic abuse 9, learning from
# reviews 6, information sharing 3, trauma-informed 2 are published; other counts invented (and kept below
# the published ones so the published ranking holds).
CODES_2020 = {
    "priorities": {"neglect": 11, "domestic_abuse": 9, "child_exploitation": 8, "mental_health": 7,
                   "early_help": 5, "adolescents": 4, "covid_recovery": 4, "child_sexual_abuse": 3,
                   "online_safety": 3, "infants": 2, "disabled_children": 1, "other": 2},
    "practice_themes": {"learning_from_reviews": 6, "information_sharing": 3, "trauma_informed": 2,
                        "voice_of_child": 1, "multi_agency_working": 1, "workforce_development": 1,
                        "think_family": 1},
}
CODES_2019 = {
    "priorities": {"neglect": 38, "domestic_abuse": 30, "child_exploitation": 33, "mental_health": 22,
                   "early_help": 20, "adolescents": 10, "child_sexual_abuse": 12, "online_safety": 9,
                   "infants": 6, "disabled_children": 4, "other": 8},
    "practice_themes": {"learning_from_reviews": 14, "information_sharing": 11, "multi_agency_working": 9,
                        "voice_of_child": 8, "workforce_development": 7, "quality_assurance": 6,
                        "trauma_informed": 3, "think_family": 4},
}
QUOTES = {
    "partner_activity": "The partnership published two local reviews and ran a multi-agency audit programme.",
    "effectiveness": "Our quality assurance shows the arrangements are beginning to work well in practice.",
    "priorities_rationale": "Our priorities were chosen from the findings of our rapid reviews and local data.",
    "impact": "Re-referrals fell after the training; families told us they felt listened to.",
    "little_progress": "Progress on our exploitation priority has been slower than planned because of COVID-19.",
    "review_actions": "Each recommendation from the local review has an owner and is tracked to completion.",
    "learning_embedded": "Seven-minute briefings and practitioner events shared the learning from reviews.",
    "child_family_feedback": "Young people's advisory group views shaped our exploitation strategy.",
    "independent_scrutiny": "The independent scrutineer reviewed this report and challenged our priorities.",
    "leadership": "Partners resolve disagreements through the escalation protocol agreed by the executive.",
    "wt_requirements": "The report sets out activity, effectiveness, review actions and scrutiny as required.",
}
SCORE_WORDS = {"fully": "Fully evidenced", "partly": "Partly evidenced", "not": "Not evidenced"}
LABELS = {  # code id -> label, as in framework_wt2018.toml
    "neglect": "Neglect", "domestic_abuse": "Domestic abuse",
    "child_exploitation": "Child exploitation (criminal and sexual)",
    "mental_health": "Emotional wellbeing and mental health", "early_help": "Early help",
    "child_sexual_abuse": "Child sexual abuse", "online_safety": "Online safety",
    "infants": "Babies and infants (including non-accidental injury)",
    "disabled_children": "Disabled children and complex health needs",
    "adolescents": "Adolescents and harm outside the home", "covid_recovery": "COVID-19 response and recovery",
    "other": "Other", "learning_from_reviews": "Learning from reviews", "information_sharing": "Information sharing",
    "trauma_informed": "Trauma-informed practice", "voice_of_child": "Voice of the child",
    "multi_agency_working": "Multi-agency working and escalation",
    "workforce_development": "Workforce development and training",
    "quality_assurance": "Quality assurance and audit", "think_family": "Think family",
}


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _day(rng, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def build_register(rng) -> tuple[list[dict], dict[str, list[str]]]:
    """Register rows, and per year the partnerships whose report arrived by the cut-off."""
    partnerships = [(f"{region} sample partnership {k:02d}", region)
                    for region, n in PARTNERSHIPS.items() for k in range(1, n + 1)]
    windows = {"2019-20": (date(2020, 6, 1), date(2021, 9, 30)), "2020-21": (date(2021, 6, 1), date(2022, 12, 31))}
    rows, on_time = [], {}
    for year, cut in CUTOFF.items():
        order = rng.permutation(len(partnerships))
        early = set(order[:RECEIVED_BY_CUTOFF[year]])
        late = set(order[RECEIVED_BY_CUTOFF[year]:RECEIVED_BY_CUTOFF[year] + LATE[year]])
        start, end = windows[year]
        on_time[year] = []
        for i, (name, region) in enumerate(partnerships):
            if i in early:
                received = _day(rng, start, cut)
                on_time[year].append(name)
            elif i in late:
                received = _day(rng, cut + timedelta(days=1), end)
            else:
                received = None
            rows.append({"partnership": name, "region": region, "reporting_year": year,
                         "received_on": received.isoformat() if received else ""})
    return rows, on_time


def _exact(rng, n: int, counts: dict) -> dict[str, np.ndarray]:
    """For each key, a random set of exactly counts[key] of the n reports."""
    return {key: rng.permutation(n) < k for key, k in counts.items()}


def build_audits(rng, year: str, names: list[str], scores: dict, codes: dict, window) -> list[dict]:
    n = len(names)
    assigned = {}
    for criterion in CRITERIA:
        fully, partly, not_ = scores[criterion]
        assert fully + partly + not_ == n, (year, criterion)
        assigned[criterion] = rng.permutation(["fully"] * fully + ["partly"] * partly + ["not"] * not_)
    ticks = {lst: _exact(rng, n, counts) for lst, counts in codes.items()}
    rows = []
    for i, name in enumerate(names):
        row = {"partnership": name, "reporting_year": year, "auditor": AUDITOR,
               "audited_on": _day(rng, *window).isoformat()}
        for criterion in CRITERIA:
            score = assigned[criterion][i]
            evidenced = score != "not"
            row[criterion] = SCORE_WORDS[score]
            row[f"{criterion}_page"] = str(int(rng.integers(3, 41))) if evidenced else ""
            row[f"{criterion}_quote"] = f"[Sample] {QUOTES[criterion]}" if evidenced else ""
        for lst, by_code in ticks.items():
            row[lst] = "; ".join(LABELS[code] for code, mask in by_code.items() if mask[i])
        row["notes"] = SAMPLE_NOTE
        rows.append(row)
    return rows


def main() -> None:
    rng = np.random.default_rng(20220601)
    register, on_time = build_register(rng)
    # 2019-20: every report published by January 2021 was evaluated (68).
    names_2019 = on_time["2019-20"]
    # 2020-21: 18 of the reports received by 1 June 2022, two from each region.
    names_2020 = []
    for region in PARTNERSHIPS:
        pool = [n for n in on_time["2020-21"] if n.startswith(region + " sample")]
        names_2020 += [pool[j] for j in sorted(rng.choice(len(pool), size=2, replace=False))]
    audits = (build_audits(rng, "2019-20", names_2019, SCORES_2019, CODES_2019, (date(2021, 2, 1), date(2021, 3, 31)))
              + build_audits(rng, "2020-21", names_2020, SCORES_2020, CODES_2020,
                             (date(2022, 6, 15), date(2022, 8, 31))))
    columns = ["partnership", "reporting_year", "auditor", "audited_on"]
    for c in CRITERIA:
        columns += [c, f"{c}_page", f"{c}_quote"]
    columns += ["priorities", "practice_themes", "notes"]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "sample_register.csv").write_bytes(_csv(register, ["partnership", "region", "reporting_year",
                                                              "received_on"]))
    (OUT / "sample_audits.csv").write_bytes(_csv(audits, columns))
    print(f"wrote {len(register)} register rows and {len(audits)} audits to {OUT}")


if __name__ == "__main__":
    main()
