"""The drafted annex on the embedded sample: accessibility of the Word document,
traceability of every figure, and the published Annex C, Annex D and chapter 10 figures."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from feedback import sample_data
from feedback.report import build, wording
from feedback.survey import loading
from feedback.survey.settings import Settings

REF = re.compile(r"(\d[\d,]*(?: of \d+)?%?) \[([CDR]\d+(?:\.\d+|w)?)\]")
ANNEX_HEADINGS = ["Annex C: Regional roundtable feedback", "Annex D: Summary of the survey findings",
                  "Audit of safeguarding partners' yearly reports: key figures"]


@pytest.fixture(scope="module")
def annex(tmp_path_factory):
    from feedback import db

    path = tmp_path_factory.mktemp("annex") / "annex.sqlite3"
    engine = db.get_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    sample_data.seed_if_empty(engine)
    files = build.build_annex(engine=engine)
    return files, Document(io.BytesIO(files.docx))


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from feedback import db

    path = tmp_path_factory.mktemp("annex_db") / "annex.sqlite3"
    engine = db.get_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    sample_data.seed_if_empty(engine)
    return engine


@pytest.fixture(scope="module")
def full(engine):
    """The analyst's appendix, with the changes between the sample's waves."""
    files = build.build_annex(engine=engine, detail="full", compare_waves=True)
    return files, Document(io.BytesIO(files.docx))


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _figures_rows(files) -> dict[str, dict]:
    """The register by reference, as the app holds it (Value 0-1 or a count, Unit)."""
    return {r["Reference"]: r for r in files.figures.to_dict("records")}


def _sheet_rows(files) -> dict[str, dict]:
    """figures.xlsx's register sheet ("Table 1") by reference, as published."""
    wb = openpyxl.load_workbook(io.BytesIO(files.figures_xlsx))
    ws = wb["Table 1"]
    header = [c.value for c in ws[2]]
    return {row[0]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=3, values_only=True)}


def test_headings_use_real_styles_in_order(annex):
    _, doc = annex
    levels = []
    for p in doc.paragraphs:
        name = p.style.name
        if name == "Title":
            levels.append(0)
        elif name.startswith("Heading "):
            levels.append(int(name.split()[1]))
    assert levels[0] == 0 and levels.count(0) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads == ANNEX_HEADINGS
    sections = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    for name in ("Perceptions of the Panel", "Impact of thematic reviews and annual reports",
                 "Improving safeguarding knowledge", "Areas of development"):
        assert name in sections


@pytest.mark.parametrize("which", ["annex", "full"])
def test_every_picture_has_short_alt_text_pointing_to_the_table_below(which, request):
    _, doc = request.getfixturevalue(which)
    pictures = doc.element.body.findall(".//" + qn("wp:docPr"))
    # publication: the audit chart only; full: four sections for partners, two for frontline, the audit chart
    assert len(pictures) == (1 if which == "annex" else 7)
    for pr in pictures:
        descr = pr.get("descr") or ""
        sentences = [x for x in re.split(r"(?<=[.])\s+", descr) if x]
        assert descr.startswith("Bar chart of") and descr.endswith("Data in the table below."), descr
        assert len(sentences) <= 3 and len(descr) <= 300, descr  # one or two sentences, then the pointer
    assert len(doc.inline_shapes) == len(pictures)


@pytest.mark.parametrize("which", ["annex", "full"])
def test_table_header_rows_repeat_and_no_row_splits(which, request):
    _, doc = request.getfixturevalue(which)
    assert doc.tables
    for table in doc.tables:
        tr_pr = table.rows[0]._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
        assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)


def test_language_and_title_are_set(annex):
    files, doc = annex
    with zipfile.ZipFile(io.BytesIO(files.docx)) as zf:
        styles = zf.read("word/styles.xml").decode("utf-8")
    default = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S).group(0)
    assert 'w:lang w:val="en-GB"' in default
    assert doc.core_properties.title == "Draft annual report annexes: England"
    assert "(England (all regions))" not in _all_text(doc) + doc.core_properties.title


