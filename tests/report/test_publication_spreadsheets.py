"""The publication workbook follows "Releasing statistics in spreadsheets" (openpyxl checks),
and the publication charts keep a fixed group order."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from feedback import charts, export
from feedback.survey import examples, loading, views
from feedback.survey import figures as survey_figures


@pytest.fixture(scope="module")
def frontline():
    sample = examples.EXAMPLES[1]
    content, codebook = examples.example_files(sample)
    return loading.load_survey(sample.data_file, content, codebook)


@pytest.fixture(scope="module")
def res(frontline):
    # Role x region: many small cells, so [c] and [u] both occur.
    return views.results(frontline, grouping="Role × region", region=None)


@pytest.fixture(scope="module")
def res_both(frontline):
    return views.results(frontline, grouping="Role and region", region=None)


@pytest.fixture(scope="module")
def workbook(frontline, res):
    tables = export.survey_tables(res, survey=frontline.title, grouping="Role × region", region=None)
    data = export.publication_workbook(tables, title="Frontline survey tables", survey=frontline.title,
                                       fieldwork=frontline.fieldwork, source=frontline.source,
                                       contact="Panel secretariat", notes=["A note."])
    return openpyxl.load_workbook(io.BytesIO(data)), tables


def test_cover_contents_notes_first(workbook):
    wb, tables = workbook
    assert wb.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(min_row=2, values_only=True)}
    for key in ("Survey", "Fieldwork", "Source", "Contact"):
        assert cover[key] and cover[key] != "Not given"
    contents = list(wb["Contents"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in contents] == wb.sheetnames[3:]
    assert [r[1] for r in contents] == [t.title for t in tables]  # full names listed
    notes = {r[0]: r[1] for r in wb["Notes"].iter_rows(min_row=3, values_only=True)}
    for code in ("[c]", "[u]", "[x]", "[z]"):
        assert code in notes and len(notes[code]) > 20


def test_one_table_per_sheet_from_a1_no_merges_no_blank_rows(workbook):
    wb, tables = workbook
    assert wb.sheetnames[3:] == [f"Table {i}" for i in range(1, len(tables) + 1)]
    for name, table in zip(wb.sheetnames[3:], tables, strict=True):
        ws = wb[name]
        assert ws["A1"].value == table.title
        assert [c.value for c in ws[2]] == list(export.published_frame(table)[0].columns)
        assert not ws.merged_cells.ranges
        assert ws.max_row == 2 + len(table.frame)
        for row in ws.iter_rows(min_row=2, values_only=True):
            assert any(v not in (None, "") for v in row)
        assert len(name) <= 31


def test_shorthand_in_value_cells_and_numbers_as_numbers(workbook, res):
    wb, tables = workbook
    long = wb[wb.sheetnames[4]]
    header = [c.value for c in long[2]]
    col = header.index("Positive (%)") + 1
    values = [long.cell(r, col) for r in range(3, long.max_row + 1)]
    assert any(c.value == "[c]" for c in values), "role x region has suppressed cells"
    numbers = [c for c in values if not isinstance(c.value, str)]
    assert numbers and all(isinstance(c.value, (int, float)) and 0 <= c.value <= 100
                           and c.number_format in ("0.0", '0.0" [u]"') for c in numbers)
    assert max(c.value for c in numbers) > 1  # percentages 0-100 under the "(%)" header, not proportions
    assert sum(c.value == "[c]" for c in values) == int((res["flag"] == "[c]").sum())
    wide = wb[wb.sheetnames[3]]
    wide_header = [c.value for c in wide[2]]
    assert wide_header[:4] == ["Question", "Base", "Total (%)", "Total base"]
    assert any(v == "[c]" for row in wide.iter_rows(min_row=3, values_only=True) for v in row)


def test_low_reliability_is_a_number_whose_format_shows_u(workbook, res):
    """[u] figures stay numbers: the value cell holds the proportion and its number format shows
    '52.0% [u]'; no separate shorthand column; the notes sheet says so."""
    wb, _ = workbook
    long = wb[wb.sheetnames[4]]
    header = [c.value for c in long[2]]
    assert "Low reliability" not in header
    col = header.index("Positive (%)") + 1
    cells = [long.cell(r, col) for r in range(3, long.max_row + 1)]
    flags = res["flag"].fillna("").tolist()
    assert "[u]" in flags
    for cell, flag in zip(cells, flags, strict=True):
        if flag == "[u]":
            assert isinstance(cell.value, (int, float)) and cell.number_format == '0.0" [u]"'
        else:
            assert "[u]" not in cell.number_format
    wide = wb[wb.sheetnames[3]]
    wide_header = [c.value for c in wide[2]]
    texts = list(dict.fromkeys(res["question_text"]))
    marked = {(row[0].value, wide_header[c.column - 1][: -len(" (%)")]) for row in wide.iter_rows(min_row=3)
              for c in row if c.number_format == '0.0" [u]"'}
    assert all(isinstance(c.value, (int, float)) for row in wide.iter_rows(min_row=3) for c in row
               if "[u]" in c.number_format)
    expected = set(zip(res.loc[res["flag"] == "[u]", "question_text"], res.loc[res["flag"] == "[u]", "group"]))
    assert marked == expected and all(q in texts for q, _ in marked)
    notes = {r[0]: r[1] for r in wb["Notes"].iter_rows(min_row=3, values_only=True)}
    assert "number format" in notes["[u]"] and "52.0 [u]" in notes["[u]"]


def test_csv_has_no_number_formats_so_u_goes_beside_the_value(frontline, res):
    tables = export.survey_tables(res, survey=frontline.title, grouping="Role × region", region=None)
    tidy = pd.read_csv(io.BytesIO(export.publication_csv(tables[1])), keep_default_na=False)
    assert (tidy["Positive (%) shorthand"] == "[u]").tolist() == (res["flag"] == "[u]").tolist()


def test_p_values_three_decimals_or_less_than(workbook):
    wb, _ = workbook
    long = wb[wb.sheetnames[4]]
    header = [c.value for c in long[2]]
    col = header.index("Adjusted p value") + 1
    cells = [long.cell(r, col) for r in range(3, long.max_row + 1)]
    assert all(c.value is not None for c in cells)  # an untested total is [z] or [x], never empty
    numbers = [c for c in cells if c.value not in ("[x]", "[z]")]
    assert numbers and all(isinstance(c.value, (int, float)) for c in numbers)  # p-values are numbers, not text
    assert any(c.value < 0.001 for c in numbers)  # shown "<0.001" by the cell's format
    for c in numbers:
        assert c.number_format == export.P_VALUE_FORMAT and '[<0.001]"<0.001"' in c.number_format
        if c.value >= 0.001:
            assert round(c.value, 3) == c.value


def test_small_decimals_keep_their_digits():
    data = export.to_xlsx_bytes({"T": pd.DataFrame({"se": [0.0072, 0.5]})}, percent_columns=())
    ws = openpyxl.load_workbook(io.BytesIO(data))["T"]
    assert ws["A2"].value == 0.0072 and ws["A2"].number_format == export.DECIMAL_FORMAT
    assert "0.0###" in export.DECIMAL_FORMAT  # 0.0072 shows as 0.0072, not 0.01


def test_sheet_and_file_names_carry_survey_grouping_region():
    parts = ("Tidy", "Frontline professionals survey 2021", "Role × region", "Yorkshire and the Humber")
    name = export.short_sheet_name(parts)
    assert len(name) <= 31 and name.startswith("Tidy Frontline") and "RolexReg" in name and name.endswith("Yorks")
    assert export.short_sheet_name(parts, [name]) != name
    a = export.file_stem("results", "Frontline 2021", "Role", "London")
    b = export.file_stem("results", "Frontline 2021", "Region", "London")
    assert a == "results_frontline-2021_role_london" and a != b


def test_group_order_is_fixed_total_regions_roles(res_both):
    res = res_both
    order = charts.group_order(res)
    assert order[0] == "Total"
    roles = list(pd.unique(res.loc[res["by"] == "role", "group"]))
    regions = [g for g in order if g in set(res.loc[res["by"] == "region", "group"])]
    from feedback.regions import REGIONS

    assert regions == [r for r in REGIONS if r in regions]
    assert order[1:1 + len(roles)] == roles
    shuffled = res.sample(frac=1, random_state=1)
    assert [g for g in charts.group_order(shuffled) if g in regions] == regions


def test_hidden_suppressed_rows_are_counted_in_the_notes(res):
    one = res[res["question"] == res["question"].iloc[0]]
    n_c = int((one["flag"] == "[c]").sum())
    assert n_c
    chart = survey_figures.survey_chart(one, hide_c=True)
    spec = str(chart.to_dict(validate=False))
    assert f"{n_c} group{'s' if n_c > 1 else ''} with fewer than 10 responses [c] not shown." in spec


def test_combined_chart_keeps_full_question_titles_and_legend_on_top(res_both):
    res = res_both
    two = res[res["question"].isin(list(pd.unique(res["question"]))[:2])]
    chart = survey_figures.survey_questions_chart(two, title="Two questions")
    spec = chart.to_dict(validate=False)
    titles = [" ".join(p["title"]["text"]) for p in spec["vconcat"] if isinstance(p.get("title"), dict)]
    for text in pd.unique(two["question_text"]):
        assert any(text in t for t in titles)
    assert all(p["title"].get("limit") == 0 for p in spec["vconcat"] if isinstance(p.get("title"), dict))
    legends = [layer["encoding"]["color"].get("legend") for p in spec["vconcat"] for layer in p.get("layer", [])
               if isinstance(layer.get("encoding", {}).get("color"), dict) and "legend" in layer["encoding"]["color"]]
    assert any(lg and lg["orient"] == "top" for lg in legends)


def test_alt_text_names_the_chart_drawn(res):
    one = res[res["question"] == res["question"].iloc[0]]
    assert survey_figures.survey_alt_text(one, mark="dot").startswith("Dot chart:")
    assert survey_figures.survey_alt_text(one).startswith("Bar chart:")
