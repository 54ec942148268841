"""The survey's charts: one question's results by group (bars or dots with their
intervals), several questions in one chart, their notes and alt text, and a question
over the waves of a survey. Built on the primitives of ``feedback.charts`` (palette,
bars with intervals, titles and footers), as the other areas keep theirs in
``<area>/figures.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from feedback.charts import (
    DARK_BLUE,
    PALETTE,
    SIG_SYMBOLS,
    TEXT,
    WIDTH,
    altair,
    bar_with_intervals,
    group_order,
    mark_chart,
    percent_label,
    percent_text,
    records,
    titled,
)


def _level_text(level: float) -> str:
    return f"{round(100 * float(level))}%"


def survey_notes(results: pd.DataFrame, *, thresholds: tuple[int, int] | None = (10, 30)) -> list[str]:
    """The notes a survey chart or table needs: interval, [u]/[c] and significance symbols used."""
    notes = []
    if len(results):
        method = str(results["method"].iloc[0]) if "method" in results else "wilson"
        level = float(results["level"].iloc[0]) if "level" in results else 0.95
        weighted = "n_eff" in results and "n" in results and bool(
            (pd.to_numeric(results["n_eff"], errors="coerce")
             - pd.to_numeric(results["n"], errors="coerce")).abs().gt(0.5).any())
        notes.append(f"Lines show {_level_text(level)} confidence intervals ({method.replace('-', ' ').title()} method"
                     + (", on the effective base of weighted data" if weighted else "") + ").")
        if "source" in results and (results["source"] == "data tables").any():
            notes.append("Figures read from published data tables: intervals computed from the published bases.")
    flags = set(results.get("flag", pd.Series(dtype=str)).fillna(""))
    # thresholds: (suppress, flag) on unweighted bases, or (suppress, flag, suppress_on, flag_on), each "n" or "n_eff"
    suppress, flag, suppress_on, flag_on = (tuple(thresholds or (10, 30)) + ("n", "n"))[:4]
    below = lambda k, on: f"fewer than {k} responses" if on != "n_eff" else f"effective base below {k}"  # noqa: E731
    if "[c]" in flags:
        notes.append(f"[c] {below(suppress, suppress_on)}: figure not shown.")
    if "[u]" in flags:
        notes.append(f"[u] {below(flag, flag_on)}: low reliability, treat with caution.")
    sig = set(results.get("sig_vs_rest", pd.Series(dtype=str)).fillna(""))
    if sig & {"higher", "lower"}:
        level = float(results["level"].iloc[0]) if "level" in results else 0.95
        test = str(results["test"].iloc[0]) if "test" in results and len(results) else ""
        how = {"design": "design-based t test, Rao-Scott where a side is at 0% or 100%",
               "rao-scott": "Rao-Scott test", "effective-base": "z test on effective bases"}.get(test, "")
        notes.append(f"{SIG_SYMBOLS['higher']} / {SIG_SYMBOLS['lower']} significantly higher / lower than the rest "
                     f"of the sample at the {_level_text(level)} level ({how + ', ' if how else ''}adjusted for "
                     "multiple comparisons).")
    return notes


def _survey_labels(results: pd.DataFrame) -> list[str]:
    labels = []
    for p, flag, sig in zip(results["p"], results.get("flag", [""] * len(results)),
                            results.get("sig_vs_rest", [""] * len(results))):
        text = percent_label(p, flag if isinstance(flag, str) else "")
        symbol = SIG_SYMBOLS.get(sig, "") if isinstance(sig, str) else ""
        labels.append(f"{text} {symbol}".strip() if flag != "[c]" else text)
    return labels


NO_DIFFERENCES = "No significant differences between groups."


def _text_column(results: pd.DataFrame, column: str) -> pd.Series:
    if column not in results:
        return pd.Series("", index=results.index)
    return results[column].fillna("").astype(str)


def letter_list(letters: str) -> list[str]:
    """'BC' -> ['B', 'C']; 'AA AB' -> ['AA', 'AB'] (letters past Z are separated by spaces)."""
    letters = str(letters or "").strip()
    return letters.split() if " " in letters else list(letters)


def higher_text(letters: str) -> str:
    """The ``higher_than`` letters as written beside a value: 'BC' -> '> B, C'; '' -> ''."""
    found = letter_list(letters)
    return f"> {', '.join(found)}" if found else ""


def has_letters(results: pd.DataFrame) -> bool:
    """Whether the groups carry column letters (the pairwise tests were run)."""
    return bool(((_text_column(results, "letter") != "") & (results["by"] != "total")).any())


def no_differences(results: pd.DataFrame) -> bool:
    """True when the groups were compared (they carry column letters) and no group is significantly
    higher than another: no row has ``higher_than``."""
    return has_letters(results) and not (_text_column(results, "higher_than").str.strip() != "").any()


def group_label(group: str, letter: str) -> str:
    """'Police (B)': a group with its column letter (the total, which has none, as it is)."""
    return f"{group} ({letter})" if letter else str(group)


def value_label(label: str, n, higher: str) -> str:
    """'87% ▲ (n=30) > B, C': the value, its base (kept for a suppressed [c] row) and the letters of
    the groups it is significantly higher than."""
    base = f"(n={int(n):,})" if pd.notna(n) else ""
    return " ".join(part for part in (label, base, higher_text(higher)) if part)


def letters_note(results: pd.DataFrame) -> list[str]:
    """The chart's note on column letters: what the letter after a group and '> B, C' after a value
    mean, or that no group differs significantly from another."""
    if not has_letters(results):
        return []
    if no_differences(results):
        sig = set(_text_column(results, "sig_vs_rest"))
        return [NO_DIFFERENCES if not sig & {"higher", "lower"} else
                f"{NO_DIFFERENCES[:-1]} (compared pairwise; ▲ / ▼ compare a group with the rest of the sample)."]
    level = float(results["level"].iloc[0]) if "level" in results and len(results) else 0.95
    return [f"(A), (B)...: each group's column letter. '> B, C' after a value: significantly higher than groups B "
            f"and C at the {_level_text(level)} level (pairwise test, adjusted for multiple comparisons); the "
            "table's 'Significantly higher than' column gives the same letters."]


def _chart_rows(res: pd.DataFrame) -> pd.DataFrame:
    """The rows with their drawn texts: ``__category`` (group and letter) and ``__label`` (value,
    flags, base, letters)."""
    res = res.copy()
    res["__category"] = [group_label(g, letter) for g, letter in zip(res["group"].astype(str),
                                                                      _text_column(res, "letter"), strict=True)]
    res["__label"] = [value_label(label, n, higher) for label, n, higher in
                      zip(_survey_labels(res), pd.to_numeric(res["n"], errors="coerce"),
                          _text_column(res, "higher_than"), strict=True)]
    return res


def _base_text(results: pd.DataFrame) -> str:
    """'Base: all safeguarding partners (139; weighted 139)' from the total row (or the sum of groups)."""
    label = str(results["base_label"].iloc[0]) if "base_label" in results and len(results) else "all respondents"
    total = results[results["by"] == "total"] if "by" in results else results.iloc[0:0]
    if len(total):
        n = int(total["n"].iloc[0])
        bw = float(total["base_weighted"].iloc[0])
    else:
        n = int(pd.to_numeric(results["n"], errors="coerce").sum())
        bw = float(pd.to_numeric(results["base_weighted"], errors="coerce").sum())
    weighted = abs(bw - n) > 0.5
    base = f"{n:,}" + (f", weighted {bw:,.0f}" if weighted else "")
    return f"Base: {label[:1].lower() + label[1:] if label else 'all respondents'} ({base})"


def _sorted_for_chart(res: pd.DataFrame, sort: str | None) -> pd.DataFrame:
    """Total first, then each grouping in turn in the fixed group order (``group_order``);
    largest first within a grouping only when ``sort="value"`` is asked for."""
    res = res.copy()
    res["__by_order"] = (res["by"] != "total").astype(int)
    res["__by_first"] = res["by"].map({b: i for i, b in enumerate(pd.unique(res["by"]))})
    res["__pos"] = res["group"].astype(str).map({g: i for i, g in enumerate(group_order(res))})
    if sort == "value":
        keys, asc = ["__by_order", "__by_first", "p"], [True, True, False]
    else:
        keys, asc = ["__by_order", "__by_first", "__pos"], [True, True, True]
    return res.sort_values(keys, ascending=asc, na_position="last", kind="stable")


def hide_suppressed(results: pd.DataFrame, *, suppress: int = 10) -> tuple[pd.DataFrame, str | None]:
    """Drop the suppressed ``[c]`` rows (the total is kept); the note says how many were hidden."""
    flags = results.get("flag", pd.Series("", index=results.index)).fillna("")
    hidden = (flags == "[c]") & (results["by"] != "total")
    count = int(hidden.sum())
    if not count:
        return results, None
    groups = "group" if count == 1 else "groups"
    return results[~hidden], (f"{count} {groups} with fewer than {suppress} responses [c] not shown.")


def _series_name(by: str) -> str:
    return {"total": "Total", "england": "England"}.get(by, f"By {str(by).replace('_', ' ')}")


def _series(res: pd.DataFrame) -> pd.Series:
    """Legend name of each row: a region view's total is named by its group ("North West (all)")."""
    names = res["by"].map(_series_name)
    return names.where(res["by"] != "total", res["group"].astype(str))


