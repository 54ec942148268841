"""Charts of roundtable themes (heat table by region, bar chart of totals) with
their alt text, built from the tables in ``views`` so what is drawn is what is
exported."""

from __future__ import annotations

import pandas as pd

from feedback import charts

SOURCE = "Source: notes of the Child Safeguarding Practice Review Panel's regional roundtables"
NOTE = ("Counts are feedback points; near-identical points within an event are counted once. "
        "A point can have several themes.")


def _rows(table: pd.DataFrame) -> pd.Series:
    return table["Sub-theme"] if "Sub-theme" in table.columns else table["Theme"]


def heat_chart(table: pd.DataFrame, *, title: str, subtitle: str, sample: bool = False,
               vertical_labels: bool = False):
    """Heat table (rows = sub-themes or themes, columns = regions or events) with counts written in.

    Cells narrow as columns are added so the chart keeps to the page width;
    ``vertical_labels`` stands long column names (events) upright.
    """
    value_cols = [c for c in table.columns if c not in ("Theme", "Sub-theme", "Total")]
    long = table.assign(__row=_rows(table).to_numpy()).melt(id_vars="__row", value_vars=value_cols,
                                                            var_name="Column", value_name="Points")
    long = long.rename(columns={"__row": "Row"})
    notes = [NOTE] + (["Sample data built from the published summary (Annex C), not real notes."] if sample else [])
    return charts.heat_table(long, row="Row", column="Column", value="Points", title=title, subtitle=subtitle,
                              source=SOURCE, notes=notes, row_sort=list(_rows(table)), column_sort=value_cols,
                              value_title="Points", cell_width=max(36, min(62, 560 // max(1, len(value_cols)))),
                              label_angle=-90 if vertical_labels else -40)


def totals_chart(table: pd.DataFrame, *, title: str, subtitle: str, sample: bool = False):
    """Bar chart of the Total column (points per sub-theme or theme)."""
    data = pd.DataFrame({"Row": _rows(table).to_numpy(), "Points": table["Total"].to_numpy()})
    data["Label"] = data["Points"].map(lambda n: f"{int(n):,}")
    notes = [NOTE] + (["Sample data built from the published summary (Annex C), not real notes."] if sample else [])
    return charts.bar_with_intervals(data, category="Row", value="Points", title=title, subtitle=subtitle,
                                     source=SOURCE, notes=notes, percent=False, sort="value",
                                     label="Label", value_title="Points")


def heat_alt_text(table: pd.DataFrame, *, title: str, subtitle: str) -> str:
    """Alt text listing, for each row, its non-zero cells and total."""
    positions = [j for j, c in enumerate(table.columns) if c not in ("Theme", "Sub-theme", "Total")]
    names = [str(table.columns[j]) for j in positions]
    values = table.iloc[:, positions].to_numpy()  # by position: two columns may share a label
    parts = []
    for name, total, counts in zip(_rows(table), table["Total"].to_numpy(), values, strict=True):
        cells = ", ".join(f"{c} {int(v)}" for c, v in zip(names, counts, strict=True) if v)
        parts.append(f"{name}: {int(total)} points" + (f" ({cells})" if cells else ""))
    return f"Heat table: {title}. {subtitle}. " + "; ".join(parts) + "."


def totals_alt_text(table: pd.DataFrame, *, title: str, subtitle: str) -> str:
    return charts.alt_text(pd.DataFrame({"Row": _rows(table).to_numpy(), "Points": table["Total"].to_numpy()}),
                           category="Row", value="Points", title=title, subtitle=subtitle, percent=False)
