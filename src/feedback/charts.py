"""Chart primitives for the app and its annex exports, in the Government Analysis
Function colours, rendered to PNG/SVG with vl-convert: the palette, bars with
intervals, heat tables, titles, footers, alt text and rendering. Each area draws
its own charts with these in ``<area>/figures.py`` (the survey's in
``feedback.survey.figures``).

Every chart this module builds carries a title, a subtitle (what was asked,
the base, the region), a source line and notes (e.g. what ``[u]``, ``[c]``
and the significance symbol mean) inside the chart itself, so an exported
PNG/SVG stands on its own in a report annex. Values are always written on
the chart and intervals drawn as error bars: colour never carries meaning
alone.

No Streamlit here: pages call these functions and hand the chart to
``st.altair_chart``.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # Altair is imported in the functions that build charts: a page that only
    import altair as alt  # formats figures (the Overview's cards) skips its 0.3 s import


def altair():
    """Altair, with its checks of every part of a chart against the Vega-Lite schema as the part is
    built turned off: they took about half a second of each Yearly-report audits run. The app's
    charts are fixed code; ``tests/test_chart_schema.py`` checks every page's charts against the schema."""
    import altair as alt

    alt.utils.schemapi.disable_debug_mode()
    return alt


# Government Analysis Function colour guidance.
DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
PALETTE: tuple[str, ...] = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE)
TWO_SERIES: tuple[str, str] = (DARK_BLUE, ORANGE)
SEQUENTIAL: tuple[str, str, str] = (DARK_BLUE, "#2073BC", "#6BACE6")
FOCUS: tuple[str, str] = (DARK_BLUE, "#BFBFBF")
GREY = "#BFBFBF"
TEXT = "#0B0C0C"  # GOV.UK text colour
ERROR_BAR = TEXT          # the interval line
ERROR_BAR_HALO = "#FFFFFF"  # drawn under the line, wider: the interval shows on a dark bar


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a "#RRGGBB" colour."""
    rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21 ("#0B0C0C" on "#12436D": about 2.05)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
FONT = "Arial, Liberation Sans, Helvetica, sans-serif"

WIDTH = 560  # plot width in px; with labels the whole chart stays under ~900 px
ROW_HEIGHT = 26

# Significance symbols (not colour, not asterisks: GSS guidance keeps `*` for other uses).
SIG_SYMBOLS = {"higher": "▲", "lower": "▼"}


CONFIG = {
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12, "titleFontSize": 12,
             "gridColor": "#E5E5E5", "domainColor": "#8A8A8A", "tickColor": "#8A8A8A", "labelLimit": 260},
    "title": {"anchor": "start", "color": TEXT, "fontSize": 16, "subtitleFontSize": 12,
              "subtitleColor": DARK_GREY, "offset": 12},
    "legend": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12, "titleFontSize": 12,
               "orient": "top", "direction": "horizontal", "labelLimit": 300},
    "header": {"labelColor": TEXT, "titleColor": TEXT},
}

# Charts are assembled from plain Vega-Lite dicts wrapped in Altair objects (no
# pandas data, no chained copies): ~10x faster to build and serialise than the
# fluent API, which matters because pages redraw them on every rerun.


def records(df: pd.DataFrame) -> list[dict]:
    """JSON-safe rows (NaN -> null, numpy -> Python) for inline chart data."""
    return json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))


def _f(name: str) -> str:
    """A column name as a Vega-Lite field (dots and brackets escaped)."""
    return str(name).replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def mark_chart(data: list[dict] | None, mark: dict, encoding: dict, **props) -> alt.Chart:
    alt = altair()
    kwargs = {"mark": mark, "encoding": alt.FacetedEncoding(**encoding), **props}
    if data is not None:
        kwargs["data"] = alt.InlineData(values=data)
    return alt.Chart(**kwargs)


def _wrap(text: str, width: int = 95) -> list[str]:
    """Split text into lines of at most ``width`` characters at spaces."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines or [""]


def _lines(items: str | Iterable[str] | None, width: int = 95) -> list[str]:
    if items is None:
        return []
    if isinstance(items, str):
        items = [items]
    out: list[str] = []
    for item in items:
        if item:
            out.extend(_wrap(item, width))
    return out