def base_and_region(results: pd.DataFrame, region: str | None = None) -> str:
    """'Base: all safeguarding partners (139). Region: London.' for one question's rows."""
    return f"{_base_text(results)}. Region: {region or 'England (all regions)'}."


def survey_chart(
    results: pd.DataFrame,
    *,
    region: str | None = None,
    title: str | None = None,
    source: str | None = None,
    mark: str = "bar",
    sort: str | None = None,
    thresholds: tuple[int, int] = (10, 30),
    hide_c: bool = False,
):
    """One question's results (rows of the results model) as a bar/dot chart.

    Groups keep the fixed order (``group_order``: total on top, regions in the
    Panel's order, roles in codebook order), or largest first within their
    grouping with ``sort="value"``; ``hide_c`` drops suppressed groups and
    says how many in the notes; each group is named with its column letter ("Police (B)") and
    its label carries the percentage, ``[u]``/``[c]``, ``▲``/``▼`` against the rest, the
    unweighted base (also for ``[c]``) and the letters of the groups it is significantly higher
    than ("87% (n=30) > A, C"), all explained in the notes, which say "No significant
    differences between groups" when no group is higher than another. The
    title is the question text (or ``title``, and the question text moves to
    the subtitle); the subtitle gives the base and the region.
    """
    if results["question"].nunique() != 1:
        raise ValueError("survey_chart draws one question: use survey_questions_chart for several")
    res = _sorted_for_chart(results, sort)
    hidden_note = None
    if hide_c:
        res, hidden_note = hide_suppressed(res, suppress=thresholds[0])
    res = _chart_rows(res)
    text = str(res["question_text"].iloc[0]) if "question_text" in res else str(res["question"].iloc[0])
    subtitle = [base_and_region(res, region)]
    if title:
        subtitle.insert(0, f"“{text}”")
    # The total in dark blue, each grouping in the next palette colour; the axis names every
    # group, and a legend names the groupings when there are several (colour is never the only cue).
    res["__series"] = _series(res)
    color_domain = list(pd.unique(res["__series"]))
    return bar_with_intervals(
        res, category="__category", value="p", low="ci_low", high="ci_high", label="__label",
        color="__series" if len(color_domain) > 1 else None, color_domain=color_domain,
        legend=len(color_domain) > 2,
        title=title or text, subtitle=subtitle, source=source,
        notes=survey_notes(res, thresholds=thresholds) + letters_note(res) + ([hidden_note] if hidden_note else []),
        mark=mark, sort=list(res["__category"]),
        value_title="Percentage giving a positive answer",
    )


