"""Untrusted uploads: the files that once crashed or fooled the readers, a bounded fuzz run,
and reading under the address-space limit some hosting sets (``ulimit -v``)."""

from __future__ import annotations

import pyexpat
import re
import subprocess
import sys
from pathlib import Path

import pytest

from feedback import safety
from feedback.errors import InputError
from feedback.roundtables.read import read_notes
from feedback.survey.data_tables import is_data_tables, read_data_tables
from feedback.survey.read import read_survey
from feedback.tracker.spreadsheet import read_rows
from tools import fuzz

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "untrusted"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _script():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_untrusted_fixtures as script
    finally:
        sys.path.pop(0)
    return script


def test_fixtures_are_what_the_script_makes():
    made = _script().fixtures()
    assert sorted(made) == sorted(p.name for p in FIXTURES.iterdir())
    for name, content in made.items():
        if name.endswith((".csv", ".md", ".toml")):  # zip packages carry the time they were written
            assert fixture(name) == content, name


@pytest.mark.parametrize("name, message", [
    ("far_corner_cell.xlsx", r"^far_corner_cell.xlsx, sheet 'Data' has data in cell XFD1048576 \(column 16,384\): "
                             r"this app reads at most 2,000 columns"),
    ("row_99999999.xlsx", r"^row_99999999.xlsx, sheet 'Data' has a cell at C99999999, beyond the 1,048,576 rows"),
    ("corrupt_deflate.xlsx", r"^corrupt_deflate.xlsx is damaged .* save it again"),
    ("too_many_columns.csv", r"^too_many_columns.csv: 2,001 columns in one row, more than the 2,000"),
    ("sparse_far_cell.xlsx", r"^sparse_far_cell.xlsx, sheet 'Data' spans A1:BXX999999 \(1,999,998,000 cells\)"),
    ("pyreadstat_segfault.sav", r"^pyreadstat_segfault.sav made the reader stop abruptly \(SIGSEGV\)"),
])
def test_survey_crashers_are_one_line(name, message):
    with pytest.raises(InputError, match=message) as err:
        read_survey(name, fixture(name))
    assert "\n" not in str(err.value)


def test_far_corner_dimension_and_stale_dimension_read_every_row():
    for name in ("far_corner_dimension.xlsx", "stale_dimension.xlsx"):
        data = read_survey(name, fixture(name))
        assert len(data.frame) == 150, name  # a stale <dimension> no longer drops rows
        assert data.frame["id"].iloc[-1] == "150"


@pytest.mark.parametrize("name, cell", [
    ("ref_single_quotes.xlsx", r"in cell XFD1048576 \(column 16,384\): this app reads at most 2,000 columns"),
    ("ref_whitespace.xlsx", r"in cell XFD1048576 \(column 16,384\): this app reads at most 2,000 columns"),
    ("ref_31_digit_row.xlsx", r"a cell at C1{31}, beyond the 1,048,576 rows x 16,384 columns"),
])
def test_sheet_check_reads_references_as_an_xml_parser_does(name, cell):
    """Quotes, whitespace and long numbers the old byte scan missed: refused before calamine
    aborts, with the real reason (not the memory limit)."""
    with pytest.raises(InputError, match=rf"^{re.escape(name)}, sheet 'Data' has (data )?{cell}") as err:
        read_survey(name, fixture(name))
    assert "\n" not in str(err.value) and "memory" not in str(err.value)


def test_a_shared_strings_count_beyond_its_part_is_refused_before_calamine_aborts():
    with pytest.raises(InputError, match=r"^shared_strings_count.xlsx: its shared strings part says it holds "
                                         r"'99999999999999' strings in \d+ bytes, which cannot be") as err:
        read_survey("shared_strings_count.xlsx", fixture("shared_strings_count.xlsx"))
    assert "abruptly" not in str(err.value)
    honest = _script().with_shared_strings(_script().workbook(_script().survey_rows(5)), 1)
    assert len(read_survey("honest.xlsx", honest).frame) == 5