def test_every_reference_is_a_row_of_figures_xlsx_with_the_same_number(annex):
    files, doc = annex
    rows = _figures_rows(files)
    found = REF.findall(_all_text(doc))
    refs = [ref for _, ref in found]
    assert len(refs) == len(set(refs)), "a reference is used twice"
    assert set(refs) == set(rows), set(rows) ^ set(refs)
    sheet = _sheet_rows(files)
    assert list(sheet) == list(rows)  # the workbook holds the register in reading order
    for written, ref in found:
        row = rows[ref]
        assert row["As written in the annex"] == written
        if row["Unit"] == "percentage":
            assert written == wording.percent(row["Value"])
            assert sheet[ref]["Percentage (%)"] == pytest.approx(100 * row["Value"])
            assert sheet[ref]["Count (number)"] == "[z]"
        elif " of " in written:
            count, of = written.split(" of ")
            assert int(count) == row["Value"] and int(of) == row["Base (number)"]
        else:
            assert int(written.replace(",", "")) == row["Value"]
        assert row["Source content hash (SHA-256)"] and len(row["Source content hash (SHA-256)"]) == 64
        assert row["Source file"]


# Annex D of the Panel's annual report 2021: each published figure and the words it goes with.
ANNEX_D = [
    ("a good understanding of the Panel's remit and activities", "87%"),
    ("well informed about the Panel's current activities", "87%"),
    ("knowledge of the Panel has improved compared to a year ago", "64%"),
    ("trusted source of information", "86%"),
    ("identifies improvements in how areas can work together", "86%"),
    ("know at least a fair amount about the Panel's thematic reviews", "76%"),
    ("as a result of the criminal exploitation review", "72%"),
    ("as a result of the SUDI review", "67%"),
    ("consider the criminal exploitation review useful in their day-to-day role", "86%"),
    ("consider the SUDI review useful in their day-to-day role", "81%"),
    ("have read some of the Panel's annual report", "84%"),
    ("recommendations are understandable and actionable", "87%"),
    ("activities are beneficial for local safeguarding practice", "86%"),
    ("information and communication improves their local safeguarding practice", "64%"),
    ("easy to find information about the Panel", "78%"),
    ("gov.uk website useful", "73%"),
    ("found the Panel's feedback useful in improving their local practice", "75%"),
    ("have heard of the Panel", "49%"),
    ("report knowledge of the Panel's thematic reviews", "28%"),
    ("should be independent of government", "90%"),
    ("currently independent of government", "60%"),
    ("receive information directly from the Panel's letters", "60%"),
    ("receive information directly from the Panel's emails", "58%"),
    ("via a Panel newsletter", "66%"),
    ("via webinars run by the Panel", "59%"),
]


@pytest.mark.parametrize(("words", "figure"), ANNEX_D)
def test_published_annex_d_figures_in_annex_d_words(annex, words, figure):
    _, doc = annex
    bullets = [p.text for p in doc.paragraphs if words in p.text]
    assert bullets, words
    assert any(re.search(rf"\({re.escape(figure)} \[D\d+\]", b) for b in bullets), bullets


def test_wording_follows_the_size_of_the_figure(annex):
    _, doc = annex
    text = _all_text(doc)
    assert "Almost nine in 10 safeguarding partners surveyed see the Panel as a trusted source" in text
    assert "Three-quarters of safeguarding partners who took part in a rapid review" in text  # routed base named
    assert "Half of frontline professionals surveyed have heard of the Panel (49%" in text


@pytest.mark.parametrize("which", ["annex", "full"])
def test_group_differences_only_when_significant_and_worth_a_sentence(which, request):
    from feedback.report.survey_findings import WORTH_A_SENTENCE

    files, doc = request.getfixturevalue(which)
    rows = _figures_rows(files)
    text = _all_text(doc)
    groups = [r for r in rows.values() if r["Area"] == "Survey" and r["Group"].startswith("role:")]
    assert groups, "the sample has significant role differences (e.g. social workers' awareness)"
    for r in groups:
        p = r["Test"].split("adjusted p = ")[-1]
        assert p == "<0.001" or float(p) < 0.05, r
        assert 0 < r["Value"] < 1  # never a claim from a 0% or 100% cell
        [total] = [t for t in rows.values() if t["Reference"] == r["Reference"].split(".")[0]]
        if which == "annex":
            assert abs(r["Value"] - total["Value"]) >= WORTH_A_SENTENCE
    assert "significantly higher among social workers" in text
    assert "differs significantly" not in text and "No role" not in text  # no repeated "no difference" line
    if which == "annex":
        assert "synthetic" not in text and "[D1w]" not in text  # waves are compared only when asked