def survey_questions_chart(
    results: pd.DataFrame,
    *,
    region: str | None = None,
    title: str,
    source: str | None = None,
    mark: str = "bar",
    sort: str | None = None,
    thresholds: tuple[int, int] = (10, 30),
    hide_c: bool = False,
):
    """Several questions in one chart: one panel per question (headed by its
    full text and base, wrapped, never cut), one bar per group, ordered as in
    ``survey_chart``."""
    parts = []
    hidden = 0
    say_each = not no_differences(results)  # when no question's groups differ, the notes say it once
    for _, res in results.groupby("question", sort=False):
        res = _sorted_for_chart(res, sort)
        if hide_c:
            before = len(res)
            res, _ = hide_suppressed(res, suppress=thresholds[0])
            hidden += before - len(res)
        text = str(res["question_text"].iloc[0]) if "question_text" in res else str(res["question"].iloc[0])
        res["__panel"] = (f"{text} — {_base_text(res).replace('Base: ', 'base: ')}"
                          + (f". {NO_DIFFERENCES}" if say_each and no_differences(res) else ""))
        parts.append(res)
    res = _chart_rows(pd.concat(parts, ignore_index=True))
    category_of = dict(zip(res["group"].astype(str), res["__category"], strict=True))
    res["__series"] = _series(res)
    color_domain = list(pd.unique(res["__series"]))
    subtitle = [f"Region: {region or 'England (all regions)'}. Base for each question in its heading."]
    return bar_with_intervals(
        res, category="__category", value="p", low="ci_low", high="ci_high", label="__label", row="__panel",
        color="__series" if len(color_domain) > 1 else None, color_domain=color_domain,
        legend=len(color_domain) > 2,
        title=title, subtitle=subtitle, source=source,
        notes=survey_notes(res, thresholds=thresholds) + letters_note(res)
        + ([f"{hidden} {'group' if hidden == 1 else 'groups'} with fewer than {thresholds[0]} responses [c] not shown."]
           if hidden else []),
        mark=mark, sort=[category_of[g] for g in group_order(res) if g in category_of],
        value_title="Percentage giving a positive answer",
    )


