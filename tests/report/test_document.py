"""The drafted annex's Word layout (python-docx checks of each rule), its page count when LibreOffice
renders it, references that stay put whatever the method, level or test, and the charts' contrast."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from feedback import charts, sample_data
from feedback.report import build, document
from feedback.survey.settings import Settings

PRIMARY = re.compile(r"\[([CDR])(\d+)\]")
ANY_REF = re.compile(r"\[([CDR]\d+(?:\.\d+|w)?)\]")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from feedback import db

    engine = db.get_engine(f"sqlite:///{tmp_path_factory.mktemp('layout') / 'annex.sqlite3'}")
    db.upgrade(engine)
    sample_data.seed_if_empty(engine)
    return engine


@pytest.fixture(scope="module")
def annex(engine):
    files = build.build_annex(engine=engine)
    return files, Document(io.BytesIO(files.docx))


def _text_width_emu(doc) -> int:
    s = doc.sections[-1]
    return s.page_width - s.left_margin - s.right_margin


def test_column_widths_are_set_to_the_content_and_no_word_is_broken(annex):
    _, doc = annex
    for table in doc.tables:
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        widths = [c.width for c in table.columns]
        assert all(widths) and sum(widths) <= _text_width_emu(doc) + 10
        for j, width in enumerate(widths):
            words = [w for row in table.rows for w in row.cells[j].text.split()]
            longest = max(len(w) for w in words)
            # the longest word at 9 pt (bold header ~12% wider) plus the cell margins fits its column
            assert longest * document.CHAR_PT + document.CELL_PAD_PT <= width / 12700 + 1, \
                (table.rows[0].cells[j].text, longest, width / 12700)
        if len(widths) == 2:  # Annex C: the response runs longer than the point
            assert widths[1] >= widths[0] * 0.9
    audit = next(t for t in doc.tables if t.rows[0].cells[0].text == "Criterion")
    widths = [c.width for c in audit.columns]
    assert widths[0] == max(widths)  # the criterion's words get the widest column, not an equal share


def test_captions_and_charts_keep_with_what_follows(annex):
    _, doc = annex
    paragraphs = doc.paragraphs
    captions = [p for p in paragraphs if p.style.name == "Caption"]
    assert captions and all(p.paragraph_format.keep_with_next for p in captions)
    pictures = [p for p in paragraphs if p._p.findall(".//" + qn("wp:docPr"))]
    assert pictures and all(p.paragraph_format.keep_with_next for p in pictures)
    headings = [p for p in paragraphs if p.style.name.startswith("Heading")]
    assert all(p.paragraph_format.keep_with_next for p in headings)


@pytest.fixture(scope="module")
def full(engine):
    files = build.build_annex(engine=engine, detail="full")
    return files, Document(io.BytesIO(files.docx))


@pytest.mark.parametrize("which", ["annex", "full"])
def test_chart_text_is_at_least_9_pt_where_it_is_placed(which, request):
    files, doc = request.getfixturevalue(which)
    blocks = [b for b in files.annex.blocks if isinstance(b, document.Chart)]
    assert len(blocks) == len(doc.inline_shapes) == (1 if which == "annex" else 7)
    for chart, shape in zip(blocks, doc.inline_shapes, strict=True):
        placed_pt = shape.width / 12700
        natural_pt = document.png_size(chart.png)[0] * 72 / chart.ppi
        assert placed_pt <= _text_width_emu(doc) / 12700 + 0.5
        assert chart.font_px * placed_pt / natural_pt >= 9, (chart.caption, chart.font_px, placed_pt, natural_pt)
        assert shape.height / 12700 <= 700  # fits an A4 page under its caption


def test_page_numbers_in_the_footer(annex):
    _, doc = annex
    for section in doc.sections:
        fields = section.footer._element.findall(".//" + qn("w:fldSimple"))
        assert any(f.get(qn("w:instr")).strip() == "PAGE" for f in fields)


@pytest.mark.parametrize("which", ["annex", "full"])
def test_references_run_in_reading_order(which, request):
    files, _ = request.getfixturevalue(which)
    order = document.reading_order(files.annex.blocks)
    seen: dict[str, list[int]] = {}
    for text in order:
        for letter, number in PRIMARY.findall(text):
            numbers = seen.setdefault(letter, [])
            if int(number) not in numbers:
                numbers.append(int(number))
    for letter, numbers in seen.items():
        assert numbers == list(range(1, len(numbers) + 1)), (letter, numbers)
    assert set(seen) == {"C", "D", "R"}
    # the register lists them in the same reading order
    refs = list(files.figures["Reference"])
    first_seen = list(dict.fromkeys(r for t in order for r in ANY_REF.findall(t)))
    assert refs == first_seen


def test_the_same_figure_keeps_its_reference_whatever_the_method_level_or_test():
    """Two method settings: every figure present in both has the same reference, and every headline
    (question total, count) is present in both."""
    sample = build.sample_surveys()
    a = build.build_annex(surveys=sample, parts=("survey",), detail="full",
                          settings=Settings(method="wilson", level=0.95, test="design"))
    b = build.build_annex(surveys=sample, parts=("survey",), detail="full",
                          settings=Settings(method="clopper-pearson", level=0.90, test="effective-base"))
    key = ["Area", "Question or criterion", "Group", "Region", "Source file"]
    ra = a.figures.set_index(key)["Reference"]
    rb = b.figures.set_index(key)["Reference"]
    shared = ra.index.intersection(rb.index)
    assert len(shared) >= 36
    moved = [(k, ra[k], rb[k]) for k in shared if ra[k] != rb[k]]
    assert not moved, moved[:5]
    heads_a = set(ra[~ra.str.contains(r"[.w]")])
    heads_b = set(rb[~rb.str.contains(r"[.w]")])
    assert heads_a == heads_b
    # the settings did change what was tested: the group figures differ between the two
    assert set(ra.index) != set(rb.index) or (a.figures["Interval from"] != b.figures["Interval from"]).any()


def test_the_publication_draft_renders_in_at_most_10_pages(annex, tmp_path):
    files, _ = annex
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (.ci/run installs libreoffice-writer-nogui)"
    path = tmp_path / "annex.docx"
    path.write_bytes(files.docx)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=240)
    pdf = (tmp_path / "annex.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 3 <= pages <= 10, pages


def test_error_bars_reach_3_to_1_against_the_bar_and_the_background():
    assert charts.contrast_ratio(charts.TEXT, charts.DARK_BLUE) < 3  # the old black-on-blue: about 2.05
    assert charts.contrast_ratio(charts.ERROR_BAR_HALO, charts.DARK_BLUE) >= 3  # halo against the bar fill
    for fill in charts.PALETTE[:3]:  # the colours bars are drawn in on the annex charts
        assert charts.contrast_ratio(charts.ERROR_BAR_HALO, fill) >= 3, fill
    assert charts.contrast_ratio(charts.ERROR_BAR, "#FFFFFF") >= 3  # the line against the white background
    import pandas as pd

    chart = charts.bar_with_intervals(pd.DataFrame({"g": ["a"], "p": [0.5], "lo": [0.4], "hi": [0.6]}),
                                      category="g", value="p", low="lo", high="hi", title="t")
    bars = [layer["mark"] for layer in charts.vega_spec(chart)["layer"] if layer["mark"]["type"] == "errorbar"]
    assert [(m["color"], m["thickness"] > 2) for m in bars] == [(charts.ERROR_BAR_HALO, True),
                                                                (charts.ERROR_BAR, False)]


def test_half_up_rounding_everywhere():
    from feedback.report import wording

    assert wording.percent(20 / 32) == "63%" and charts.percent_label(20 / 32) == "63%"
    assert wording.percent(0.285) == "29%" and wording.percent(0.8705) == "87%"