def test_a_0_or_100_percent_cell_is_not_called_significant_and_a_comment_says_why(annex):
    files, doc = annex
    notes = [c.text for c in doc.comments if c.text.startswith("Not stated")]
    assert notes and all("zero standard error" in n and "Rao–Scott" in n for n in notes)
    assert "(100%" in notes[0] or "(0%" in notes[0] or ", 100%)" in notes[0] or ", 0%)" in notes[0]
    assert not re.search(r"significantly (higher|lower) among [^(]*\((0|100)% \[", _all_text(doc))


def test_drafting_notes_are_word_comments_not_body_text(annex):
    _, doc = annex
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Drafting note" not in body and "Check the wording" not in body
    comments = [c.text for c in doc.comments]
    assert any("Check the wording" in c and "not A, which is the report's own Annex A" in c for c in comments)
    assert sum(c.startswith("Drafting note") for c in comments) >= 3  # the title, Annex C and Annex D


ANNEX_C = ["The challenge involved in meeting the expected timescale for rapid reviews.",
           "is there a danger that learning is simply repeated in future reviews?",
           "within 6 months due to ongoing criminal investigations.",
           "What detail to include in a published LCSPR when criminal proceedings are still ongoing?",
           "alternative learning review",
           "Extra-familial harm",
           "Mental health, suicide, and access to tier 4 beds.",
           "What constitutes ‘persistent failure’",
           "Information sharing – Safeguarding partners raised"]
RESPONSES = ["timescales are improving", "Safeguarding partnerships do not need to reinvent the wheel.",
             "it should usually be possible to conduct the LCSPR while the criminal investigation is ongoing",
             "the child's experience can be lost due to anonymisation",
             "should be referred to as an LCSPR", "criminal exploitation and the learning will be used",
             "Department for Health and Social Care", "the adverse effect of neglect on children is cumulative",
             "Arthur Labinjo-Hughes and Star Hobson"]


def test_annex_c_is_two_columns_of_the_points_with_the_panels_response(annex):
    _, doc = annex
    [table] = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["Feedback", "Panel response"]]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    for point, response in zip(ANNEX_C, RESPONSES, strict=True):
        row = next((r for r in rows if point in r[0]), None)
        assert row is not None, point
        assert response in row[1], (point, row[1][:80])
    assert all(r[1].strip() for r in rows)  # only points with a response
    text = _all_text(doc)
    for absent in ("SAMPLE-", "AC-0", "No response recorded", "no actions yet", "no response yet"):
        assert absent not in text
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert heads.index(ANNEX_HEADINGS[0]) < heads.index(ANNEX_HEADINGS[1]) < heads.index(ANNEX_HEADINGS[2])
    assert "The Panel held 10 [C1] regional roundtable events, attended by 448 [C2] representatives from " \
           "148 [C3] safeguarding partnerships" in text


def test_published_chapter_10_figures(annex):
    _, doc = annex
    text = _all_text(doc)
    assert re.search(r"audits of 18 \[R\d+\] yearly reports for 2020-21", text)
    assert re.search(r"As of 1 June 2022, the Panel had received a yearly report for 2020-21 from 49% \[R\d+\]",
                     text)
    assert re.search(r"13 of 18 \[R\d+\] reports included reference to independent scrutiny; 5 of 18 \[R\d+\] "
                     r"did not", text)
    assert re.search(r"neglect \(11 of 18 \[R\d+\]\)", text)
    assert re.search(r"learning from reviews \(6 of 18 \[R\d+\]\), information sharing \(3 of 18 \[R\d+\]\) and "
                     r"trauma-informed practice \(2 of 18 \[R\d+\]\)", text)
    # wording: a requirement is "met", never "included reference to meets"; no "0 of 18 did not"
    assert re.search(r"13 of 18 \[R\d+\] reports met the WT 2018 requirements overall; 5 of 18 \[R\d+\] did not",
                     text)
    assert "reference to meets" not in text and "0 of 18 did not" not in text and "[A" not in text
    assert re.search(r"Every audited report \(18 of 18 \[R\d+\]\) included reference to what the partners have "
                     r"done", text)