def _short_title(text: str) -> str:
    return text if len(text) <= 90 else text[:87] + "…"


def chart_kind(mark: str = "bar") -> str:
    """The chart type as alt text names it: what is actually drawn."""
    return "Dot chart" if mark == "dot" else "Bar chart"


def survey_alt_text(results: pd.DataFrame, *, region: str | None = None, title: str | None = None,
                    mark: str = "bar") -> str:
    """Alt text for a survey chart: the chart type drawn, what it shows, and every value with its
    interval and base."""
    res = results
    text = str(res["question_text"].iloc[0]) if "question_text" in res and len(res) else ""
    items = []
    letters = _text_column(res, "letter")
    higher = _text_column(res, "higher_than")
    for row, letter, above in zip(res.itertuples(index=False), letters, higher, strict=True):
        group = group_label(str(row.group), letter)
        label = group if res["question"].nunique() == 1 else f"{row.question_text} – {group}"
        if getattr(row, "flag", "") == "[c]" or pd.isna(row.p):
            base = f", base {int(row.n)}" if pd.notna(row.n) else ""
            items.append(f"{label}: not shown, fewer than the minimum responses [c]{base}")
            continue
        item = (f"{label}: {percent_text(row.p)} (interval {percent_text(row.ci_low)} to "
                f"{percent_text(row.ci_high)}, base {int(row.n)})")
        if getattr(row, "flag", "") == "[u]":
            item += ", low reliability"
        if getattr(row, "sig_vs_rest", "") in ("higher", "lower"):
            item += f", significantly {row.sig_vs_rest} than the rest"
        if letter_list(above):
            item += f", significantly higher than groups {_and_list(letter_list(above))}"
        items.append(item)
    head = f"{chart_kind(mark)}: {title or text}. Region: {region or 'England (all regions)'}. "
    tail = ""
    if has_letters(res):
        tail = (f" {NO_DIFFERENCES}" if no_differences(res)
                else " Letters in brackets are the groups' column letters; bases are unweighted.")
    return head + "; ".join(items) + "." + tail


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# ---------------------------------------------------------------- trends over waves

