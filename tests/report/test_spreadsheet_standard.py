"""Every published spreadsheet (figures.xlsx, the Results workbook and CSV, and their ODS twins) against
the Analysis Function's "Releasing statistics in spreadsheets": openpyxl and odfpy checks of each rule."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import range_boundaries

from feedback import download_pack, export
from feedback.report import build
from feedback.survey import examples, loading, views
from feedback.survey import notes as survey_notes
from feedback.survey.settings import Settings

INTERNAL_NAMES = ("ci_low", "ci_high", "n_eff", "higher_than", "p_adj", "sig_vs_rest", "base_label")


@pytest.fixture(scope="module")
def figures():
    files = build.build_annex(parts=("survey",))
    return files


@pytest.fixture(scope="module")
def results():
    sample = examples.EXAMPLES[1]
    content, codebook = examples.example_files(sample)
    survey = loading.load_survey(sample.data_file, content, codebook)
    res = views.results(survey, grouping="Role", region="London")
    notes = survey_notes.table_notes(survey, res, region="London", grouping="Role",
                                     settings=Settings(method="wilson", level=0.95, suppress=10, flag=30,
                                                       adjust="holm"))
    return survey, res, download_pack.survey_workbook(survey, res, region="London", grouping="Role", notes=notes)


def _workbooks(figures, results):
    return {"figures": figures.figures_xlsx, "results": results[2]}


@pytest.mark.parametrize("which", ["figures", "results"])
def test_cover_contents_with_links_notes_and_table_sheets(figures, results, which):
    wb = openpyxl.load_workbook(io.BytesIO(_workbooks(figures, results)[which]))
    assert wb.properties.title and wb.properties.title == wb["Cover"]["A1"].value
    tables = wb.sheetnames[3:]
    assert wb.sheetnames[:3] == ["Cover", "Contents", "Notes"] and tables == [f"Table {i}" for i in
                                                                               range(1, len(tables) + 1)]
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(min_row=2, values_only=True)}
    for key in ("Description", "Fieldwork", "Source", "Contact", "Next update"):
        assert cover.get(key) and cover[key] != "Not given", key
    assert "June to September 2021" in cover["Fieldwork"]
    for key in ("Survey", "Source"):  # named as a reader knows them, not by file name
        assert ".sav" not in str(cover.get(key, "")) and ".xlsx" not in str(cover.get(key, "")), cover.get(key)
    assert "YouGov" in cover["Source"]
    contents = wb["Contents"]
    links = [contents.cell(r, 1) for r in range(3, contents.max_row + 1)]
    assert [c.value for c in links] == tables
    assert [c.hyperlink.location for c in links] == [f"'{t}'!A1" for t in tables]


@pytest.mark.parametrize("which", ["figures", "results"])
def test_one_named_table_per_sheet_under_its_title_with_no_empty_cell(figures, results, which):
    wb = openpyxl.load_workbook(io.BytesIO(_workbooks(figures, results)[which]))
    names = set()
    for ws in wb.worksheets[1:]:
        assert ws["A1"].value and ws["A1"].font.b  # the title in A1
        assert len(ws.tables) == 1, ws.title
        [(name, ref)] = ws.tables.items()
        names.add(name)
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        assert (min_col, min_row, max_col, max_row) == (1, 2, ws.max_column, ws.max_row), (ws.title, ref)
        for row in ws.iter_rows(min_row=2, max_row=max_row, max_col=max_col):
            for cell in row:
                assert cell.value not in (None, ""), (ws.title, cell.coordinate)
                if isinstance(cell.value, str) and cell.row > 2 and len(cell.value) > 12:
                    assert cell.alignment.wrap_text, (ws.title, cell.coordinate)
    assert len(names) == len(wb.worksheets) - 1  # each table named, names unique


def test_percentages_and_counts_in_separate_columns_with_units_in_headers(figures):
    wb = openpyxl.load_workbook(io.BytesIO(figures.figures_xlsx))
    ws = wb["Table 1"]
    header = [c.value for c in ws[2]]
    assert "Value" not in header and "Unit" not in header
    pct, count = header.index("Percentage (%)"), header.index("Count (number)")
    register = figures.figures.set_index("Reference")
    for row in ws.iter_rows(min_row=3, values_only=True):
        fig = register.loc[row[0]]
        if fig["Unit"] == "percentage":
            assert row[pct] == pytest.approx(100 * fig["Value"]) and row[count] == "[z]"
        else:
            assert row[count] == fig["Value"] and row[pct] == "[z]"
    plain = ("Reference", "Area", "Question or criterion", "Group", "Region", "Base", "As written in the annex",
             "Method", "Test", "Source file")
    assert all(h.endswith(("(%)", "(number)", "(SHA-256)")) or h in plain for h in header)


@pytest.mark.parametrize("which", ["figures", "results"])
def test_notes_are_written_against_the_exported_headers(figures, results, which):
    wb = openpyxl.load_workbook(io.BytesIO(_workbooks(figures, results)[which]))
    notes = " ".join(str(v) for r in wb["Notes"].iter_rows(min_row=3, values_only=True) for v in r if v)
    for name in INTERNAL_NAMES:
        assert name not in notes, name
    for code in ("[c]", "[u]", "[x]", "[z]"):
        assert code in notes
    if which == "figures":
        for header in ("Percentage (%)", "Count (number)", "Interval from (%)", "Source content hash (SHA-256)"):
            assert header in notes, header


def test_a_neutralised_cell_keeps_its_text_with_the_quote_prefix_attribute():
    table = export.PublishedTable(sheet="t", title="Formulas", frame=pd.DataFrame({"Text": ["=1+1", "-5", "fine"]}))
    wb = openpyxl.load_workbook(io.BytesIO(export.publication_workbook([table], title="t")))
    cells = [wb["Table 1"].cell(r, 1) for r in range(3, 6)]
    assert [c.value for c in cells] == ["=1+1", "-5", "fine"]  # no visible apostrophe
    assert [c.quotePrefix for c in cells] == [True, True, False] and all(c.data_type == "s" for c in cells)


def test_csv_values_match_their_headers(results):
    survey, res, _ = results
    tidy = export.survey_tables(res, survey=survey.title, grouping="Role", region="London")[1]
    csv = pd.read_csv(io.BytesIO(export.publication_csv(tidy)), encoding="utf-8-sig", keep_default_na=False)
    shown = csv["Positive (%)"] != "[c]"
    assert shown.any()
    values = pd.to_numeric(csv.loc[shown, "Positive (%)"])
    assert values.max() > 1  # 87.1, not 0.871
    assert values.tolist() == pytest.approx((100 * res.loc[shown.to_numpy(), "p"]).tolist())
    assert (csv == "").sum().sum() == 0  # no empty cell: shorthand instead


def test_the_ods_twin_holds_the_same_sheets_numbers_links_and_named_tables(figures):
    from odf import opendocument, table, text
    from odf.namespaces import OFFICENS, TABLENS

    doc = opendocument.load(io.BytesIO(figures.figures_ods))
    sheets = doc.spreadsheet.getElementsByType(table.Table)
    wb = openpyxl.load_workbook(io.BytesIO(figures.figures_xlsx))
    assert [s.getAttrNS(TABLENS, "name") for s in sheets] == wb.sheetnames
    ranges = doc.spreadsheet.getElementsByType(table.DatabaseRange)
    assert len(ranges) == len(wb.sheetnames) - 1
    links = [a.getAttribute("href") for a in sheets[1].getElementsByType(text.A)]
    assert links == ["#Table 1.A1"]
    floats = [c for c in sheets[3].getElementsByType(table.TableCell)
              if c.getAttrNS(OFFICENS, "value-type") == "float"]
    values = {float(c.getAttrNS(OFFICENS, "value")) for c in floats}
    ws = wb["Table 1"]
    numbers = {float(c.value) for row in ws.iter_rows(min_row=3) for c in row
               if isinstance(c.value, (int, float))}
    assert values == numbers
    from odf import dc

    assert str(doc.meta.getElementsByType(dc.Title)[0]) == wb.properties.title


def test_svg_has_its_title_and_description_inside_and_no_stray_labels():
    from feedback import charts

    chart = charts.bar_with_intervals(pd.DataFrame({"g": ["a"], "p": [0.5], "lo": [0.4], "hi": [0.6]}),
                                      category="g", value="p", low="lo", high="hi", title="A title",
                                      notes=["A note"], source="Source: x")
    svg = charts.chart_svg(chart, desc="Bar chart of a. Data in the table below.")
    head = svg[: svg.index("<rect")]
    assert 'role="img"' in head and "<title id=\"chart-title\">A title</title>" in head
    assert "<desc id=\"chart-desc\">Bar chart of a. Data in the table below.</desc>" in head
    assert "aria-label=" not in svg and "aria-roledescription" not in svg


@pytest.mark.parametrize("which", ["figures", "results"])
def test_libreoffice_opens_the_ods_twin_with_the_same_cells(figures, results, which, tmp_path):
    """The ODS is a real spreadsheet: LibreOffice Calc (.ci/run installs libreoffice-calc-nogui) opens it
    and, saved back as XLSX, it holds the same sheets and cells as the XLSX it was made from."""
    import shutil
    import subprocess

    xlsx = _workbooks(figures, results)[which]
    ods = figures.figures_ods if which == "figures" else export.xlsx_to_ods(xlsx)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (.ci/run installs it)"
    (tmp_path / "twin.ods").write_bytes(ods)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "out"), str(tmp_path / "twin.ods")], check=True, capture_output=True,
                   timeout=240)
    back = openpyxl.load_workbook(tmp_path / "out" / "twin.xlsx")
    original = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert back.sheetnames == original.sheetnames
    for name in original.sheetnames:
        got = [[c for c in row] for row in back[name].iter_rows(values_only=True)]
        want = [[c for c in row] for row in original[name].iter_rows(values_only=True)]
        assert len(got) == len(want), name
        for g, w in zip(got, want, strict=True):
            g, w = [v for v in g if v is not None], [v for v in w if v is not None]
            assert [(round(v, 9) if isinstance(v, float) else v) for v in g] == \
                   [(round(v, 9) if isinstance(v, float) else v) for v in w], name


def test_ods_shows_each_number_with_the_decimals_excel_shows():
    from odf import number, opendocument

    frame = pd.DataFrame({"Rate": [0.0072, 0.5, 12.0], "Share (%)": [87.0504, 62.5, 3.0]})
    table = export.PublishedTable(sheet="t", title="Decimals", frame=frame)
    doc = opendocument.load(io.BytesIO(export.xlsx_to_ods(export.publication_workbook([table], title="t"))))
    places = sorted({n.getAttribute("decimalplaces") for n in doc.automaticstyles.getElementsByType(number.Number)})
    assert places == ["0", "1", "4"]  # 12 (#,##0), 87.1 and 62.5 (0.0), 0.0072 (#,##0.0### needs 4)


def test_the_tracker_workbook_has_an_ods_twin_with_its_dates(tmp_path):
    from odf import opendocument, table
    from odf.namespaces import OFFICENS

    from feedback import db, sample_data
    from feedback.tracker.spreadsheet import export_workbook

    engine = db.get_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    db.upgrade(engine)
    sample_data.seed_if_empty(engine)
    with db.session_scope(engine) as session:
        xlsx = export_workbook(session, None, True)
    doc = opendocument.load(io.BytesIO(export.xlsx_to_ods(xlsx)))
    sheets = doc.spreadsheet.getElementsByType(table.Table)
    assert [s.getAttribute("name") for s in sheets] == openpyxl.load_workbook(io.BytesIO(xlsx)).sheetnames
    types = {c.getAttrNS(OFFICENS, "value-type") for s in sheets for c in s.getElementsByType(table.TableCell)}
    assert {"string", "date"} <= types
