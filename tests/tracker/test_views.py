"""Helpers behind the tracker pages: grid diffs, escaping, timeline entries, dashboard figures."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from feedback import db
from feedback.charts import vega_spec
from feedback.tracker import figures, seed, service, views
from feedback.validation import markdown_literal


def test_grid_changes_sees_only_real_edits_and_keeps_the_version_seen():
    before = pd.DataFrame({"id": [1, 2], "version": [3, 1], "reference": ["A/1", "B/1"],
                           "owner": ["Ann", None], "due_date": pd.to_datetime([dt.date(2024, 1, 1), None]),
                           "status": ["in progress", "not started"]})
    after = before.copy()
    after.loc[0, "due_date"] = pd.Timestamp("2024-02-01")
    after.loc[1, "owner"] = ""  # None -> "" is no change for text
    assert views.grid_changes(before, after, ["owner", "due_date", "status"]) == [
        {"id": 1, "version": 3, "reference": "A/1", "changes": {"due_date": dt.date(2024, 2, 1)}}]


def test_markdown_literal_stops_markdown_and_html():
    text = "**bold** [link](http://x) <img src=x onerror=alert(1)> # heading"
    escaped = markdown_literal(text)
    assert "\\*\\*bold\\*\\*" in escaped and "\\[link\\]\\(http" in escaped and "\\<img" in escaped


def test_timeline_entries_group_one_edit_newest_first(engine):
    with db.session_scope(engine) as session:
        item = service.create_item(session, "Ann", reference="T-1", text="t", source="other")
        service.edit(session, item, 1, {"text": "u", "themes": "a"}, "Bob", "why")
        entries = views.timeline_entries(service.timeline(session, item.id))
    assert [e["who"] for e in entries] == ["Bob", "Ann"]
    assert entries[0]["changes"] == [("text", "t", "u"), ("themes", "", "a")] and entries[1].get("created")


def test_dashboard_figures_have_titles_bases_alt_text_and_whole_number_axes(engine):
    seed.seed_if_empty(engine)
    with db.session_scope(engine) as session:
        items, actions = service.filtered(session, today=dt.date(2024, 6, 1))
    figs = figures.dashboard_figures(items, actions, where="England (all regions)", today_text="1 June 2024",
                                     today=dt.date(2024, 6, 1))
    assert [f.name for f in figs] == ["Actions by status", "Overdue actions by owner", "Items by source",
                                      "Items by Panel decision", "Items by region", "Late actions by owner",
                                      "Late actions by theme"]
    late = {f.name: f for f in figs}["Late actions by theme"]
    assert "actions due were completed on time" in json.dumps(vega_spec(late.chart))
    assert late.table["late"].sum() > 0 and {"theme", "share late", "days late (median)"} <= set(late.table)
    for fig in figs:
        spec = json.dumps(vega_spec(fig.chart))
        assert '"format": ","' not in spec  # would show 1e+1 on the axis
        assert "Base:" in spec and "Source: Panel response tracker" in spec
        assert fig.alt.startswith("Bar chart: ") and len(fig.table)


def test_history_shows_the_words_that_changed_in_long_texts():
    from feedback.tracker.views import word_changes_markdown, word_diff

    assert word_diff("a b c", "a x c") == [("same", "a"), ("removed", "b"), ("added", "x"), ("same", "c")]
    old = ("The Panel will write to all safeguarding partners about rapid review timescales and publish "
           "updated guidance on the process in the spring of 2022 after consultation.")
    new = old.replace("updated", "revised").replace("spring", "autumn")
    shown = word_changes_markdown(old, new)
    assert "~~updated~~ **revised**" in shown and "~~spring~~ **autumn**" in shown
    assert shown.startswith("…") and "write to all" not in shown  # long unchanged runs are cut
    # Escaped as everywhere else: Markdown characters, and a word joiner after "http:" so no autolink forms.
    assert word_changes_markdown("see [link](http://x)", "see *this*") == "see ~~\\[link\\]\\(http\\:"\
        "\u2060//x\\)~~ **\\*this\\***"


def test_item_page_gives_plain_values_and_the_page_tables(engine):
    with db.session_scope(engine) as session:
        item = service.create_item(session, "Ann", reference="V-1", text="t", source="other", regions="London")
        service.create_action(session, item, "Ann", reference="V-1/1", description="d", due_date=dt.date(2024, 1, 1))
        service.edit(session, item, 1, {"text": "**u**"}, "Bob", "why")
        item_id = item.id
    shown = views.item_page(engine, item_id)
    assert isinstance(shown.item, dict) and shown.item["text"] == "**u**" and shown.response is None
    assert views.item_caption(shown.item)[1:3] == ["Regions: London", "Themes: none"]
    table = views.action_table(shown.actions, dt.date(2024, 6, 1))
    assert table.loc[0, "due"] == dt.date(2024, 1, 1) and bool(table.loc[0, "overdue"])
    newest = views.history_markdown(views.timeline_entries(shown.timeline)[0])
    assert "Bob" in newest and "_why_" in newest and "\\*\\*u\\*\\*" in newest