def trend_chart(rows: pd.DataFrame, *, title: str, subtitle: str | Sequence[str] = (), source: str | None = None,
                notes: Sequence[str] = (), width: int = WIDTH):
    """One question over the waves of a survey: a dot per wave and group with its interval
    bar, groups side by side within each wave and joined by a thin line, the value written
    above each interval. ``rows``: the trend model (``wave``, ``wave_order``, ``group``,
    ``p``, ``ci_low``, ``ci_high``, ``flag``). Missing values (``[c]``) show only their label."""
    alt = altair()
    data = rows.sort_values("wave_order", kind="stable").copy()
    data["__label"] = [percent_label(p, f) for p, f in zip(data["p"], data["flag"])]
    data["__label_at"] = pd.to_numeric(data["ci_high"], errors="coerce").fillna(data["p"]).fillna(0)
    waves = list(pd.unique(data["wave"]))
    groups = list(pd.unique(data["group"]))
    x = {"field": "wave", "type": "nominal", "sort": waves, "title": "",
         "axis": {"labelAngle": 0, "ticks": False, "labelLimit": 200}}
    y = {"field": "p", "type": "quantitative", "title": "Percentage giving a positive answer",
         "axis": {"format": ".0%", "tickCount": 5}, "scale": {"domain": [0, 1], "nice": False, "clamp": True}}
    color = ({"field": "group", "type": "nominal", "title": None, "sort": groups,
              "scale": {"domain": groups, "range": list(PALETTE[: max(1, len(groups))])},
              "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 560}}
             if len(groups) > 1 else {"value": DARK_BLUE})
    offset = {"xOffset": {"field": "group", "type": "nominal", "sort": groups}} if len(groups) > 1 else {}
    tooltip = [{"field": "wave", "type": "nominal", "title": "Wave"},
               {"field": "group", "type": "nominal", "title": "Group"},
               {"field": "__label", "type": "nominal", "title": "Value"},
               {"field": "ci_low", "type": "quantitative", "title": "Interval from", "format": ".1%"},
               {"field": "ci_high", "type": "quantitative", "title": "Interval to", "format": ".1%"}]
    layers = [
        mark_chart(None, {"type": "line", "strokeWidth": 1.2, "opacity": 0.6},
               {"x": x, "y": y, "color": color, "detail": {"field": "group", "type": "nominal"}, **offset}),
        mark_chart(None, {"type": "errorbar", "ticks": {"size": 6}, "thickness": 1.4},
               {"x": x, "y": {"field": "ci_low", "type": "quantitative", "title": ""},
                "y2": {"field": "ci_high"}, "color": color, **offset}),
        mark_chart(None, {"type": "point", "filled": True, "size": 80, "opacity": 1},
               {"x": x, "y": y, "color": color, "tooltip": tooltip, **offset}),
        mark_chart(None, {"type": "text", "dy": -8, "fontSize": 11, "color": TEXT, "baseline": "bottom"},
               {"x": x, "y": {"field": "__label_at", "type": "quantitative"},
                "text": {"field": "__label", "type": "nominal"}, **offset}),
    ]
    body = alt.LayerChart(layer=layers, data=alt.InlineData(values=records(data)), width=width, height=300)
    return titled([body], title=title, subtitle=subtitle, source=source, notes=notes, width=width)


def trend_alt_text(rows: pd.DataFrame, *, title: str) -> str:
    """Every wave's value and interval in words, group by group."""
    parts = []
    for group, part in rows.sort_values("wave_order", kind="stable").groupby("group", sort=False):
        values = "; ".join(
            f"{r.wave}: " + (f"{percent_text(r.p)} (interval {percent_text(r.ci_low)} to {percent_text(r.ci_high)})"
                             if pd.notna(r.p) else f"not shown {r.flag}".strip())
            + (" [b] break in series" if "[b]" in str(r.flag) and pd.notna(r.p) else "")
            for r in part.itertuples(index=False))
        parts.append(f"{group}: {values}")
    return f"Dot chart over survey waves: {title}. " + ". ".join(parts) + "."
