"""Write the sample notes of the Panel's 10 regional roundtables of 2021 as .docx
files in data/roundtables/ (deterministic: same bytes on every run).

The notes are a SAMPLE built from the published summary (chapter 11 and
Annex C of the Panel's annual report 2021): the totals (10 events, 448
attendees, 148 partnerships) and the points raised are the report's; the split
of attendees and partnerships between events, the dates and the wording of
each point are invented, in the words a partnership might use. The Panel leads
are the regional links named in chapter 11.

Run: python scripts/make_sample_roundtables.py
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "roundtables"

SAMPLE_NOTE = ("These notes are a sample built from the published summary of the Panel's 2021 regional "
               "roundtables (chapter 11 and Annex C of the Panel's annual report 2021). The points are "
               "reworded for this sample; the dates and the split of attendees between events are invented.")

# Annex C feedback points, by the codebook sub-theme each stands for.
ANNEX_C = {
    "rapid_review_timescales": "The challenge involved in meeting the expected timescale for rapid reviews.",
    "impact_repeated_learning": "The impact of reviews on system and practice change has in some instances been "
                                "limited - is there a danger that learning is simply repeated in future reviews?",
    "lcspr_timeliness_criminal": "The challenge completing and publishing LCSPRs within 6 months due to ongoing "
                                 "criminal investigations.",
    "publication_anonymisation": "What detail to include in a published LCSPR when criminal proceedings are still "
                                 "ongoing?",
    "alternative_review": "Safeguarding partnerships may choose to undertake an alternative learning review or use "
                          "other terminology to describe different approaches to review.",
    "extra_familial_harm": "Extra-familial harm - the need to understand the experience of the child throughout "
                           "their lives, including the impact of domestic abuse and the relationship for some "
                           "children between criminal exploitation and long-term neglect.",
    "mental_health_suicide": "Mental health, suicide, and access to tier 4 beds.",
    "neglect_persistent_failure": "What constitutes 'persistent failure' (Working Together 2018) and how should it "
                                  "be applied to different ages and different needs?",
    "information_sharing": "Information sharing - rapid reviews and LCSPRs often cite poor information-sharing, or "
                           "misunderstandings around what can be shared, as a key systemic failure.",
}

# Each event: details, then sections of (style, [(expected codes, text)]).
# style: "bullet" | "number" | "paragraph" | "table". Expected codes are what the
# sample's rules should find (tests check this); a point may carry two codes.
EVENTS = [
    {
        "file": "01_north_east.docx", "region": "North East", "date": "11 March 2021", "attendees": 38,
        "partnerships": 12, "lead": "Dale Simon",
        "sections": [
            ("Rapid reviews and local reviews", "bullet", [
                ({"rapid_review_timescales"}, "Meeting the 15 working day deadline for a rapid review is really "
                                              "hard when agencies are slow to return chronologies."),
                ({"rapid_review_timescales"}, "Meeting the 15 working day deadline for rapid reviews is really hard "
                                              "when agencies are slow returning chronologies."),
                ({"impact_repeated_learning"}, "We keep seeing the same learning come up review after review; how "
                                               "do we show that reviews actually change practice?"),
            ]),
            ("Practice themes", "bullet", [
                ({"information_sharing"}, "Poor information sharing between agencies comes up in almost every "
                                          "rapid review we do."),
                ({"mental_health_suicide"}, "We have seen more suicides of young people this year and want to "
                                            "know how to learn from them."),
            ]),
            ("Working with the Panel", "bullet", [
                ({"panel_engagement"}, "Partners welcomed the Panel's quarterly newsletter and asked for more "
                                       "webinars."),
            ]),
        ],
    },
    {
        "file": "02_north_west.docx", "region": "North West", "date": "25 March 2021", "attendees": 56,
        "partnerships": 19, "lead": "Jenny Coles",
        "sections": [
            ("What partnerships told us about reviews", "number", [
                ({"rapid_review_timescales"}, "We struggle to get a rapid review done in 15 days, especially over "
                                              "holiday periods."),
                ({"lcspr_timeliness_criminal"}, "Completing an LCSPR within six months is unrealistic when there "
                                                "is an ongoing criminal investigation."),
                ({"publication_anonymisation", "lcspr_timeliness_criminal"},
                 "What detail can safely go into a published LCSPR while criminal proceedings are still live?"),
            ]),
            ("Practice themes", "bullet", [
                ({"extra_familial_harm"}, "Extra-familial harm: we need to understand the child's experience "
                                          "across their whole life, not just the incident."),
                ({"mental_health_suicide"}, "There are not enough tier 4 mental health beds; young people wait "
                                            "days on paediatric wards."),
                ({"information_sharing"}, "Practitioners are still unsure what information they are allowed to "
                                          "share, and GDPR is used as a reason not to."),
            ]),
        ],
    },
    {
        "file": "03_yorkshire_and_the_humber.docx", "region": "Yorkshire and the Humber", "date": "15 April 2021",
        "attendees": 44, "partnerships": 15, "lead": "Annie Hudson",
        "sections": [
            ("Reviews", "paragraph", [
                ({"impact_repeated_learning"}, "Partners questioned the impact of reviews: the recommendations "
                                               "look familiar because learning is simply repeated."),
                ({"alternative_review"}, "Several partnerships use an alternative learning review or a "
                                         "'learning lessons' review instead of a full LCSPR."),
            ]),
            ("Practice themes", "bullet", [
                ({"neglect_persistent_failure"}, "What does 'persistent failure' mean under Working Together 2018 "
                                                 "for a newborn compared with a teenager?"),
                ({"information_sharing"}, "Schools and GPs are not always included in information sharing at the "
                                          "strategy meeting stage."),
                ({"extra_familial_harm"}, "Children drawn into county lines often have a long history of neglect "
                                          "at home that was never picked up."),
            ]),
        ],
    },
    {
        "file": "04_east_midlands.docx", "region": "East Midlands", "date": "6 May 2021", "attendees": 36,
        "partnerships": 10, "lead": "Peter Sidebotham",
        "sections": [
            ("Rapid reviews and LCSPRs", "number", [
                ({"rapid_review_timescales"}, "Partners asked whether the rapid review timescale could flex where "
                                              "the facts are still emerging."),
                ({"lcspr_timeliness_criminal"}, "Police colleagues advised us to pause the LCSPR until the trial "
                                                "had finished, which put us well past 6 months."),
            ]),
            ("Practice themes", "bullet", [
                ({"mental_health_suicide"}, "How do we draw learning from a suicide where there is no suspected "
                                            "abuse or neglect and so no rapid review?"),
                ({"neglect_persistent_failure"}, "Partners asked how the neglect definition applies to a child "
                                                 "with complex health needs."),
            ]),
            ("Working with the Panel", "bullet", [
                ({"panel_engagement"}, "Business managers would like a network to share practice with other "
                                       "partnerships."),
            ]),
        ],
    },
    {
        "file": "05_west_midlands.docx", "region": "West Midlands", "date": "20 May 2021", "attendees": 45,
        "partnerships": 14, "lead": "Peter Sidebotham",
        "sections": [
            ("Group discussion", "table", [
                ({"impact_repeated_learning"}, "It is hard to evidence the impact of LCSPRs on the system rather "
                                               "than on a single agency."),
                ({"publication_anonymisation"}, "Once a report is anonymised the child's story gets lost; partners "
                                                "asked how much context to publish."),
                ({"alternative_review"}, "Partners asked whether a systems-methodology review counts as an LCSPR "
                                         "or can be badged differently."),
            ]),
            ("Practice themes", "bullet", [
                ({"extra_familial_harm"}, "Partners described links between criminal exploitation, domestic abuse "
                                          "in the home and long-term neglect."),
                ({"information_sharing"}, "Information-sharing failures are cited as a systemic issue, yet the "
                                          "same barriers remain."),
            ]),
        ],
    },
    {
        "file": "06_east_of_england.docx", "region": "East of England", "date": "10 June 2021", "attendees": 40,
        "partnerships": 11, "lead": "Susan Tranter", "details_as_table": True,
        "sections": [
            ("Points raised", "bullet", [
                ({"rapid_review_timescales"}, "The rapid review timeframe leaves little time to involve frontline "
                                              "practitioners properly."),
                ({"mental_health_suicide"}, "Access to Tier 4 beds remains a serious problem for children in "
                                            "mental health crisis."),
                ({"mental_health_suicide"}, "Access to tier 4 beds remains a serious problem for children in a "
                                            "mental health crisis."),
                ({"neglect_persistent_failure"}, "Practitioners find it hard to judge when missed health "
                                                 "appointments amount to persistent failure to meet needs."),
                ({"information_sharing"}, "Misunderstandings about consent stop health colleagues sharing "
                                          "information with children's social care."),
            ]),
        ],
    },
    {
        "file": "07_london_spring.docx", "region": "London", "date": "24 June 2021", "attendees": 52,
        "partnerships": 17, "lead": "Renuka Jeyarajah-Dent and Jahnine Davis",
        "sections": [
            ("Local reviews", "bullet", [
                ({"lcspr_timeliness_criminal"}, "Criminal proceedings can run for two years; the CPS often asks us "
                                                "to delay the review."),
                ({"publication_anonymisation"}, "Families sometimes ask us not to publish, and we worry the report "
                                                "could identify siblings."),
                ({"alternative_review"}, "We would like to use different review approaches, such as appreciative "
                                         "inquiry, without calling it an LCSPR."),
            ]),
            ("Practice themes", "number", [
                ({"extra_familial_harm"}, "Contextual safeguarding approaches help, but the exploitation of "
                                          "teenagers outside the home is outpacing services."),
                ({"mental_health_suicide"}, "Partners reported a rise in self-harm and suicide among teenagers "
                                            "since the pandemic."),
                ({"information_sharing"}, "Information sharing across borough boundaries is a particular problem "
                                          "when families move."),
            ]),
        ],
    },
    {
        "file": "08_london_autumn.docx", "region": "London", "date": "7 October 2021", "attendees": 47,
        "partnerships": 16, "lead": "Renuka Jeyarajah-Dent and Jahnine Davis",
        "sections": [
            ("Discussion", "paragraph", [
                ({"rapid_review_timescales"}, "Fifteen days is not long enough to pull a good rapid review "
                                              "together across three partners."),
                ({"impact_repeated_learning"}, "There is a danger of commissioning another review when the "
                                               "learning already exists in national reviews."),
                ({"extra_familial_harm"}, "Child criminal exploitation cases show how earlier domestic abuse "
                                          "shaped the young person's life."),
                ({"neglect_persistent_failure"}, "How persistent does neglect have to be before it meets the "
                                                 "definition, especially for babies?"),
                (set(), "Workforce turnover in children's social care makes it hard to sustain improvement."),
            ]),
        ],
    },
    {
        "file": "09_south_east.docx", "region": "South East", "date": "16 September 2021", "attendees": 50,
        "partnerships": 19, "lead": "Dale Simon",
        "sections": [
            ("Reviews", "bullet", [
                ({"rapid_review_timescales"}, "Our business unit is stretched by the timescale for rapid reviews "
                                              "when several incidents arrive at once."),
                ({"lcspr_timeliness_criminal"}, "We were unsure whether to wait for the criminal trial before "
                                                "finishing the LCSPR."),
                ({"alternative_review"}, "Could a multi-agency learning review be used where a case does not need "
                                         "a full LCSPR?"),
            ]),
            ("Practice themes", "bullet", [
                ({"mental_health_suicide"}, "Cases of suicide that don't meet the rapid review criteria still "
                                            "carry learning we want to capture."),
                ({"information_sharing"}, "Data sharing agreements between police, health and the local "
                                          "authority take too long to agree."),
            ]),
            ("Working with the Panel", "bullet", [
                ({"panel_engagement"}, "Partners thanked the Panel for its feedback letters on rapid reviews."),
            ]),
        ],
    },
    {
        "file": "10_south_west.docx", "region": "South West", "date": "4 November 2021", "attendees": 40,
        "partnerships": 15, "lead": "Sally Shearer",
        "sections": [
            ("Reviews", "number", [
                ({"impact_repeated_learning"}, "Action plans from earlier reviews are still open and the same "
                                               "themes reappear: we need to embed learning, not repeat it."),
                ({"publication_anonymisation"}, "Redacting the report for publication stripped out the detail "
                                                "that made the learning make sense."),
            ]),
            ("Practice themes", "bullet", [
                ({"mental_health_suicide"}, "CAMHS waiting lists and the lack of inpatient beds leave families "
                                            "holding very high risk."),
                ({"neglect_persistent_failure"}, "The Working Together definition of neglect is hard to apply to "
                                                 "disabled children with complex needs."),
                ({"extra_familial_harm"}, "Exploitation in rural areas and coastal towns is less visible; young "
                                          "people are moved between areas."),
            ]),
        ],
    },
]

_FIXED_TIME = (2022, 1, 1, 0, 0, 0)


def build_event(event: dict) -> bytes:
    """One event's notes as .docx bytes (title, details, sample note, sections)."""
    import datetime as dt

    import docx

    document = docx.Document()
    props = document.core_properties
    props.author = "Sample generator"
    props.last_modified_by = "Sample generator"
    props.title = f"Regional roundtable notes: {event['region']} (sample)"
    props.created = props.modified = dt.datetime(2022, 1, 1)
    props.revision = 1
    document.add_heading(f"Regional roundtable: {event['region']}", level=0)
    details = [("Region", event["region"]), ("Date", event["date"]), ("Attendees", str(event["attendees"])),
               ("Partnerships", str(event["partnerships"])), ("Panel lead", event["lead"])]
    if event.get("details_as_table"):
        table = document.add_table(rows=0, cols=2)
        for key, value in details:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = key, value
    else:
        for key, value in details:
            document.add_paragraph(f"{key}: {value}")
    document.add_paragraph(f"Note: {SAMPLE_NOTE}")
    for heading, style, points in event["sections"]:
        document.add_heading(heading, level=1)
        if style == "table":
            table = document.add_table(rows=1, cols=2)
            table.style = "Table Grid"
            table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Group", "Point"
            for i, (_, text) in enumerate(points, start=1):
                cells = table.add_row().cells
                cells[0].text, cells[1].text = f"Table {i}", text
        else:
            para_style = {"bullet": "List Bullet", "number": "List Number", "paragraph": None}[style]
            for _, text in points:
                document.add_paragraph(text, style=para_style)
    return saved_docx(document)


def saved_docx(document, date_time: tuple[int, ...] = _FIXED_TIME) -> bytes:
    """A python-docx document as bytes that do not change between runs: the package is written
    again with every entry's timestamp set to ``date_time`` (shared with make_notes_corpus.py)."""
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer, "r") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=date_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def expected_points() -> list[tuple[str, str, set[str]]]:
    """(file, text, expected codes) for every point in the sample, duplicates included."""
    return [(e["file"], text, codes) for e in EVENTS for _, _, pts in e["sections"] for codes, text in pts]


def coded_examples_csv() -> str:
    """The sample's intended codes as the suggester's coded examples (file, text, codes joined by ';')."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "text", "codes"])
    for file, text, codes in expected_points():
        writer.writerow([file, text, ";".join(sorted(codes))])
    return out.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for event in EVENTS:
        (OUT / event["file"]).write_bytes(build_event(event))
    (OUT / "coded_examples.csv").write_text(coded_examples_csv(), encoding="utf-8")
    total_a = sum(e["attendees"] for e in EVENTS)
    total_p = sum(e["partnerships"] for e in EVENTS)
    print(f"wrote {len(EVENTS)} events to {OUT}: {total_a} attendees, {total_p} partnerships")


if __name__ == "__main__":
    main()