def _footer(source: str | None, notes: Sequence[str], width: int, chars: int = 100):
    """Source line and notes as a text block under the plot (part of the exported image)."""
    lines = _lines(list(notes), chars) + _lines(source, chars)
    if not lines:
        return None
    return mark_chart([{"line": line, "i": i} for i, line in enumerate(lines)],
                  {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "color": DARK_GREY,
                   "font": FONT},
                  {"x": {"value": 0}, "y": {"field": "i", "type": "ordinal", "axis": None},
                   "text": {"field": "line", "type": "nominal"}},
                  width=width, height=16 * len(lines))


def titled(bodies, *, title: str, subtitle, source, notes, width: int, text_width: int | None = None):
    """One top-level chart: the body (or bodies, stacked), then the notes and source, with the title.

    ``text_width``: the pixels the title, subtitle and notes may take (wrapped to fit), so a narrow
    chart stays narrow; default about 600."""
    alt = altair()
    bodies = list(bodies) if isinstance(bodies, (list, tuple)) else [bodies]
    small = int(text_width / 6.5) if text_width else 100  # 11-12 px text: about 6.5 px a character
    footer = _footer(source, list(notes or ()), width, chars=small)
    params = {"text": _lines(title, int(text_width / 9.5) if text_width else 70) or [""],
              "subtitle": _lines(subtitle, small if text_width else 95)}
    if not params["subtitle"]:
        params.pop("subtitle")
    parts = bodies + ([footer] if footer is not None else [])
    padding = {"left": 8, "top": 8, "right": 48, "bottom": 8}  # room for a label such as "88% [u] ▲"
    if len(parts) == 1:
        chart = parts[0]
        chart.title = params
        chart.config = copy.deepcopy(CONFIG)
        chart.padding = padding
        return chart
    return alt.VConcatChart(vconcat=parts, spacing=14, title=params, config=copy.deepcopy(CONFIG),
                            padding=padding)


