"""Build the supplier corpus: respondent exports as survey platforms write them.

    python scripts/make_supplier_corpus.py      # writes tests/fixtures/suppliers/

Synthetic respondents (seeded, so the files are the same on every run) to UK
safeguarding-partner and practitioner surveys, written in each platform's
documented export layout (docs/architecture.md, "Supplier layouts"):

- qualtrics_partners.csv       Qualtrics CSV: ids, question text, ImportId rows;
                               a multi-select joined with "," (one option holds a comma),
                               a grid Q6_1..Q6_4, "[ASK IF Q3 = Yes]", a weight
- qualtrics_frontline.sav      Qualtrics SPSS: variable and value labels, a multi-select
                               split Q3_1..Q3_5 (1 = chosen, else missing), a 0-10 scale
- surveymonkey_partners.xlsx   SurveyMonkey XLSX: two header rows, one column per option,
                               a matrix, "Other (please specify)", a routed question
- surveymonkey_frontline.csv   SurveyMonkey CSV: two header rows, knowledge and frequency
                               scales, a weight column added by the analyst
- smartsurvey_practitioners.csv  SmartSurvey CSV: its system columns, one column per option
                               ("Question - Option", the option when chosen)
- msforms_roundtable.xlsx      Microsoft Forms XLSX: ID, Start time, Completion time,
                               Email, Name; a multi-select joined with ";" (trailing ";")
- googleforms_event.csv        Google Forms CSV: Timestamp first; checkboxes joined with
                               ", " (one option holds a comma); a grid "Question [Row]";
                               regions as ONS codes
- yougov_partners.csv          YouGov CSV: variable names only (no question text), regions
                               as ONS codes, Selected / Not selected options, a grid by name
                               (Q4_1..Q4_3), a routed question found by its blanks, a weight
- yougov_frontline.sav         YouGov SPSS: Selected / Not selected options, a grid, routing
                               in a variable label, a weight

Each file has a hand-written expected codebook beside it (<name>.expected.toml).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "suppliers"

ROLES = ["Local authority children's social care", "Police", "Health (ICB)", "Education",
         "Voluntary and community sector", "Safeguarding partnership business unit"]
AGREE = ["Strongly agree", "Tend to agree", "Neither agree nor disagree", "Tend to disagree", "Strongly disagree",
         "Don't know"]
GOOD = ["Very good", "Fairly good", "Fairly poor", "Very poor", "Don't know"]
SATISFIED = ["Very satisfied", "Fairly satisfied", "Neither satisfied nor dissatisfied", "Fairly dissatisfied",
             "Very dissatisfied"]
USEFUL = ["Very useful", "Fairly useful", "Not very useful", "Not at all useful", "Don't know"]
KNOW = ["Know a great deal", "Know a fair amount", "Know just a little", "Heard of, know nothing about",
        "Never heard of"]
OFTEN = ["Always", "Often", "Sometimes", "Rarely", "Never"]
YND = ["Yes", "No", "Don't know"]
CONFIDENT = ["Very confident", "Fairly confident", "Not very confident", "Not at all confident"]
EFFECTIVE = ["Very effective", "Fairly effective", "Not very effective", "Not at all effective", "Don't know"]


def regions(spelling: str) -> list[str]:
    """The nine English regions, in one of the spellings suppliers use."""
    names = {
        "panel": ["North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
                  "East of England", "London", "South East", "South West"],
        "short": ["North East", "North West", "Yorks & Humber", "East Midlands", "West Midlands", "East",
                  "London", "South East", "South West"],
        "lower": ["north east", "north west", "yorkshire and the humber", "east midlands", "west midlands",
                  "east of england", "london", "south east", "south west"],
        "ons": [f"E1200000{i}" for i in range(1, 10)],
    }
    return names[spelling]


class Maker:
    """Respondents' answers, seeded; each question's answers lean by role so groups differ."""

    def __init__(self, seed: int, n: int, roles=ROLES, region_names=None):
        self.rng = np.random.default_rng(seed)
        self.n = n
        self.role_index = self.rng.integers(0, len(roles), n)
        self.role = np.array(roles, dtype=object)[self.role_index]
        names = region_names or regions("panel")
        self.region = np.array(names, dtype=object)[self.rng.integers(0, len(names), n)]

    def weight(self) -> np.ndarray:
        w = self.rng.lognormal(0.0, 0.35, self.n)
        return np.round(w / w.mean(), 4)

    def pick(self, answers: list[str], lean: float = 0.6, missing: float = 0.03) -> np.ndarray:
        """One answer each; earlier answers likelier for roles with a higher lean."""
        k = len(answers)
        shift = (self.role_index / max(1, self.role_index.max()) - 0.5) * lean
        base = np.linspace(1.6, 0.4, k)
        out = np.empty(self.n, dtype=object)
        for r in np.unique(self.role_index):
            who = self.role_index == r
            p = base * np.exp(-shift[who][0] * np.arange(k))
            out[who] = self.rng.choice(np.array(answers, dtype=object), who.sum(), p=p / p.sum())
        out[self.rng.random(self.n) < missing] = None
        return out

    def choose_many(self, options: list[str], rates: list[float], missing: float = 0.04) -> np.ndarray:
        """Respondent x option booleans; at least one option each; a few answered nothing (None row)."""
        chosen = self.rng.random((self.n, len(options))) < np.array(rates)
        none = ~chosen.any(axis=1)
        chosen[none, self.rng.integers(0, len(options), none.sum())] = True
        skipped = self.rng.random(self.n) < missing
        return chosen, skipped

    def route(self, answers: np.ndarray, base: np.ndarray, positive: list[str]) -> np.ndarray:
        out = answers.copy()
        out[~np.isin(base, positive)] = None
        return out

    def stamps(self, start: str = "2024-06-03 09:00") -> tuple[list[str], list[str], np.ndarray]:
        t0 = pd.Timestamp(start)
        begin = t0 + pd.to_timedelta(np.sort(self.rng.integers(0, 60 * 24 * 40, self.n)), unit="min")
        secs = self.rng.integers(180, 1800, self.n)
        end = begin + pd.to_timedelta(secs, unit="s")
        return begin, end, secs


def joined(chosen: np.ndarray, skipped: np.ndarray, options: list[str], sep: str, trailing: bool = False):
    out = []
    for row, skip in zip(chosen, skipped):
        if skip:
            out.append(None)
            continue
        text = sep.join(o for o, c in zip(options, row) if c)
        out.append(text + sep if trailing else text)
    return out


def save_workbook(wb, path: Path) -> None:
    """An openpyxl workbook written with fixed dates (document properties and zip entries), so
    running the script again gives the same bytes."""
    import datetime
    import zipfile

    fixed = datetime.datetime(2025, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" when saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


def write_sav(frame: pd.DataFrame, path: Path, **kwargs) -> None:
    """pyreadstat's SAV with its creation date and time (header bytes 92-108) fixed, so running
    the script again gives the same bytes."""
    import pyreadstat

    with tempfile.TemporaryDirectory() as folder:
        tmp = os.path.join(folder, "out.sav")
        pyreadstat.write_sav(frame, tmp, **kwargs)
        content = bytearray(Path(tmp).read_bytes())
    content[92:109] = b"01 Jan 2500:00:00"
    path.write_bytes(bytes(content))


def blank(values) -> list[str]:
    return ["" if v is None else str(v) for v in values]


# ------------------------------------------------------------------ Qualtrics CSV
def qualtrics_partners() -> None:
    m = Maker(101, 240, region_names=regions("panel"))
    begin, end, secs = m.stamps()
    heard = m.pick(YND, lean=0.8)
    know = m.route(m.pick(KNOW, lean=0.9), heard, ["Yes"])
    pubs = ["Annual report", "Child protection in England", "Practice guidance: reviews, rapid reviews and LCSPRs",
            "Safeguarding children with disabilities in residential settings", "None of these"]
    chosen, skipped = m.choose_many(pubs, [0.45, 0.35, 0.3, 0.2, 0.05])
    grid_rows = ["Newsletters", "Briefings for partnerships", "Webinars", "The Panel's website"]
    grid = {f"Q6_{i + 1}": m.pick(GOOD, lean=0.5 + 0.1 * i) for i in range(len(grid_rows))}
    agree = m.pick(AGREE, lean=0.7)
    weight = m.weight()
    cols = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
            "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
            "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
            "Q1", "Q2", "Q3", "Q4", "Q5", *grid, "Q7", "weight"]
    text = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)", "Finished",
            "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name", "Recipient Email",
            "External Data Reference", "Location Latitude", "Location Longitude", "Distribution Channel",
            "User Language",
            "Q1. Which of the following best describes the organisation you work for?",
            "Q2. In which region do you mainly work?",
            "Q3. Before today, had you heard of the Child Safeguarding Practice Review Panel?",
            "[ASK IF Q3 = Yes] Q4. How much, if anything, do you know about the Panel's national reviews?",
            "Q5. Which of the following Panel publications have you read? Please select all that apply. - "
            "Selected Choice",
            *[f"Q6. How would you rate the Panel's communication through each of the following? - {r}"
              for r in grid_rows],
            "Q7. To what extent do you agree or disagree that the Panel's reviews lead to changes in local "
            "practice?", "weight"]
    imports = [{"ImportId": "startDate", "timeZone": "Europe/London"}, {"ImportId": "endDate",
               "timeZone": "Europe/London"}, {"ImportId": "status"}, {"ImportId": "ipAddress"},
               {"ImportId": "progress"}, {"ImportId": "duration"}, {"ImportId": "finished"},
               {"ImportId": "recordedDate", "timeZone": "Europe/London"}, {"ImportId": "_recordId"},
               {"ImportId": "recipientLastName"}, {"ImportId": "recipientFirstName"}, {"ImportId": "recipientEmail"},
               {"ImportId": "externalDataReference"}, {"ImportId": "locationLatitude"},
               {"ImportId": "locationLongitude"}, {"ImportId": "distributionChannel"}, {"ImportId": "userLanguage"},
               {"ImportId": "QID1"}, {"ImportId": "QID2"}, {"ImportId": "QID3"}, {"ImportId": "QID4"},
               {"ImportId": "QID5"}, *[{"ImportId": f"QID6_{i + 1}"} for i in range(len(grid_rows))],
               {"ImportId": "QID7"}, {"ImportId": "weight"}]
    ids = [f"R_{''.join(m.rng.choice(list('abcdefghijkLMNOPQRSTuvwxyz0123456789'), 15))}" for _ in range(m.n)]
    body = pd.DataFrame({
        "StartDate": begin.strftime("%Y-%m-%d %H:%M:%S"), "EndDate": end.strftime("%Y-%m-%d %H:%M:%S"),
        "Status": "IP Address", "IPAddress": [f"10.{i % 200}.{i // 200}.{7 + i % 50}" for i in range(m.n)],
        "Progress": "100", "Duration (in seconds)": secs.astype(str), "Finished": "True",
        "RecordedDate": end.strftime("%Y-%m-%d %H:%M:%S"), "ResponseId": ids, "RecipientLastName": "",
        "RecipientFirstName": "", "RecipientEmail": "", "ExternalReference": "", "LocationLatitude": "51.5072",
        "LocationLongitude": "-0.1276", "DistributionChannel": "anonymous", "UserLanguage": "EN-GB",
        "Q1": m.role, "Q2": m.region, "Q3": blank(heard), "Q4": blank(know),
        "Q5": blank(joined(chosen, skipped, pubs, ",")), **{k: blank(v) for k, v in grid.items()},
        "Q7": blank(agree), "weight": weight.astype(str)})
    head = pd.DataFrame([text, [json.dumps(i, separators=(",", ":")) for i in imports]], columns=cols)
    pd.concat([head, body], ignore_index=True).to_csv(OUT / "qualtrics_partners.csv", index=False,
                                                      quoting=1, lineterminator="\r\n", encoding="utf-8-sig")


# ------------------------------------------------------------------ Qualtrics SAV
def qualtrics_frontline() -> None:
    roles = ["Children's social worker", "Police officer or staff", "Health visitor or school nurse",
             "Teacher or school staff", "Early help practitioner"]
    m = Maker(202, 200, roles=roles, region_names=regions("panel"))
    sources = ["Panel national reviews", "Local child safeguarding practice reviews", "Rapid review learning",
               "Training from my organisation", "Other"]
    chosen, skipped = m.choose_many(sources, [0.4, 0.5, 0.3, 0.6, 0.08])
    useful = m.pick(USEFUL[:4], lean=0.7)
    confident = m.pick(CONFIDENT, lean=0.6)
    often = m.route(m.pick(OFTEN, lean=0.8), confident, ["Very confident", "Fairly confident"])
    nps = m.pick([str(i) for i in range(10, -1, -1)], lean=0.4)
    frame = pd.DataFrame({
        "ResponseId": [f"R_{i:06d}" for i in range(m.n)],
        "Finished": np.ones(m.n),
        "Q1": m.role_index + 1.0,
        "Q2": np.array([regions("panel").index(r) + 1.0 for r in m.region]),
    })
    for k in range(len(sources)):
        frame[f"Q3_{k + 1}"] = np.where(skipped | ~chosen[:, k], np.nan, 1.0)
    frame["Q4"] = [np.nan if v is None else USEFUL.index(v) + 1.0 for v in useful]
    frame["Q5"] = [np.nan if v is None else CONFIDENT.index(v) + 1.0 for v in confident]
    frame["Q6"] = [np.nan if v is None else OFTEN.index(v) + 1.0 for v in often]
    frame["Q7"] = [np.nan if v is None else float(v) for v in nps]
    labels = {"ResponseId": "Response ID", "Finished": "Finished",
              "Q1": "Which of these best describes your current job role?",
              "Q2": "Which region do you work in?",
              **{f"Q3_{k + 1}": f"Which of these sources of safeguarding learning have you used in the last year? - "
                                f"Selected Choice - {s}" for k, s in enumerate(sources)},
              "Q4": "How useful, if at all, is the Panel's national review learning to your day-to-day practice?",
              "Q5": "How confident, if at all, do you feel in recognising signs of child criminal exploitation?",
              "Q6": "[ASK IF Q5 = Very confident / Fairly confident] How often do you discuss exploitation "
                    "concerns with colleagues in other agencies?",
              "Q7": "On a scale of 0 to 10, how likely are you to recommend the Panel's briefings to a colleague?"}
    values = {"Finished": {1.0: "True", 0.0: "False"}, "Q1": {i + 1.0: r for i, r in enumerate(roles)},
              "Q2": {i + 1.0: r for i, r in enumerate(regions("panel"))},
              **{f"Q3_{k + 1}": {1.0: s} for k, s in enumerate(sources)},
              "Q4": {i + 1.0: v for i, v in enumerate(USEFUL[:4])}, "Q5": {i + 1.0: v for i, v in enumerate(CONFIDENT)},
              "Q6": {i + 1.0: v for i, v in enumerate(OFTEN)},
              "Q7": {0.0: "0 - Not at all likely", 10.0: "10 - Extremely likely"}}
    write_sav(frame, OUT / "qualtrics_frontline.sav", column_labels=labels, variable_value_labels=values)


# ------------------------------------------------------------------ SurveyMonkey
SM_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
           "Last Name", "Custom Data 1"]


def _sm_meta(m: Maker) -> list[list]:
    begin, end, _ = m.stamps("2024-09-09 08:30")
    return [[str(11800000000 + 7919 * i), "451234567", b.strftime("%m/%d/%Y %I:%M:%S %p"),
             e.strftime("%m/%d/%Y %I:%M:%S %p"), f"192.0.2.{i % 250}", "", "", "", ""]
            for i, (b, e) in enumerate(zip(begin, end))]


def surveymonkey_partners() -> None:
    import openpyxl

    m = Maker(303, 180, region_names=regions("short"))
    other_role = m.rng.random(m.n) < 0.06
    satisfied = m.pick(SATISFIED, lean=0.7)
    topics = ["Neglect", "Child sexual abuse within the family", "Online harm", "Children with disabilities",
              "Adolescents at risk of exploitation"]
    chosen, skipped = m.choose_many(topics, [0.5, 0.35, 0.45, 0.25, 0.4])
    rows = ["Rapid review template", "National review reports", "Panel newsletters"]
    grid = [m.pick(USEFUL, lean=0.5 + 0.2 * i) for i in range(len(rows))]
    attended = m.pick(YND[:2], lean=0.6)
    rated = m.route(m.pick(GOOD[:4], lean=0.5), attended, ["Yes"])
    q_role = "What type of organisation do you work for?"
    q_region = "Which region do you work in?"
    q_sat = ("Overall, how satisfied or dissatisfied are you with the support the Panel gives to local "
             "safeguarding partnerships?")
    q_topics = "Which of these topics would you like the Panel to look at next? (Select all that apply)"
    q_grid = "How useful, if at all, have you found each of the following?"
    q_att = "Have you attended a Panel roundtable event in the last 12 months?"
    q_rate = "How would you rate the roundtable you attended?"
    top = SM_META + [q_role, "", q_region, q_sat, q_topics] + [""] * (len(topics) - 1) + [q_grid] + \
        [""] * (len(rows) - 1) + [q_att, q_rate]
    sub = [""] * len(SM_META) + ["Response", "Other (please specify)", "Response", "Response"] + topics + rows + \
        ["Response", "Response"]
    meta = _sm_meta(m)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet"
    ws.append(top)
    ws.append(sub)
    for i in range(m.n):
        role = "Other (please specify)" if other_role[i] else m.role[i]
        other = "Designated safeguarding lead in a nursery" if other_role[i] else None
        picks = [None if skipped[i] or not chosen[i, k] else t for k, t in enumerate(topics)]
        ws.append([int(meta[i][0]), int(meta[i][1]), *meta[i][2:5], None, None, None, None, role, other,
                   m.region[i], satisfied[i], *picks, *[g[i] for g in grid], attended[i], rated[i]])
    save_workbook(wb, OUT / "surveymonkey_partners.xlsx")


def surveymonkey_frontline() -> None:
    roles = ["Social worker", "Police", "Health (ICB)", "Education", "Early years"]
    m = Maker(404, 260, roles=roles, region_names=regions("lower"))
    know = m.pick(KNOW, lean=0.9)
    often = m.pick(OFTEN, lean=0.6)
    heard = m.pick(YND, lean=0.7)
    agree = m.pick(AGREE, lean=0.5)
    support = ["Supervision", "Reflective practice groups", "Multi-agency training", "Written briefings"]
    chosen, skipped = m.choose_many(support, [0.55, 0.3, 0.4, 0.35])
    weight = m.weight()
    q = ["Which of the following best describes your role?", "In which English region is your main place of work?",
         "How much, if anything, do you know about the Child Safeguarding Practice Review Panel?",
         "How often, if at all, do you use learning from safeguarding practice reviews in your work?",
         "Have you read any of the Panel's briefings in the last year?",
         "To what extent do you agree or disagree with the following statement? \"I have the time I need to "
         "reflect on learning from reviews.\"",
         "What helps you to reflect on learning from reviews? (Select all that apply)"]
    top = SM_META + q + [""] * (len(support) - 1) + ["Weight"]
    sub = [""] * len(SM_META) + ["Response"] * 6 + support + [""]
    meta = _sm_meta(m)
    lines = [top, sub]
    for i in range(m.n):
        picks = ["" if skipped[i] or not chosen[i, k] else s for k, s in enumerate(support)]
        lines.append(meta[i] + [m.role[i], m.region[i], *blank([know[i], often[i], heard[i], agree[i]]), *picks,
                                str(weight[i])])
    pd.DataFrame(lines).to_csv(OUT / "surveymonkey_frontline.csv", index=False, header=False, lineterminator="\r\n")


# ------------------------------------------------------------------ SmartSurvey
def smartsurvey_practitioners() -> None:
    roles = ["Local authority children's social care", "Police", "Health", "Education", "Probation",
             "Voluntary sector"]
    m = Maker(505, 150, roles=roles, region_names=regions("panel"))
    begin, end, _ = m.stamps("2024-11-04 10:00")
    effective = m.pick(EFFECTIVE, lean=0.8)
    changed = m.route(m.pick(YND, lean=0.6), effective, ["Very effective", "Fairly effective"])
    barriers = ["Workload", "Staff turnover", "Information sharing between agencies", "Access to training"]
    chosen, skipped = m.choose_many(barriers, [0.6, 0.45, 0.5, 0.3])
    satisfied = m.pick(SATISFIED, lean=0.5)
    stem = "4. Which of the following, if any, make it harder to put learning from reviews into practice?"
    cols = ["UserNo", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended",
            "1. Which of these best describes the agency you work for?", "2. Region",
            "3. How effective, if at all, are local arrangements for sharing learning from reviews?",
            "5. [ASK IF Q3 = Very effective / Fairly effective] Has learning shared locally changed how you work?",
            *[f"{stem} - {b}" for b in barriers],
            "6. How satisfied or dissatisfied are you with the multi-agency safeguarding arrangements in your area?"]
    data = {cols[0]: [str(1000 + i) for i in range(m.n)], cols[1]: "", cols[2]: "", cols[3]: "",
            cols[4]: [f"SS{i:05d}" for i in range(m.n)], cols[5]: begin.strftime("%d/%m/%Y %H:%M"),
            cols[6]: end.strftime("%d/%m/%Y %H:%M"), cols[7]: m.role, cols[8]: m.region,
            cols[9]: blank(effective), cols[10]: blank(changed)}
    for k, b in enumerate(barriers):
        data[f"{stem} - {b}"] = np.where(skipped | ~chosen[:, k], "", b)
    data[cols[-1]] = blank(satisfied)
    pd.DataFrame(data, columns=cols).to_csv(OUT / "smartsurvey_practitioners.csv", index=False,
                                            lineterminator="\r\n", encoding="utf-8-sig")


# ------------------------------------------------------------------ Microsoft Forms
def msforms_roundtable() -> None:
    import openpyxl

    roles = ["Children's social care", "Police", "Health", "Education", "Voluntary or community organisation"]
    m = Maker(606, 120, roles=roles, region_names=regions("panel"))
    begin, end, _ = m.stamps("2025-01-20 13:00")
    rating = m.pick(["Excellent", "Good", "Average", "Poor", "Very poor"], lean=0.6)
    parts = ["Presentations, including the Panel's findings", "Breakout discussions", "Questions to the Panel",
             "Networking"]
    chosen, skipped = m.choose_many(parts, [0.5, 0.55, 0.35, 0.25])
    nps = m.pick([str(i) for i in range(10, -1, -1)], lean=0.5)
    time_ok = m.pick(YND, lean=0.6)
    cols = ["ID", "Start time", "Completion time", "Email", "Name", "Which sector do you work in?",
            "Which region are you based in?", "Overall, how would you rate today's roundtable?",
            "Which parts of the session were most useful to you?",
            "How likely are you to recommend these roundtables to a colleague?",
            "Did the roundtable give you enough time to share your views?"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(cols)
    multi = joined(chosen, skipped, parts, ";", trailing=True)
    for i in range(m.n):
        ws.append([i + 1, begin[i].to_pydatetime(), end[i].to_pydatetime(), "anonymous", None, m.role[i],
                   m.region[i], rating[i], multi[i], None if nps[i] is None else int(nps[i]), time_ok[i]])
    save_workbook(wb, OUT / "msforms_roundtable.xlsx")


# ------------------------------------------------------------------ Google Forms
def googleforms_event() -> None:
    m = Maker(707, 140, region_names=regions("ons"))
    begin, _, _ = m.stamps("2025-03-10 09:15")
    agree = m.pick(["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"],
                   lean=0.7)
    topics = ["Neglect, including chronic neglect", "Domestic abuse", "Extra-familial harm", "Working with fathers"]
    chosen, skipped = m.choose_many(topics, [0.5, 0.4, 0.35, 0.3])
    rows = ["Sharing information with partners", "Challenging other agencies", "Using review findings"]
    grid = [m.pick(CONFIDENT, lean=0.4 + 0.2 * i) for i in range(len(rows))]
    again = m.pick(YND, lean=0.5)
    cols = ["Timestamp", "Email address", "Your role", "Your region (ONS code)",
            "The event helped me understand the Panel's priorities for the coming year.",
            "Which topics should future events cover?",
            *[f"How confident do you feel about each of the following? [{r}]" for r in rows],
            "Would you attend another Panel event?"]
    data = {"Timestamp": begin.strftime("%d/%m/%Y %H:%M:%S"), "Email address": "", "Your role": m.role,
            "Your region (ONS code)": m.region, cols[4]: blank(agree),
            cols[5]: blank(joined(chosen, skipped, topics, ", "))}
    for r, g in zip(rows, grid):
        data[f"How confident do you feel about each of the following? [{r}]"] = blank(g)
    data[cols[-1]] = blank(again)
    pd.DataFrame(data, columns=cols).to_csv(OUT / "googleforms_event.csv", index=False)


# ------------------------------------------------------------------ YouGov SPSS
def yougov_frontline() -> None:
    m = Maker(808, 250, region_names=regions("panel"))
    aware = m.pick(YND, lean=0.8)
    useful = m.route(m.pick(USEFUL, lean=0.6), aware, ["Yes"])
    channels = ["Email bulletins", "Social media", "Local safeguarding partnership", "Colleagues", "None of these"]
    chosen, skipped = m.choose_many(channels, [0.4, 0.2, 0.5, 0.45, 0.05], missing=0.0)
    well = ["Very well", "Fairly well", "Not very well", "Not at all well", "Don't know"]
    agencies = ["Children's social care", "Police", "Health services", "Schools"]
    grid = [m.pick(well, lean=0.3 + 0.2 * i) for i in range(len(agencies))]
    weight = m.weight()
    begin, end, _ = m.stamps("2025-02-03 07:00")
    frame = pd.DataFrame({"record": np.arange(1, m.n + 1, dtype=float), "starttime": begin.strftime("%Y-%m-%d %H:%M"),
                          "endtime": end.strftime("%Y-%m-%d %H:%M"), "disposition": np.ones(m.n), "weight": weight,
                          "profile_GOR": np.array([regions("panel").index(r) + 1.0 for r in m.region]),
                          "Q0": m.role_index + 1.0})
    frame["Q1"] = [np.nan if v is None else YND.index(v) + 1.0 for v in aware]
    for k in range(len(channels)):
        frame[f"Q2_{k + 1}"] = np.where(chosen[:, k], 1.0, 0.0)
    frame["Q3"] = [np.nan if v is None else USEFUL.index(v) + 1.0 for v in useful]
    for k, g in enumerate(grid):
        frame[f"Q4_{k + 1}"] = [np.nan if v is None else well.index(v) + 1.0 for v in g]
    labels = {"record": "Record number", "weight": "Weight", "profile_GOR": "Government Office Region",
              "Q0": "Which of the following best describes where you work?",
              "Q1": "Are you aware of the Child Safeguarding Practice Review Panel's national reviews?",
              **{f"Q2_{k + 1}": f"How do you usually hear about learning from safeguarding reviews? - {c}"
                 for k, c in enumerate(channels)},
              "Q3": "[ASK IF Q1 = Yes] How useful, if at all, are the Panel's national reviews to your work?",
              **{f"Q4_{k + 1}": f"How well, if at all, do the following agencies work together with you to keep "
                                f"children safe? - {a}" for k, a in enumerate(agencies)}}
    labels.update({"starttime": "Start time", "endtime": "End time", "disposition": "Disposition"})
    values = {"disposition": {1.0: "Complete"}, "profile_GOR": {i + 1.0: r for i, r in enumerate(regions("panel"))},
              "Q0": {i + 1.0: r for i, r in enumerate(ROLES)}, "Q1": {i + 1.0: v for i, v in enumerate(YND)},
              **{f"Q2_{k + 1}": {1.0: "Selected", 0.0: "Not selected"} for k in range(len(channels))},
              "Q3": {i + 1.0: v for i, v in enumerate(USEFUL)},
              **{f"Q4_{k + 1}": {i + 1.0: v for i, v in enumerate(well)} for k in range(len(agencies))}}
    write_sav(frame, OUT / "yougov_frontline.sav", column_labels=labels, variable_value_labels=values)


# ------------------------------------------------------------------ YouGov CSV
def yougov_partners() -> None:
    m = Maker(909, 300, region_names=regions("ons"))
    begin, end, _ = m.stamps("2025-05-12 06:00")
    aware = m.pick(YND, lean=0.9)
    know = m.route(m.pick(KNOW, lean=0.7), aware, ["Yes"])
    methods = ["Rapid reviews", "Local child safeguarding practice reviews", "National reviews", "Audits"]
    chosen, _ = m.choose_many(methods, [0.6, 0.5, 0.3, 0.35], missing=0.0)
    grid = [m.pick(AGREE, lean=0.4 + 0.15 * i) for i in range(3)]
    satisfied = m.pick(SATISFIED, lean=0.6)
    data = {"record": np.arange(1, m.n + 1), "starttime": begin.strftime("%Y-%m-%dT%H:%M:%S"),
            "endtime": end.strftime("%Y-%m-%dT%H:%M:%S"), "disposition": "Complete", "weight": m.weight(),
            "profile_GOR": m.region, "partner_type": m.role, "Q1": blank(aware), "Q2": blank(know)}
    for k in range(len(methods)):
        data[f"Q3_{k + 1}"] = np.where(chosen[:, k], "Selected", "Not selected")
    for k, g in enumerate(grid):
        data[f"Q4_{k + 1}"] = blank(g)
    data["Q5"] = blank(satisfied)
    pd.DataFrame(data).to_csv(OUT / "yougov_partners.csv", index=False)


MAKERS = [qualtrics_partners, qualtrics_frontline, surveymonkey_partners, surveymonkey_frontline,
          smartsurvey_practitioners, msforms_roundtable, googleforms_event, yougov_partners, yougov_frontline]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for make in MAKERS:
        make()
    print(f"wrote {len(MAKERS)} supplier exports to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