def test_one_small_base_rule_on_audit_chart_text_and_workbook(annex):
    """18 audited reports are under the flag of 30: [u] on the chart's bars, in the text and on the
    workbook's criterion rows alike."""
    files, doc = annex
    text = _all_text(doc)
    assert "With fewer than 30 reports audited, every share is of low reliability" in text and "[u]" in text
    [chart] = [b for b in files.annex.blocks if b.__class__.__name__ == "Chart"]
    assert all("[u]" in v for v in chart.table.frame["Fully or partly (interval)"])
    wb = openpyxl.load_workbook(io.BytesIO(files.figures_xlsx))
    ws = wb["Table 1"]
    header = [c.value for c in ws[2]]
    ref_col, count_col = header.index("Reference"), header.index("Count (number)")
    formats = {row[ref_col].value: row[count_col].number_format for row in ws.iter_rows(min_row=3)}
    for ref in chart.table.frame["Reference"]:
        assert formats[ref].endswith('" [u]"'), (ref, formats[ref])


def test_region_narrows_every_part(tmp_path):
    from feedback import db

    engine = db.get_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    db.upgrade(engine)
    sample_data.seed_if_empty(engine)
    files = build.build_annex(engine=engine, region="London", parts=("roundtables", "audits"))
    text = files.annex.text()
    assert "in London" in text and "England (all regions)" not in text and files.annex.title.endswith(": London")
    assert "The Panel held 2 [C1] regional roundtable events" in text  # London had two events


@pytest.mark.parametrize(("p", "words"), [
    (0.87, "almost nine in 10"), (0.86, "almost nine in 10"), (0.90, "nine in 10"), (0.75, "three-quarters of"),
    (0.49, "half of"), (0.50, "half of"), (0.28, "almost three in 10"), (0.67, "two-thirds of"),
    (0.72, "over seven in 10"), (0.97, "almost all"), (1.0, "all"), (0.03, "very few"),
])
def test_share_words(p, words):
    assert wording.share_words(p) == words


def test_user_template_keeps_its_styles_and_bad_template_is_refused(tmp_path):
    from docx.shared import Pt

    from feedback.errors import InputError
    from feedback.report import document

    doc = Document()
    doc.styles["Heading 1"].font.size = Pt(30)
    doc.add_paragraph("template text to be replaced")
    buf = io.BytesIO()
    doc.save(buf)
    annex = document.Annex("Test annex", [document.Heading("Test annex", 0), document.Heading("Part", 1),
                                          document.Paragraph("Body")])
    out = Document(io.BytesIO(document.to_docx(annex, buf.getvalue())))
    assert out.styles["Heading 1"].font.size == Pt(30)
    assert [p.text for p in out.paragraphs] == ["Test annex", "Part", "Body"]
    assert "PAGE" in out.sections[0].footer._element.xml  # page numbers added to the template's footer
    with pytest.raises(InputError, match="house.docx is damaged"):
        document.check_template("house.docx", b"PK\x03\x04 not really a zip")
    workbook = io.BytesIO()
    openpyxl.Workbook().save(workbook)
    with pytest.raises(InputError, match="house.docx: not a Word document"):
        document.check_template("house.docx", workbook.getvalue())


def test_two_waves_say_what_changed():
    from feedback.report.figures import Figures
    from feedback.report.survey_findings import survey_findings
    from feedback.survey import examples

    sample = examples.EXAMPLES[0]
    content, codebook = examples.example_files(sample)
    # The waves module labels a wave by its codebook's [survey] wave (else the first year in its title).
    earlier = codebook.replace('fieldwork = "June to September 2021"', 'fieldwork = "June to September 2020"') \
        .replace("[survey]\n", '[survey]\nwave = "2020"\n', 1)
    inputs = build.load_inputs([("partners_2020.sav", content, earlier), (sample.data_file, content, codebook)])
    figures = Figures()
    blocks = survey_findings(inputs, figures, ppi=60, compare_waves=True)
    text = "\n".join(getattr(b, "text", "") for b in blocks)
    # The same answers in both waves: no change is significant, and the earlier figure is referenced.
    assert re.search(r"\(87% \[D(\d+)\]\), no significant change from 87% \[D\1w\] in 2020\.", text)
    assert "up from" not in text and "down from" not in text
    rows = figures.frame()
    earlier_rows = rows[rows["Group"].str.endswith(", 2020")]
    assert earlier_rows["Reference"].str.fullmatch(r"D\d+w").all()  # the headline's number and "w"
    assert len(earlier_rows) == 26 and set(earlier_rows["Source file"]) == {"partners_2020.sav"}
    assert earlier_rows["Test"].str.startswith("change 2020 to 2021: +0.0 points").all()


