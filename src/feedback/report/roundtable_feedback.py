"""Roundtable feedback beside the Panel's response, in the style of Annex C.

The publication draft is the published Annex C: one two-column table, Feedback
| Panel response, of the points the Panel has responded to. The full detail
adds two tables, both from the database: the themes raised at the roundtables
(points, events and regions behind each, counted from the coded notes) with
the tracker items, decisions and action status linked to each theme; and
every point the tracker holds from a roundtable event with the Panel's
response and the status of its actions (the nine Annex C points on the sample).
"""

from __future__ import annotations

import pandas as pd

from feedback import db
from feedback.report.document import Heading, Paragraph, Table
from feedback.report.figures import Figures, content_hash
from feedback.roundtables import links, store, views

AREA = "Roundtables"
SOURCE = "roundtable event"


def _frames_hash(frames: views.Frames) -> str:
    cols = ["point_id", "event_id", "text"]
    codes = views.current_codes(frames.codings)
    return content_hash(frames.events[["event_id", "title", "region", "event_date", "filename"]].to_csv(index=False),
                        frames.points[cols].to_csv(index=False), codes[["point_id", "code"]].to_csv(index=False))


def _status(statuses: pd.Series) -> str:
    counts = statuses.value_counts()
    return ", ".join(f"{n} {s}" for s, n in counts.items()) or "no actions yet"


HEADING = "Annex C: Regional roundtable feedback"


def roundtable_feedback(engine, figures: Figures, *, region: str | None = None, detail: str = "publication") -> list:
    """The roundtable part of the annex (Annex C).

    ``detail="publication"``: as the published Annex C, one two-column table, Feedback | Panel response,
    of the points the Panel has responded to (no tracker ids or statuses); ``"full"``: also the themes
    counted from the coded notes and every point with its decision and action status."""
    where = region or "England (all regions)"
    frames = store.load_frames(engine)
    codebook = store.current_codebook(engine)[0]
    if region is not None:
        events = frames.events[frames.events["region"] == region]
        points = frames.points[frames.points["event_id"].isin(events["event_id"])]
        frames = views.Frames(events, points, frames.codings[frames.codings["point_id"].isin(points["point_id"])])
    source_hash = _frames_hash(frames)
    source_file = f"roundtable notes in the database ({len(frames.events)} events)"
    blocks: list = [Heading(HEADING, 1)]
    n_events, n_points = len(frames.events), len(frames.points)
    attendees = int(pd.to_numeric(frames.events["attendees"], errors="coerce").fillna(0).sum())
    partnerships = int(pd.to_numeric(frames.events["partnerships"], errors="coerce").fillna(0).sum())
    common = dict(area=AREA, unit="count", group="All events", region=where, base=f"roundtable events, {where}",
                  source_file=source_file, source_hash=source_hash, method="count from the coded notes")
    e = figures.add("C", measure="Roundtable events held", value=n_events, as_written=str(n_events), **common)
    a = figures.add("C", measure="Representatives attending", value=attendees, as_written=f"{attendees:,}", **common)
    p = figures.add("C", measure="Safeguarding partnerships represented", value=partnerships,
                    as_written=f"{partnerships:,}", **common)
    if detail == "publication":
        blocks.append(Paragraph(f"The Panel held {e} regional roundtable events, attended by {a} representatives "
                                f"from {p} safeguarding partnerships. The feedback received and the Panel's "
                                "response are below.",
                                comment=f"Drafting note: region {where}. Only points the Panel has responded to "
                                        "are listed; the full analyst's appendix (--detail full, or 'Full "
                                        "analyst's appendix' on the page) also counts the themes and gives "
                                        "every point's decision and actions."))
        blocks.append(_published_table(engine, region=region, where=where))
        return figures.finish(blocks)
    k = figures.add("C", measure="Points recorded in the notes", value=n_points, as_written=f"{n_points:,}", **common)
    blocks.append(Paragraph(f"The Panel held {e} regional roundtable events, attended by {a} representatives "
                            f"from {p} safeguarding partnerships. Region: {where}. The notes record {k} points, "
                            "coded into themes; the table shows how many points, events and regions raised each "
                            "theme, beside the Panel's response and the status of its actions."))
    coded = views.coded_points(frames, codebook)
    per_theme = (coded.groupby("theme").agg(points=("point_id", "nunique"), events=("event_id", "nunique"),
                                             regions=("region", "nunique"))
                 .reindex(codebook.themes).fillna(0).astype(int))
    per_theme = per_theme[per_theme["points"] > 0]
    status = links.theme_status(engine, frames, codebook, region=region, level="theme")
    status = status.set_index("Theme") if len(status) else pd.DataFrame(
        columns=["Tracker items", "Panel decisions", "Actions"])
    rows = []
    for theme, r in per_theme.iterrows():
        cells = {"Theme": theme}
        for col, label in (("points", "Points"), ("events", "Events"), ("regions", "Regions")):
            cells[label] = figures.add("C", measure=f"Theme: {theme}", value=int(r[col]), as_written=str(int(r[col])),
                                       **{**common, "base": f"{label.lower()} raising the theme, {where}"})
        s = status.loc[theme] if theme in status.index else None
        cells["Tracker items"] = "" if s is None else str(s["Tracker items"])
        cells["Panel decisions"] = "no response recorded" if s is None else str(s["Panel decisions"])
        cells["Actions"] = "no actions recorded" if s is None else str(s["Actions"])
        rows.append(cells)
    blocks.append(Table(caption=f"Table: themes raised at the roundtables, with the Panel's response, {where}",
                        frame=pd.DataFrame(rows, columns=["Theme", "Points", "Events", "Regions", "Tracker items",
                                                          "Panel decisions", "Actions"])))
    blocks += _points_and_responses(engine, region=region, where=where)
    return figures.finish(blocks)


def _tracker_points(engine, region: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from feedback.tracker import service

    with db.session_scope(engine) as session:
        items, actions = service.filtered(session, service.Filters(region=region, sources=(SOURCE,)))
    return items.sort_values("reference", kind="stable"), actions


def _published_table(engine, *, region: str | None, where: str) -> Table:
    """Annex C as published: each point raised and the Panel's response, only points with a response."""
    items, _ = _tracker_points(engine, region)
    answered = items[items["response"].fillna("").str.strip() != ""]
    frame = pd.DataFrame({"Feedback": answered["text"].astype(str).to_numpy(),
                          "Panel response": answered["response"].astype(str).to_numpy()})
    return Table(caption=f"Table: feedback from the regional roundtables and the Panel's response, {where}",
                 frame=frame)


def _points_and_responses(engine, *, region: str | None, where: str) -> list:
    """Every roundtable point in the tracker, with the Panel's response and action status."""
    items, actions = _tracker_points(engine, region)
    status = actions.groupby("item")["status"].agg(_status) if len(actions) else pd.Series(dtype=str)
    table = pd.DataFrame({
        "Reference": items["reference"].to_numpy(),
        "Feedback": items["text"].to_numpy(),
        "Panel response": items["response"].replace("", "No response recorded yet.").to_numpy(),
        "Decision": items["decision"].replace("", "no response yet").to_numpy(),
        "Actions": items["reference"].map(status).fillna("no actions yet").to_numpy(),
    })
    blocks = [Heading("Feedback and the Panel's response", 2),
              Paragraph(f"Each point raised at a roundtable and recorded in the response tracker, {where}, "
                        "with the Panel's response and where its actions stand. Actions and dates marked "
                        "SAMPLE are invented for the sample data.")]
    blocks.append(Table(caption=f"Table: roundtable feedback and the Panel's response, {where}", frame=table))
    return blocks
