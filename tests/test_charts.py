"""The shared presentation layer: charts (Altair + vl-convert) and safe exports."""

from __future__ import annotations

import io
import json
import struct
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from feedback import charts, export
from feedback.survey import figures as survey_figures

RESULT_COLUMNS = ["question", "question_text", "base_label", "by", "group", "n", "base_weighted", "p", "ci_low",
                  "ci_high", "n_eff", "deff", "se", "flag", "sig_vs_rest", "p_value_vs_rest", "p_adj_vs_rest",
                  "method", "level", "source"]


def results_frame() -> pd.DataFrame:
    """A small frame in the results model's shape (hand-made; the engine is tested elsewhere)."""
    rows = []
    groups = [("total", "Total", 139, 0.87, ""), ("role", "Director", 40, 0.95, "higher"),
              ("role", "Business manager", 60, 0.80, ""), ("role", "Police", 25, 0.76, ""),
              ("role", "Health", 8, 0.5, "")]
    for q, text in [("understand_remit", "I have a good understanding of the Panel's remit"),
                    ("trusted_source", "The Panel is a trusted source of information")]:
        for by, g, n, p, sig in groups:
            flag = "[c]" if n < 10 else "[u]" if n < 30 else ""
            nan = flag == "[c]"
            rows.append(dict(question=q, question_text=text, base_label="All safeguarding partners", by=by, group=g,
                             n=n, base_weighted=float(n), p=np.nan if nan else p,
                             ci_low=np.nan if nan else p - 0.06, ci_high=np.nan if nan else min(1, p + 0.05),
                             n_eff=float(n), deff=1.0, se=0.03, flag=flag, sig_vs_rest=sig, p_value_vs_rest=0.01,
                             p_adj_vs_rest=0.02, method="wilson", level=0.95, source="respondents"))
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def png_info(png: bytes) -> tuple[int, int, float | None]:
    """Width, height and pixels per inch (from the pHYs chunk) of a PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    ppi, pos = None, 8
    while pos < len(png):
        length = struct.unpack(">I", png[pos:pos + 4])[0]
        kind = png[pos + 4:pos + 8]
        if kind == b"pHYs":
            ppm_x, _, unit = struct.unpack(">IIB", png[pos + 8:pos + 17])
            ppi = ppm_x * 0.0254 if unit == 1 else None
        pos += 12 + length
    return width, height, ppi


def spec_texts(chart) -> str:
    return json.dumps(chart.to_dict(), ensure_ascii=False)


def test_palette_is_the_analysis_function_one():
    assert charts.PALETTE[:6] == ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
    assert charts.TWO_SERIES == ("#12436D", "#F46A25")
    assert charts.SEQUENTIAL == ("#12436D", "#2073BC", "#6BACE6")


def test_survey_chart_carries_title_base_region_flags_and_notes():
    res = results_frame().query("question == 'understand_remit'")
    chart = survey_figures.survey_chart(res, region="London", source="Source: test survey")
    spec = spec_texts(chart)
    for expected in ["I have a good understanding of the Panel's remit", "Base: all safeguarding partners (139)",
                     "Region: London", "Source: test survey", "[c] fewer than 10", "[u] fewer than 30",
                     "95% confidence intervals", "▲ / ▼ significantly higher"]:
        assert expected in spec, expected
    values = [v for ds in chart.to_dict()["datasets"].values() for v in ds if "__label" in v]
    labels = {v["group"]: v["__label"] for v in values}
    # each label ends with its unweighted base, a suppressed [c] row's too
    assert labels == {"Total": "87% (n=139)", "Director": "95% ▲ (n=40)", "Business manager": "80% (n=60)",
                      "Police": "76% [u] (n=25)", "Health": "[c] (n=8)"}


def test_survey_chart_keeps_codebook_order_and_sorts_by_value_only_when_asked():
    res = results_frame().query("question == 'understand_remit'")
    res = pd.concat([res[res["by"] == "role"].iloc[::-1], res[res["by"] == "total"]])  # engine order: Health first
    fixed = survey_figures.survey_chart(res).to_dict()["vconcat"][0]["layer"][0]
    assert fixed["encoding"]["y"]["sort"] == ["Total", "Health", "Police", "Business manager", "Director"]
    by_value = survey_figures.survey_chart(res, sort="value").to_dict()["vconcat"][0]["layer"][0]
    assert by_value["encoding"]["y"]["sort"] == ["Total", "Director", "Business manager", "Police", "Health"]


def test_survey_chart_refuses_several_questions():
    with pytest.raises(ValueError):
        survey_figures.survey_chart(results_frame())


def test_chart_png_is_a_png_at_200_ppi_and_svg_is_svg():
    chart = survey_figures.survey_questions_chart(results_frame(), title="Perceptions of the Panel",
                                                  source="Source: test")
    png = charts.chart_png(chart)
    width, height, ppi = png_info(png)
    assert ppi == pytest.approx(200, abs=1)
    assert width > 1200 and height > 800  # 200 ppi: about twice the 96-dpi screen size
    svg = charts.chart_svg(chart)
    assert svg.lstrip().startswith("<svg") and "Perceptions of the Panel" in svg
    assert "I have a good understanding" in svg  # panel heading rendered


def test_bar_with_intervals_generic_and_heat_table_render():
    df = pd.DataFrame({"theme": ["Workforce", "Data sharing"], "share": [0.4, 0.25], "lo": [0.3, 0.15],
                       "hi": [0.5, 0.35]})
    chart = charts.bar_with_intervals(df, category="theme", value="share", low="lo", high="hi",
                                      title="Themes raised", subtitle="Base: 10 roundtables", source="Source: notes",
                                      sort="value", mark="dot")
    assert png_info(charts.chart_png(chart, ppi=100))[2] == pytest.approx(100, abs=1)
    grid = pd.DataFrame({"theme": ["A", "A", "B", "B"], "region": ["London", "North East"] * 2, "count": [3, 0, 1, 7]})
    heat = charts.heat_table(grid, row="theme", column="region", value="count", title="Themes by region",
                             source="Source: notes")
    assert "Themes by region" in charts.chart_svg(heat)


def test_alt_text_lists_every_value():
    res = results_frame().query("question == 'understand_remit'")
    text = survey_figures.survey_alt_text(res, region="London")
    assert "Region: London" in text and "Director: 95% (interval 89% to 100%, base 40)" in text
    assert "Health: not shown" in text and "low reliability" in text
    generic = charts.alt_text(pd.DataFrame({"k": ["A"], "v": [0.5], "l": [0.4], "h": [0.6]}), category="k", value="v",
                              low="l", high="h", title="T")
    assert generic == "Bar chart: T. A: 50% (interval 40% to 60%)."


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("", ""), (-1, -1), (0.5, 0.5), (None, None),
])
def test_safe_cell(value, expected):
    assert export.safe_cell(value) == expected


def test_csv_neutralises_text_but_not_numbers():
    df = pd.DataFrame({"group": ["=cmd|' /C calc'!A0", "London"], "p": [-0.5, 0.25], "=col": ["a", "b"]})
    text = export.to_csv_bytes(df).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "group,p,'=col"
    assert lines[1] == "'=cmd|' /C calc'!A0,-0.5,a"
    assert pd.read_csv(io.BytesIO(export.to_csv_bytes(df)), encoding="utf-8-sig")["p"].tolist() == [-0.5, 0.25]


def test_xlsx_formats_percentages_headers_notes_and_neutralises():
    res = results_frame()
    res.loc[1, "group"] = "=1+1"
    data = export.to_xlsx_bytes({"Results: by role?": res}, notes=["Method: Wilson", "-starts with minus"])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Results  by role", "Notes"]
    ws = wb["Results  by role"]
    header = [c.value for c in ws[1]]
    assert header == RESULT_COLUMNS
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    p_col = header.index("p") + 1
    cell = ws.cell(2, p_col)
    assert isinstance(cell.value, float) and cell.value == pytest.approx(0.87) and cell.number_format == "0%"
    assert ws.cell(2, header.index("n") + 1).number_format == "#,##0"
    formula_like = ws.cell(3, header.index("group") + 1)  # kept as text by the quote-prefix attribute,
    assert formula_like.value == "=1+1" and formula_like.data_type == "s" and formula_like.quotePrefix
    assert not ws.cell(2, header.index("group") + 1).quotePrefix  # ... which only such cells get
    assert ws.cell(6, p_col).value is None  # suppressed [c] row: empty, not 'nan'
    notes = [r[0] for r in wb["Notes"].iter_rows()]
    assert [c.value for c in notes] == ["Notes", "Method: Wilson", "-starts with minus"]
    assert [c.quotePrefix for c in notes] == [False, False, True]


def test_annex_zip_cleans_names_and_is_deterministic():
    files = {"../../etc/passwd": b"x", "charts/a.png": b"png", "charts/a.png ": b"dup", "methods.txt": "é"}
    from datetime import datetime

    stamp = datetime(2026, 12, 6, 13, 30, 5)
    data = export.annex_zip(files, stamp=stamp)
    assert data == export.annex_zip(files, stamp=stamp)
    with zipfile.ZipFile(io.BytesIO(export.annex_zip(files))) as zf:  # real dates, not a fixed 2021
        assert zf.infolist()[0].date_time[:3] == datetime.now().timetuple()[:3]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.infolist()[0].date_time == (2026, 12, 6, 13, 30, 4)
        names = zf.namelist()
        assert names[0] == "etc/passwd" and "charts/a.png" in names and "charts/a (2).png" in names
        assert zf.read("methods.txt").decode() == "é"
        assert all(not n.startswith("/") and ".." not in n for n in names)


def test_heat_table_draws_cells_without_a_value():
    """A suppressed [c] share has no value: its cell is still drawn (grey, with its label), so a
    table of only such cells is not an empty picture without a text alternative."""
    import vl_convert as vlc

    cells = pd.DataFrame({"row": ["a", "a", "b", "b"], "col": ["x", "y", "x", "y"],
                          "p": [np.nan, 0.5, np.nan, np.nan], "label": ["1/3 [c]", "5/10", "0/2 [c]", "2/4 [c]"]})
    chart = charts.heat_table(cells, row="row", column="col", value="p", label="label", title="t", percent=True)
    svg = vlc.vegalite_to_svg(chart.to_json()).lower()
    assert svg.count('fill="#f3f2f1"') == 3
    assert all(text in svg for text in ("1/3 [c]", "0/2 [c]", "2/4 [c]", "5/10"))


def test_side_by_side_bars_share_offsets_with_their_intervals_and_labels_when_a_value_is_missing():
    """A suppressed share (no value) leaves its bar and interval out; the others must still sit at
    the offsets of their labels: the offset domain is given, and the bars fill their offset band."""
    df = pd.DataFrame({"q": ["A", "A", "B", "B"], "s": ["London", "England"] * 2, "p": [None, 0.7, 0.4, 0.6],
                       "lo": [None, 0.5, 0.2, 0.4], "hi": [None, 0.8, 0.6, 0.7]})
    spec = json.dumps(charts.vega_spec(charts.bar_with_intervals(
        df, category="q", value="p", low="lo", high="hi", color="s", offset="s", palette=charts.TWO_SERIES,
        title="t")))
    assert spec.count('"domain": ["London", "England"]') >= 4  # the bars, both error bars and the labels
    assert '"band": 0.7' not in spec and charts.TWO_SERIES[1] in spec