# ---------------------------------------------------------------- waves, tests and small-base rules

def _p_text(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


@pytest.mark.parametrize("audience", ["partners", "frontline"])
def test_sample_annex_reports_2021_and_states_every_change_as_the_change_command(full, audience, tmp_path):
    """The embedded sample's two waves: the annex reports the published 2021 wave and states the change to
    the synthetic 2022 wave with the same estimate, interval, test and [b] rule as ``python -m feedback
    change`` (and so the Trends page, which calls the same ``waves.change``)."""
    import json

    from feedback.__main__ import main
    from feedback.survey import examples, waves
    from feedback.survey.codebook import load_codebook

    files, doc = full
    samples = waves.sample_series()[audience]
    folder = examples.data_dir() / "surveys"
    out = tmp_path / "change.json"
    argv = ["change", *(str(folder / s.data_file) for s in samples)]
    for s in samples:
        argv += ["--codebook", str(folder / s.codebook_file)]
    assert main([*argv, "--format", "json", "--out", str(out)]) == 0
    cli = [r for r in json.loads(out.read_text()) if r["by"] == "total"]
    later = cli[0]["wave_after"]
    assert "synthetic" in later and cli[0]["wave_before"] == "2021"
    text_2021 = {q.id: q.text for q in load_codebook((folder / samples[0].codebook_file).read_text()).questions}
    register = files.figures
    paragraphs = [p.text for p in doc.paragraphs]
    assert any(f"changes are stated to the {later} wave" in c.text and "reports the 2021 wave, the latest real one"
               in c.text for c in doc.comments)
    seen = set()
    for row in cli:
        match = register[(register["Question or criterion"] == text_2021[row["question"]])
                         & register["Group"].str.endswith(f", {later}")
                         & (register["Source file"] == samples[1].data_file)]
        assert len(match) == 1, row["question"]
        fig = match.iloc[0]
        assert fig["Value"] == pytest.approx(row["p_after"], abs=1e-9)  # JSON keeps 10 decimals
        [bullet] = [p for p in paragraphs if f"[{fig['Reference']}]" in p]
        other = f"{fig['As written in the annex']} [{fig['Reference']}]"
        if "[b]" in row["flag"]:
            assert f"not comparable with {other} in {later}: the question changed [b]" in bullet
            assert "not tested" in fig["Test"] and "[b]" in fig["Test"]
            seen.add("[b]")
            continue
        words = {"up": "up to", "down": "down to", "": "no significant change to"}[row["sig"]]
        assert f"{words} {other} in {later}" in bullet, bullet
        assert fig["Test"] == (
            f"change 2021 to {later}: {100 * row['change']:+.1f} points (95% Wald interval "
            f"{100 * row['ci_low']:+.1f} to {100 * row['ci_high']:+.1f}); {waves.CHANGE_TEST}; "
            f"p = {_p_text(row['p_adj'])}")
        assert fig["Method"].startswith("95% Wald interval of the change")
        seen.add(row["sig"])
    assert {"up", ""} <= seen  # the sample has significant and non-significant changes in each audience


@pytest.fixture(scope="module")
def by_test():
    """The partners' survey findings drafted with each significance test."""
    from feedback.survey import examples
    from feedback.survey.significance import TESTS

    sample = examples.EXAMPLES[0]
    content, codebook = examples.example_files(sample)
    survey = loading.load_survey(sample.data_file, content, codebook)
    return survey, {t: build.build_annex(surveys=[(sample.data_file, content, codebook)], parts=("survey",),
                                         settings=Settings(test=t), detail="full")
                    for t in TESTS}


def test_the_chosen_test_is_recorded_and_decides_the_significance_statements(by_test):
    from feedback.survey import views
    from feedback.survey.significance import TEST_NAMES

    survey, built = by_test
    significant = {}
    for test, files in built.items():
        rows = _figures_rows(files)
        groups = [r for r in rows.values() if r["Group"].startswith("role:")]
        # the default design test makes a comparison with a side at 0% or 100% by Rao-Scott, and says so
        allowed = {test, "rao-scott"} if test == "design" else {test}
        assert groups and all(any(TEST_NAMES[t] in r["Test"] for t in allowed) for r in groups), test
        assert any(TEST_NAMES[test] in r["Test"] for r in groups), test
        others = [t for t in TEST_NAMES if t not in allowed]
        assert not any(TEST_NAMES[t] in r["Test"] for r in groups for t in others)
        wb = openpyxl.load_workbook(io.BytesIO(files.figures_xlsx))
        notes = " ".join(str(v) for r in wb["Notes"].iter_rows(values_only=True) for v in r if v)
        assert TEST_NAMES[test] in notes
        res = views.results(survey, grouping="Role", settings=Settings(test=test))
        sig = res[(res["by"] == "role") & res["sig_vs_rest"].isin(["higher", "lower"]) & (res["flag"] != "[c]")
                  & (res["p"] > 0) & (res["p"] < 1)]  # a 0% or 100% cell is never called significant
        significant[test] = set(zip(sig["question_text"], sig["group"]))
        # Exactly the groups the chosen test finds significant are stated, each in its sentence.
        stated = {(r["Question or criterion"], r["Group"][len("role: "):]) for r in groups}
        assert stated == significant[test]
        text = files.annex.text()
        for r in groups:
            [bullet] = [line for line in text.splitlines()
                        if f"{r['As written in the annex']} [{r['Reference']}]" in line]
            assert "significantly" in bullet
    differ = significant["design"] ^ significant["effective-base"]
    assert differ, "on this sample the two tests disagree on some groups"
    for question, _ in differ:
        assert _bullet(built["design"], question) != _bullet(built["effective-base"], question), question


def _bullet(files, question: str) -> str:
    """The annex's sentence about a question: the line holding its total's reference."""
    register = files.figures
    [ref] = register.loc[(register["Question or criterion"] == question) & register["Group"].str.startswith("Total")
                         & ~register["Group"].str.contains(","), "Reference"]
    written = register.loc[register["Reference"] == ref, "As written in the annex"].iloc[0]
    [line] = [line for line in files.annex.text().splitlines() if f"{written} [{ref}]" in line]
    return line


def test_small_base_rules_on_the_effective_base_mark_low_reliability_in_text_and_workbook():
    """Frontline data are weighted: with [u] below 300 on the effective base, totals of 307 respondents
    are flagged; on the unweighted base they are not. The value cell stays a number, its format shows [u]."""
    from feedback.survey import examples, views

    sample = examples.EXAMPLES[1]
    content, codebook = examples.example_files(sample)
    survey = loading.load_survey(sample.data_file, content, codebook)
    by_n = views.results(survey, settings=Settings(flag=300))
    by_eff = views.results(survey, settings=Settings(flag=300, flag_on="n_eff"))
    total_n, total_eff = (r[r["by"] == "total"].set_index("question")["flag"] for r in (by_n, by_eff))
    only_eff = [q for q in total_eff.index if total_eff[q] == "[u]" and total_n[q] == ""]
    assert only_eff
    files = build.build_annex(surveys=[(sample.data_file, content, codebook)], parts=("survey",),
                              settings=Settings(flag=300, flag_on="n_eff"))
    wb = openpyxl.load_workbook(io.BytesIO(files.figures_xlsx))
    ws = wb["Table 1"]
    header = [c.value for c in ws[2]]
    ref_col, value_col = header.index("Reference"), header.index("Percentage (%)")
    cells = {row[ref_col].value: row[value_col] for row in ws.iter_rows(min_row=3)}
    texts = dict(zip(by_eff["question"], by_eff["question_text"]))
    register = files.figures
    for q in total_eff.index:
        [ref] = register.loc[(register["Question or criterion"] == texts[q])
                             & register["Group"].str.startswith("Total"), "Reference"]
        cell = cells[ref]
        assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
        bullet = _bullet(files, texts[q])
        if total_eff[q] == "[u]":
            assert cell.number_format == '0.0" [u]"'
            assert "the effective base is under 300, so treat with caution [u]" in bullet
        else:
            assert "[u]" not in cell.number_format and "[u]" not in bullet
    notes = {r[0]: r[1] for r in wb["Notes"].iter_rows(min_row=3, values_only=True)}
    assert "number format" in notes["[u]"]
    assert any("effective base below 300" in str(v) for v in notes.values())