def round_half_up(x: float, digits: int = 0) -> float:
    """``x`` rounded half away from zero, as Excel and readers do (62.5 -> 63, not Python's 62).

    The number is first taken to 12 significant digits, so 28.499999999999996 (0.285 * 100)
    counts as 28.5 and gives 29, the figure Excel shows for 0.285 in a "0%" format."""
    from decimal import ROUND_HALF_UP, Decimal

    d = Decimal(f"{float(x):.12g}")
    return float(d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def percent_text(p: float, digits: int = 0) -> str:
    """0.625 -> '63%': a proportion as a percentage, rounded half up."""
    return f"{round_half_up(100 * float(p), digits):.{digits}f}%"


def percent_label(p: float | None, flag: str = "", digits: int = 0) -> str:
    """``0.873, "[u]"`` -> ``"87% [u]"``; suppressed or missing -> the flag or ``"[x]"``. Rounded half up."""
    if flag == "[c]":
        return "[c]"
    if p is None or (isinstance(p, float) and math.isnan(p)) or pd.isna(p):
        return flag or "[x]"
    text = percent_text(p, digits)
    return f"{text} {flag}".strip()


def bar_with_intervals(
    df: pd.DataFrame,
    *,
    category: str,
    value: str,
    low: str | None = None,
    high: str | None = None,
    label: str | None = None,
    color: str | None = None,
    color_domain: Sequence[str] | None = None,
    palette: Sequence[str] | None = None,
    offset: str | None = None,
    row: str | None = None,
    legend: bool = True,
    title: str,
    subtitle: str | Sequence[str] = (),
    source: str | None = None,
    notes: Sequence[str] = (),
    mark: str = "bar",
    percent: bool = True,
    sort: Sequence[str] | str | None = None,
    value_title: str | None = None,
    category_title: str | None = None,
    domain: tuple[float, float] | None = None,
    width: int = WIDTH,
    wrap: int | None = None,
    text_width: int | None = None,
    bases: str | None = None,
):
    """A horizontal bar (or dot) chart with interval error bars and value labels.

    - ``category`` (y axis) and ``value`` (x axis) are column names of ``df``;
      ``low``/``high`` the interval's columns (drawn as error bars);
      ``label`` a text column written at the end of each bar/interval (default:
      the value, as a percentage when ``percent``).
    - ``color``: column for colour (Analysis Function palette in order, or
      ``color_domain`` to fix the order; ``palette`` another Analysis Function set, such as
      ``TWO_SERIES`` for a region beside England); with ``offset`` (usually the same
      column) bars of the same category sit side by side.
    - ``row``: one panel per value of this column (e.g. a question), each with
      its own categories, headed by the value.
    - Rows whose value is missing (e.g. suppressed ``[c]``) keep their place
      and show only their label.
    - ``sort``: the category order (list), ``"value"`` (largest first), or None
      to keep the frame's order.
    - ``mark``: ``"bar"`` or ``"dot"``.
    - ``wrap``: category labels longer than this many characters go on several
      lines (never cut), and rows grow to fit them.
    - ``text_width``: pixels the title and notes are wrapped to (a narrow chart for a page).
    - ``bases``: a column of bases; each label then ends with its base ("87% (n=139)"), so
      the base is read on the bar, not only in the table.
    - Error bars are black lines on a white halo: the halo stands out from the dark bar fill
      (``ERROR_BAR_HALO`` against ``DARK_BLUE``: over 10:1) and the line from the white
      background (over 19:1), so every part of an interval is visible (3:1 at least).
    Returns an Altair chart (a vconcat of the plot and its footer) with the
    title, subtitle, source and notes built in.
    """
    data = df.copy()
    line_count = 1
    if wrap:
        wrapped = {c: "|".join(_wrap(str(c), wrap)) for c in pd.unique(data[category])}
        data[category] = data[category].map(wrapped)
        if isinstance(sort, (list, tuple)):
            sort = [wrapped.get(c, c) for c in sort]
        line_count = max((v.count("|") + 1 for v in wrapped.values()), default=1)
    if label is None:
        label = "__label"
        data[label] = [percent_label(v) if percent else ("" if pd.isna(v) else f"{v:,.1f}")
                       for v in data[value]]
    if bases:
        data["__based"] = [f"{text} (n={int(b):,})" if pd.notna(b) and str(text) != "[c]" else str(text)
                           for text, b in zip(data[label], pd.to_numeric(data[bases], errors="coerce"),
                                              strict=True)]
        label = "__based"
    if sort == "value":
        order = list(data.sort_values(value, ascending=False, na_position="last")[category].drop_duplicates())
    elif sort is None:
        order = list(pd.unique(data[category]))
    else:
        order = list(sort)
    values_num = pd.to_numeric(data[value], errors="coerce")
    # Where the label sits: right of the interval (or of the value), or at 0 when missing.
    end = pd.to_numeric(data[high], errors="coerce") if high else values_num
    data["__label_at"] = end.fillna(values_num).fillna(0)
    if domain is None:
        domain = (0, 1) if percent else (0, float(end.max() if end.notna().any() else 1) * 1.15 or 1)
    fmt = ".0%" if percent else ",~f"  # ",~f": 10, 20, 30 (plain "," shows 1e+1 on steps of ten)

    def encodings(last: bool, categories: list, first: bool = True) -> dict:
        y = {"field": _f(category), "type": "nominal", "sort": categories,
             "title": category_title if category_title is not None else "",
             "axis": {"labelLimit": 260, "ticks": False, "domain": False,
                      **({"labelExpr": "split(datum.label, '|')", "labelLimit": 0} if wrap else {})}}
        x = {"field": _f(value), "type": "quantitative",
             "title": (value_title if value_title is not None else "") if last else "",
             "axis": {"format": fmt, "tickCount": 5, "grid": True, "labels": last},
             "scale": {"domain": list(domain), "nice": False, "clamp": True}}
        enc = {"y": y, "x": x}
        if color:
            dom = list(color_domain) if color_domain is not None else list(pd.unique(data[color].dropna()))
            enc["color"] = {"field": _f(color), "type": "nominal", "title": None, "sort": dom,
                            "scale": {"domain": dom, "range": list((palette or PALETTE)[: max(1, len(dom))])},
                            "legend": {"orient": "top", "title": None, "direction": "vertical", "labelLimit": 560}
                            if (legend and first) else None}
        else:
            enc["color"] = {"value": DARK_BLUE}
        if offset:
            # The domain is given: a layer that leaves out rows without a value (the bars, the error
            # bars) would otherwise place the others at other offsets than the labels.
            offsets = list(pd.unique(data[offset].dropna()))
            enc["yOffset"] = {"field": _f(offset), "type": "nominal", "sort": offsets,
                              "scale": {"domain": offsets, "paddingInner": 0.15, "paddingOuter": 0.3}}
        tooltip = [{"field": _f(category), "type": "nominal", "title": "Group"},
                   {"field": _f(label), "type": "nominal", "title": "Value"}]
        if low and high:
            tf = ".1%" if percent else ",.2f"
            tooltip += [{"field": _f(low), "type": "quantitative", "title": "Interval from", "format": tf},
                        {"field": _f(high), "type": "quantitative", "title": "Interval to", "format": tf}]
        if color and color != category:
            tooltip.insert(1, {"field": _f(color), "type": "nominal", "title": "Series"})
        enc["tooltip"] = tooltip
        return enc

    def layer(rows: pd.DataFrame, last: bool, panel_title=None, first: bool = True):
        alt = altair()
        categories = [c for c in order if c in set(rows[category])]
        enc = encodings(last, categories, first)
        shared = {"y": enc["y"], **({"yOffset": enc["yOffset"]} if offset else {})}
        if mark == "dot":
            main_mark = {"type": "point", "filled": True, "size": 90, "opacity": 1}
        else:
            # Side by side (``offset``): the offset scale's padding parts the bars (a band height would
            # be taken of the category's band and push each bar below its interval and label).
            main_mark = {"type": "bar"} if offset else {"type": "bar", "height": {"band": 0.7}}
        # Nothing to draw (every value suppressed [c]): the empty marks are hidden from screen readers
        # (an SVG group with no name fails axe's svg-img-alt); the labels and the alt text say [c].
        empty = bool(pd.to_numeric(rows[value], errors="coerce").isna().all())
        if empty:
            main_mark = {**main_mark, "aria": False}
        layers = [mark_chart(None, main_mark, {k: v for k, v in enc.items() if k != "yOffset"} | shared)]
        if low and high and not empty:
            for colour, thickness, tick in ((ERROR_BAR_HALO, 3.6, 9), (ERROR_BAR, 1.2, 6)):
                layers.append(mark_chart(None, {"type": "errorbar", "ticks": {"size": tick}, "color": colour,
                                            "thickness": thickness},
                                     {**shared, "x": {"field": _f(low), "type": "quantitative", "title": ""},
                                      "x2": {"field": _f(high)}}))
        layers.append(mark_chart(None, {"type": "text", "align": "left", "dx": 5, "fontSize": 12, "color": TEXT},
                             {**shared, "x": {"field": "__label_at", "type": "quantitative"},
                              "text": {"field": _f(label), "type": "nominal"}}))
        n_rows = len(categories) * (len(pd.unique(rows[offset].dropna())) if offset else 1)
        row_height = max(ROW_HEIGHT, 15 * line_count + 10)
        props = {"width": width, "height": max(40 if row else 60, row_height * n_rows)}
        if panel_title:
            # Wrapped, never cut: a combined chart must show each question and its base in full.
            props["title"] = {"text": _lines(panel_title, 80), "anchor": "start", "fontSize": 13,
                              "fontWeight": "bold", "color": TEXT, "limit": 0}
        return alt.LayerChart(layer=layers, data=alt.InlineData(values=records(rows)), **props)

    if row:
        panels = list(pd.unique(data[row]))
        bodies = [layer(data[data[row] == panel], i == len(panels) - 1, str(panel), first=(i == 0))
                  for i, panel in enumerate(panels)]
    else:
        bodies = [layer(data, True)]
    return titled(bodies, title=title, subtitle=subtitle, source=source, notes=notes, width=width,
                   text_width=text_width)


def heat_table(
    df: pd.DataFrame,
    *,
    row: str,
    column: str,
    value: str,
    label: str | None = None,
    title: str,
    subtitle: str | Sequence[str] = (),
    source: str | None = None,
    notes: Sequence[str] = (),
    row_sort: Sequence[str] | None = None,
    column_sort: Sequence[str] | None = None,
    value_title: str = "",
    percent: bool = False,
    cell_width: int = 62,
    label_angle: int = -40,
):
    """A table of coloured cells (e.g. themes x regions) with the value written in each.

    Colour runs from white to the Analysis Function dark blue; the number is
    always written in the cell (dark or white text by the cell's darkness), so
    there is no colour legend. Every column label is shown in full (Vega would
    otherwise drop alternate angled labels that overlap); ``label_angle=-90``
    stands long labels upright.
    """
    alt = altair()
    data = df.copy()
    if label is None:
        label = "__label"
        data[label] = [("" if pd.isna(v) else (f"{percent_text(v)}" if percent else f"{v:,.0f}")) for v in data[value]]
    numbers = pd.to_numeric(data[value], errors="coerce")
    vmax = float(numbers.max() if numbers.notna().any() else 0) or 1.0
    data["__dark"] = numbers.fillna(0) > 0.5 * vmax
    # A cell without a value (a suppressed [c] share) is drawn light grey with its label: Vega would
    # otherwise drop it, and a table of only such cells would draw no cell (and no text alternative).
    data["__missing"] = numbers.isna()
    data["__shade"] = numbers.fillna(0)
    rows = list(row_sort) if row_sort is not None else list(pd.unique(data[row]))
    cols = list(column_sort) if column_sort is not None else list(pd.unique(data[column]))
    x = {"field": _f(column), "type": "nominal", "sort": cols, "title": None,
         "axis": {"orient": "top", "labelAngle": label_angle, "labelLimit": 320, "labelOverlap": False}}
    y = {"field": _f(row), "type": "nominal", "sort": rows, "title": None, "axis": {"labelLimit": 280}}
    cells = mark_chart(None, {"type": "rect", "stroke": "white", "strokeWidth": 1}, {
        "x": x, "y": y,
        "color": {"condition": {"test": "datum['__missing']", "value": "#F3F2F1"},
                  "field": "__shade", "type": "quantitative", "title": value_title or None,
                  "scale": {"range": ["#FFFFFF", SEQUENTIAL[2], SEQUENTIAL[1], DARK_BLUE],
                            "domain": [0, vmax / 3, 2 * vmax / 3, vmax], "interpolate": "rgb"},
                  "legend": None},
        "tooltip": [{"field": _f(row), "type": "nominal"}, {"field": _f(column), "type": "nominal"},
                    {"field": _f(label), "type": "nominal", "title": "Value"}],
    })
    text = mark_chart(None, {"type": "text", "fontSize": 12}, {
        "x": x, "y": y, "text": {"field": _f(label), "type": "nominal"},
        "color": {"condition": {"test": "datum['__dark']", "value": "white"}, "value": TEXT},
    })
    width = cell_width * len(cols)
    body = alt.LayerChart(layer=[cells, text], data=alt.InlineData(values=records(data)), width=width,
                          height=ROW_HEIGHT * len(rows))
    return titled(body, title=title, subtitle=subtitle, source=source, notes=notes, width=max(width, 420))


# ---------------------------------------------------------------- groups in order

def group_order(results: pd.DataFrame, roles: Sequence[str] | None = None) -> list[str]:
    """The fixed order of groups across charts and tables: "Total" first, then each grouping in
    turn; regions in the Panel's order; roles (and other groupings) in codebook order, i.e. the
    order the engine gives them (the data's answer-code order), unless ``roles`` is given."""
    from feedback.regions import REGIONS

    order: list[str] = []
    by = results["by"].astype(str)
    groups = results["group"].astype(str)
    for grouping in ["total", *[b for b in pd.unique(by) if b != "total"]]:
        seen = list(pd.unique(groups[by == grouping]))
        if grouping == "region":
            seen = [r for r in REGIONS if r in seen] + [g for g in seen if g not in REGIONS]
        elif grouping == "role" and roles:
            seen = [r for r in roles if r in seen] + [g for g in seen if g not in roles]
        order += [g for g in seen if g not in order]
    return order


def alt_text(
    df: pd.DataFrame,
    *,
    category: str,
    value: str,
    title: str,
    low: str | None = None,
    high: str | None = None,
    subtitle: str = "",
    kind: str = "Bar chart",
    percent: bool = True,
) -> str:
    """Generic alt text: '<kind>: <title>. <subtitle>. A: 87% (80% to 92%); B: ...'."""
    def fmt(v):
        if pd.isna(v):
            return "not available"
        return f"{percent_text(v)}" if percent else f"{v:,.4g}"

    parts = []
    for _, r in df.iterrows():
        item = f"{r[category]}: {fmt(r[value])}"
        if low and high and not pd.isna(r[value]):
            item += f" (interval {fmt(r[low])} to {fmt(r[high])})"
        parts.append(item)
    head = f"{kind}: {title}." + (f" {subtitle.rstrip('.')}." if subtitle else "")
    return f"{head} " + "; ".join(parts) + "."


# ---------------------------------------------------------------- rendering

def vega_spec(chart) -> dict:
    """The chart as a Vega-Lite dict with its data inline (no top-level datasets) and
    without Altair's schema validation: what pages pass to ``st.vega_lite_chart``
    (validation and dataset conversion cost ~0.1 s per chart on every rerun)."""
    spec = chart.to_dict(validate=False)
    datasets = spec.pop("datasets", {}) or {}
    if datasets:
        def inline(node):
            if isinstance(node, dict):
                data = node.get("data")
                if isinstance(data, dict) and set(data) == {"name"} and data["name"] in datasets:
                    node["data"] = {"values": datasets[data["name"]]}
                for v in node.values():
                    inline(v)
            elif isinstance(node, list):
                for v in node:
                    inline(v)
        inline(spec)
    return spec


_FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize")


def smallest_font(chart) -> float:
    """The smallest text size in the chart's spec (chart pixels: points when the picture is placed at
    its natural size, 72 pixels to the inch), e.g. 11 for the footer notes."""
    sizes: list[float] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _FONT_KEYS and isinstance(value, (int, float)):
                    sizes.append(float(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(vega_spec(chart))
    return min(sizes) if sizes else 11.0


@functools.lru_cache(maxsize=128)
def _render_png(spec: str, ppi: int) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(spec, ppi=ppi)


@functools.lru_cache(maxsize=128)
def _render_svg(spec: str) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec)


def chart_png(chart, ppi: int = 200) -> bytes:
    """The chart as a PNG at ``ppi`` pixels per inch (the PNG records that density).

    Rendered by vl-convert, no browser needed. Cached on the chart's spec.
    """
    return _render_png(chart.to_json(indent=None), int(ppi))


def _chart_title(chart) -> str:
    title = vega_spec(chart).get("title") or ""
    if isinstance(title, dict):
        title = title.get("text", "")
    return " ".join(title) if isinstance(title, list) else str(title)


def chart_svg(chart, desc: str | None = None, title: str | None = None) -> str:
    """The chart as SVG text (vl-convert), one accessible image: ``<title>`` (the chart's title) and
    ``<desc>`` (``desc``, e.g. its alt text) inside the root element, which is ``role="img"`` and
    labelled by them; the renderer's own aria labels on every mark ("lower_lo: 0.4; g: a…", on the
    footer text too) are removed, so a screen reader reads the title and description once."""
    import html
    import re

    svg = _render_svg(chart.to_json(indent=None))
    svg = re.sub(r'\s(?:aria-label|aria-roledescription|aria-hidden)="[^"]*"', "", svg)
    svg = re.sub(r'\srole="graphics-[a-z-]+"', "", svg)
    title = title or _chart_title(chart) or "Chart"
    head = (f'<title id="chart-title">{html.escape(title)}</title>'
            f'<desc id="chart-desc">{html.escape(desc or title)}</desc>')
    return re.sub(r"<svg\b([^>]*)>", lambda m: f'<svg{m.group(1)} role="img" '
                  f'aria-labelledby="chart-title chart-desc">{head}', svg, count=1)
