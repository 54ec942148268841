"""Dashboard charts for the tracker, built like the survey charts (title, base, source, alt text)
so that they export the same way (PNG/SVG via ``feedback.charts``)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from feedback.charts import alt_text, altair, bar_with_intervals
from feedback.tracker.service import dashboard, lateness

alt = altair()

SOURCE = "Source: Panel response tracker (includes invented sample data)"


@dataclass
class Figure:
    """One dashboard chart with the table behind it and its alt text."""

    name: str
    chart: alt.TopLevelMixin
    table: pd.DataFrame
    alt: str


def _figure(name: str, table: pd.DataFrame, category: str, value: str, title: str, subtitle: str,
            notes: tuple[str, ...] = ()) -> Figure:
    data = table.copy()
    data["label"] = data[value].map(lambda v: f"{int(v):,}")
    chart = bar_with_intervals(data, category=category, value=value, label="label", title=title,
                               subtitle=subtitle, source=SOURCE, notes=notes, percent=False, sort=None,
                               domain=(0, max(1.0, float(data[value].max() if len(data) else 1) * 1.15)))
    return Figure(name, chart, table, alt_text(table, category=category, value=value, title=title,
                                              subtitle=subtitle, percent=False))


def dashboard_figures(items: pd.DataFrame, actions: pd.DataFrame, *, where: str, today_text: str,
                      today=None) -> list[Figure]:
    """Items by status of the Panel's decision and by source, actions by status, overdue actions
    by owner, late actions by owner and by theme, items by region; ``where`` names the
    region/filter for subtitles."""
    counts = dashboard(items, actions)
    late = lateness(items, actions, today)
    base_items = f"{where}. Base: {len(items):,} items."
    base_actions = f"{where}. Base: {len(actions):,} actions."
    figures = [
        _figure("Actions by status", counts["actions_by_status"], "status", "actions",
                "Actions by status", base_actions),
        _figure("Items by source", counts["items_by_source"], "source", "items",
                "Items by where they were raised", base_items),
        _figure("Items by Panel decision", counts["items_by_decision"], "decision", "items",
                "Items by the Panel's decision", base_items),
        _figure("Items by region", counts["items_by_region"], "region", "items", "Items by region",
                base_items, notes=("An item raised in several regions counts once in each.",)),
    ]
    done, due = late["on_time"]
    for key, label in (("by_owner", "owner"), ("by_theme", "theme")):
        table = late[key]
        if len(table) and table["late"].sum():
            notes = ("Late: completed after its original target date, or still open after it.",)
            if key == "by_theme":
                notes += ("An action whose item has several themes counts once in each.",)
            figures.append(_figure(f"Late actions by {label}", table, label, "late", f"Late actions by {label}",
                                   f"{where}, on {today_text}. {done:,} of {due:,} actions due were completed "
                                   f"on time. Base: {due:,} actions due.", notes=notes))
    overdue = counts["overdue_by_owner"]
    if len(overdue):
        figures.insert(1, _figure("Overdue actions by owner", overdue, "owner", "overdue actions",
                                  "Overdue actions by owner",
                                  f"{where}. Open actions past their (revised) due date on {today_text}. "
                                  f"Base: {int(overdue['overdue actions'].sum()):,} overdue actions."))
    return figures