def test_sheet_check_reads_character_references_out_of_order_cells_and_cells_without_a_reference():
    repack, sheet = _script().repack, _script().SHEET
    base = fixture("stale_dimension.xlsx")
    charref = repack(base, sheet, lambda d: d.replace(b' r="C151"', b' r="&#88;FD1048576"'))
    with pytest.raises(InputError, match=r"^charref.xlsx, sheet 'Data' has data in cell XFD1048576"):
        safety.sheet_extents("charref.xlsx", charref)
    middle = repack(base, sheet, lambda d: d.replace(b' r="B151"', b' r="XFD151"'))  # neither first nor last in its row
    with pytest.raises(InputError, match=r"^middle.xlsx, sheet 'Data' has data in cell XFD151 \(column 16,384\)"):
        safety.sheet_extents("middle.xlsx", middle)
    unnumbered = repack(base, sheet, lambda d: re.sub(rb' r="[A-Z]+[0-9]+"', b"", d))
    assert [(e.rows, e.columns) for e in safety.sheet_extents("unnumbered.xlsx", unnumbered)] == [(151, 3)]


@pytest.mark.parametrize("name, reader", [("duplicate_sheet.xlsx", read_survey),
                                          ("duplicate_document.docx", read_notes)])
def test_a_zip_with_two_parts_of_the_same_name_is_refused(name, reader):
    two_parts = rf"^{re.escape(name)} holds two parts named '[^']+' \(one can hide the other\)"
    with pytest.raises(InputError, match=two_parts):
        reader(name, fixture(name))


def test_deep_toml_is_one_line_from_every_reader_of_toml():
    from feedback.audits.framework import load_framework
    from feedback.roundtables.themes import load_themes
    from feedback.survey.codebook import load_codebook

    text = fixture("deep_nesting.toml").decode()
    for load, what in ((load_codebook, "codebook"), (lambda t: load_themes(t, name="themes.toml"), "themes.toml"),
                       (lambda t: load_framework(t, name="framework.toml"), "framework.toml")):
        with pytest.raises(InputError, match=rf"^{what} is nested too deeply to read") as err:
            load(text)
        assert "\n" not in str(err.value)
    with pytest.raises(InputError, match=r"^codebook deep_nesting.toml is nested too deeply"):
        load_codebook(FIXTURES / "deep_nesting.toml")


def test_deep_toml_codebook_from_the_cli_exits_2_with_one_line():
    run = subprocess.run([sys.executable, "-m", "feedback", "rates", "data/surveys/partners_2021.sav", "--codebook",
                          str(FIXTURES / "deep_nesting.toml")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [run.stderr.strip()]
    assert "deep_nesting.toml is nested too deeply to read" in run.stderr


def test_long_csv_field_is_read():
    data = read_survey("long_field.csv", fixture("long_field.csv"))
    assert len(data.frame["q1_agree"].iloc[0]) == 200_000


def test_data_tables_with_an_empty_cover_sheet():
    content = fixture("tables_empty_cover.xlsx")
    assert is_data_tables("tables_empty_cover.xlsx", content)
    tables = read_data_tables("tables_empty_cover.xlsx", content)
    assert set(tables["answer"]) == {"Yes", "No"}
    assert tables.attrs["title"] == "Safeguarding partners survey"


@pytest.mark.parametrize("name, message", [
    ("gridspan_text.docx", r"^gridspan_text.docx: a table cell spans 'abc' columns, which is not a number"),
    ("gridspan_million.docx", r"^gridspan_million.docx: a table cell spans 1,000,000 columns"),
])
def test_word_crashers_are_one_line(name, message):
    with pytest.raises(InputError, match=message):
        read_notes(name, fixture(name))


def test_tracker_crashers_are_one_line():
    with pytest.raises(InputError, match=r"^tracker_broken_sheet.xlsx: the Items sheet cannot be read"):
        read_rows("tracker_broken_sheet.xlsx", fixture("tracker_broken_sheet.xlsx"))
    with pytest.raises(InputError, match=r"^tracker_junk.xlsx is damaged"):
        read_rows("tracker_junk.xlsx", fixture("tracker_junk.xlsx"))


def test_many_points_merge_without_all_pairs_difflib():
    notes = read_notes("many_points.md", fixture("many_points.md"))
    assert sum(1 + len(p.merged) for p in notes.points) == 500  # every text kept, folded or not


def test_cli_exits_2_on_an_aborting_workbook(tmp_path):
    path = tmp_path / "row_99999999.xlsx"
    path.write_bytes(fixture("row_99999999.xlsx"))
    run = subprocess.run([sys.executable, "-m", "feedback", "codebook", "suggest", str(path)], capture_output=True,
                         text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 2
    assert "row_99999999.xlsx, sheet 'Data' has a cell at C99999999" in run.stderr
    assert "Traceback" not in run.stderr


def test_aborting_parser_costs_only_that_upload():
    """Without the sheet check, calamine aborts on this file: isolation turns that into one line."""
    with pytest.raises(safety.LimitExceeded, match=r"^row_99999999.xlsx made the reader stop abruptly"):
        safety.run_limited(_calamine_unchecked, "row_99999999.xlsx", fixture("row_99999999.xlsx"),
                           name="row_99999999.xlsx")
    assert safety.run_limited(sum, [1, 1]) == 2


def _calamine_unchecked(name, content):
    import io

    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


# ------------------------------------------------------------------ fuzz
@pytest.mark.timeout(600)
def test_fuzz_readers_raise_only_input_error():
    """A few hundred seeded mutations per format; a reader may only answer with InputError
    (a crashing parser is contained by the child and must end as one too)."""
    findings = fuzz.campaign(count=200, seed=7, batch=50)
    assert findings == []


# ------------------------------------------------------------------ ulimit -v
def _limited_python(code: str, limit_kb: int = 1_500_000) -> subprocess.CompletedProcess:
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_kb * 1024, limit_kb * 1024))

    return subprocess.run([sys.executable, "-c", code], preexec_fn=limit, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


def test_valid_sav_is_read_under_ulimit_v():
    run = _limited_python("from pathlib import Path; from feedback.survey.read import read_survey; "
                          "p = Path('data/surveys/partners_2021.sav'); d = read_survey(p.name, p.read_bytes()); "
                          "print(len(d.frame), d.frame.shape[1])")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["139", "29"]


def test_a_limit_the_server_cannot_give_is_reported_as_a_limit():
    run = _limited_python("from feedback import safety\n"
                          "try:\n    safety.run_limited(bytearray, 3 * 2**30, name='big.sav', memory=2**31)\n"
                          "except safety.LimitExceeded as err:\n    print(err)\n")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "big.sav needs more memory than this server allows" in run.stdout
    assert "damaged" not in run.stdout


def test_the_pipe_passes_bytes_as_bytes_and_arrays_writable_and_children_run_at_a_lower_priority():
    """An upload's bytes and a result's arrays cross the pipe out of band (not copied into the
    pickle): the child still gets bytes, numpy arrays come back writable, and the child runs at a
    lower CPU priority than the server."""
    import os

    import numpy as np

    from feedback import isolation

    content = b"x" * (isolation.OUT_OF_BAND_BYTES * 2)
    assert safety.run_limited(type, content) is bytes
    assert safety.run_limited(bytes.count, content, b"x") == len(content)
    array = safety.run_limited(np.arange, 200_000)
    assert array.flags.writeable and array[-1] == 199_999
    array[0] = 7  # a read-only buffer would raise here
    assert safety.run_limited(os.nice, 0) >= min(19, os.nice(0) + isolation.CHILD_NICENESS)


# ------------------------------------------------------------------ the annex's Word template
@pytest.mark.parametrize("name, message", [
    ("template_no_sectpr.docx",
     r" has no page set-up \(the document's last section properties, w:sectPr, are missing\)"),
    ("template_workbook.docx", r": not a Word document \(.docx\) that can be opened"),
    ("template_many_paragraphs.docx", r" holds 3,000,\d{3} XML elements in its text, more than the 500,000 a "
                                      r"house-style template may have"),
    ("template_zip_bomb.docx", r" expands to more than 524 MB \(or 200 times its size\) when opened"),
    ("template_duplicate_styles.docx", r" holds two parts named 'word/styles.xml'"),
])
def test_a_bad_template_is_one_line_checked_in_a_child(name, message):
    """Each once ran in the server (3.8 GB for an 8 MB template) or raised a raw IndexError."""
    from feedback.report import document

    with pytest.raises(InputError, match=rf"^{re.escape(name)}{message}") as err:
        document.check_template(name, fixture(name))
    assert "\n" not in str(err.value)


def test_a_template_over_the_memory_limit_is_one_line(monkeypatch):
    """The child's memory limit (lowered here so that a small fixture reaches it) stops python-docx
    parsing a template, and the message says so about a template."""
    from feedback import isolation
    from feedback.report import document

    monkeypatch.setattr(isolation, "MIN_WORK_MEMORY", 200 * 2**20)
    with pytest.raises(InputError, match=r"^template_many_paragraphs.docx cannot be used as a template: it needs "
                                         r"more than 0.2 GB of memory to open\. Use a Word document"):
        document.check_template("template_many_paragraphs.docx", fixture("template_many_paragraphs.docx"))
    with pytest.raises(InputError, match=r"^The Word template cannot be used as a template: it needs more than "
                                         r"0.2 GB of memory to build the annex with"):
        document.render(document._trial_annex(), fixture("template_many_paragraphs.docx"))


def test_the_annex_is_built_with_a_users_template_only_in_a_child():
    """A template that was never checked still costs one line, never python-docx's IndexError;
    one that passed is used, in a child (its measures are those of a child)."""
    from feedback import isolation
    from feedback.report import document

    annex = document._trial_annex()
    with pytest.raises(InputError, match=r"^The Word template cannot be used as a template \(IndexError"):
        document.render(annex, fixture("template_no_sectpr.docx"))
    good = document.check_template("house.docx", _script().word_document())
    isolation._last_measures.clear()
    docx_bytes = document.render(annex, good)
    assert isolation.last_measures()["peak_rss"] > 0 and docx_bytes.startswith(b"PK")


@pytest.mark.parametrize("xml", [
    b'<row r="1"><c r="A1"/><c r="XFD7" t="s"/></row><row r="9"><c r="B9"/></row>',
    b'<row r="1"><c r="A1"/><c r=\'B1\'/></row>', b'<row r="1"><c r="A1"/><c\tr="B1"/></row>',
    b'<row r="1"><c r="A&#49;"/></row>', b'<row r="1"><c r="A1" r="B1"/></row>', b'<row><c r="A1"/></row>',
    b'<row r="1"><c/></row>', b'<row r="1"><c r="A1"><is><t>x r = y</t></is></c></row>',
    b'<row r="3"><c r="C1111111111111111111111111111111"/></row>', b'<row r="2"><x:c r="XFD2"/></row>',
    b'<row r="1"><c r="xfd1"/></row>', b'<row r="1"><c r="$A$1"/></row>',
])
def test_the_quick_sheet_measure_agrees_with_expat_or_hands_over(xml):
    """The byte-search measure either finds what expat finds, or declines (then expat measures)."""
    quick = safety._quick_chunk(xml)
    extent = safety.SheetExtent("Data", "sheet1.xml")
    scan = safety._SheetScan("t.xlsx", extent)
    try:
        scan.parser.Parse(b'<sheetData xmlns:x="x">' + xml + b"</sheetData>", True)
    except InputError:  # beyond the limits: expat names the cell
        assert quick is None or quick[0] > safety.MAX_COLUMNS or quick[1] > safety.MAX_ROWS
        return
    except pyexpat.ExpatError:  # not XML (a duplicate attribute): refused on the expat path
        assert quick is None
        return
    assert quick is None or quick == (extent.columns, extent.rows)
    if xml.startswith(b'<row r="1"><c r="A1"/><c r="XFD7"'):
        assert quick == (16384, 9)
