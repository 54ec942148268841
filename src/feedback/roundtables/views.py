"""Counts and tables the roundtable page and CLI show: themes by region,
themes per event, the points behind a count, and attendance totals.

Everything works on three plain frames, whether they come from the database
(``feedback.roundtables.store.load_frames``) or straight from files
(``frames_from_notes``), so the CLI and the page give the same numbers:

- events: event_id, title, region, event_date, attendees, partnerships, panel_lead, filename
- points: point_id, event_id, seq, section, text, merged (list of merged texts)
- codings: point_id, coder, codes (tuple of code ids), matched ({code: words}), coded_at
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from feedback.regions import REGIONS
from feedback.roundtables import coding
from feedback.roundtables.coding import MACHINE_CODERS, RULES_CODER, auto_code
from feedback.roundtables.read import EventNotes
from feedback.roundtables.themes import ThemeCodebook

EVENT_COLUMNS = ["event_id", "title", "region", "event_date", "attendees", "partnerships", "panel_lead", "filename"]
POINT_COLUMNS = ["point_id", "event_id", "seq", "section", "text", "merged"]
CODING_COLUMNS = ["point_id", "coder", "codes", "matched", "coded_at"]
#: What the page's "Count by" choice counts: its words and the level the tables take.
LEVELS = {"Sub-theme": "sub_theme", "Theme": "theme"}
#: Who imported the sample built from the published summary (Annex C).
SAMPLE_IMPORTER = "sample data"


@dataclass
class Frames:
    events: pd.DataFrame
    points: pd.DataFrame
    codings: pd.DataFrame


def frames_from_notes(notes: list[EventNotes], codebook: ThemeCodebook) -> Frames:
    """Events, points and rule codings for notes read from files (no database)."""
    events, points, codings = [], [], []
    for event_id, note in enumerate(notes, start=1):
        m = note.meta
        events.append((event_id, m.title or note.filename, m.region, m.event_date, m.attendees, m.partnerships,
                       m.panel_lead, note.filename))
        for p in note.points:
            point_id = len(points) + 1
            points.append((point_id, event_id, p.seq, p.section, p.text, list(p.merged)))
            matched = auto_code(p.text, codebook)
            codings.append((point_id, RULES_CODER, tuple(matched), matched, pd.NaT))
    return Frames(pd.DataFrame(events, columns=EVENT_COLUMNS), pd.DataFrame(points, columns=POINT_COLUMNS),
                  pd.DataFrame(codings, columns=CODING_COLUMNS))


def current_codes(codings: pd.DataFrame) -> pd.DataFrame:
    """One row per (point, code) in force: the latest person's coding, else the rules'.

    People override the rules; between people the most recent decision wins
    (double coding is for measuring agreement, not for counting twice).
    """
    if codings.empty:
        return pd.DataFrame(columns=["point_id", "code", "coder", "matched_words"])
    chosen = _in_force(codings)
    long = chosen[["point_id", "coder", "codes", "matched"]].explode("codes").dropna(subset=["codes"])
    long = long.rename(columns={"codes": "code"})
    long["matched_words"] = [", ".join((m or {}).get(code, [])) if isinstance(m, dict) else ""
                             for code, m in zip(long["code"], long["matched"], strict=True)]
    return long[["point_id", "code", "coder", "matched_words"]].reset_index(drop=True)


def coded_points(frames: Frames, codebook: ThemeCodebook) -> pd.DataFrame:
    """One row per (point, code in force) with the point's event, region, theme and sub-theme."""
    long = current_codes(frames.codings)
    by_id = codebook.by_id()
    long = long[long["code"].isin(by_id)]
    out = (long.merge(frames.points, on="point_id", how="inner")
           .merge(frames.events[["event_id", "title", "region", "event_date"]], on="event_id", how="inner"))
    out["theme"] = out["code"].map(lambda c: by_id[c].theme)
    out["sub_theme"] = out["code"].map(lambda c: by_id[c].name)
    return out


def for_region(frames: Frames, region: str | None) -> Frames:
    """The events in ``region`` (all of them for None) with their points and codings."""
    if region is None:
        return frames
    events = frames.events[frames.events["region"] == region]
    points = frames.points[frames.points["event_id"].isin(events["event_id"])]
    return Frames(events, points, frames.codings[frames.codings["point_id"].isin(points["point_id"])])


def themes_by_region(frames: Frames, codebook: ThemeCodebook, *, level: str = "sub_theme",
                     region: str | None = None) -> pd.DataFrame:
    """Points per sub-theme (or theme) and region, regions in the Panel's order, with a total.

    A point counts once per row even when several of its codes fall in the
    same theme. Every codebook row appears, zero or not, so absences show.
    """
    frames = for_region(frames, region)
    coded = coded_points(frames, codebook)
    rows = _row_index(codebook, level)
    regions = [region] if region else list(REGIONS)
    key = "code" if level == "sub_theme" else "theme"
    cells = coded.drop_duplicates(["point_id", key])
    table = pd.crosstab(cells[key], cells["region"]).reindex(index=rows, columns=regions, fill_value=0)
    table = table.fillna(0).astype(int)
    table["Total"] = cells.groupby(key)["point_id"].nunique().reindex(rows, fill_value=0).astype(int)
    return _label_rows(table, codebook, level)


def themes_by_event(frames: Frames, codebook: ThemeCodebook, *, level: str = "sub_theme",
                    region: str | None = None) -> pd.DataFrame:
    """Points per sub-theme (or theme) and event, events in date order, with a total."""
    frames = for_region(frames, region)
    coded = coded_points(frames, codebook)
    rows = _row_index(codebook, level)
    key = "code" if level == "sub_theme" else "theme"
    events = frames.events.sort_values(["event_date", "event_id"], kind="stable")
    labels = event_labels(events)
    cells = coded.drop_duplicates(["point_id", key])
    table = pd.crosstab(cells[key], cells["event_id"]).reindex(index=rows, columns=list(events["event_id"]),
                                                               fill_value=0)
    table = table.fillna(0).astype(int)
    table.columns = [labels[e] for e in table.columns]
    table["Total"] = cells.groupby(key)["point_id"].nunique().reindex(rows, fill_value=0).astype(int)
    return _label_rows(table, codebook, level)


def event_labels(events: pd.DataFrame) -> dict[int, str]:
    """A short, unique label per event: region and date (e.g. 'London, 24 Jun 2021').

    Two events with the same region and date (a second London roundtable that day)
    are told apart by their titles, and if those match too, by their numbers
    ('London, 24 Jun 2021 (event 12)'), so tables and keys built on labels never collide.
    """
    dates = pd.to_datetime(events["event_date"], errors="coerce")
    text = dates.dt.strftime("%d %b %Y").fillna("date not given")
    labels = (events["region"].fillna("Region not given") + ", " + text).reset_index(drop=True)
    titles = events["title"].fillna("").astype(str).str.strip().reset_index(drop=True) \
        if "title" in events else pd.Series([""] * len(events))
    ids = events["event_id"].reset_index(drop=True)
    clash = labels.duplicated(keep=False)
    labels = labels.where(~clash | (titles == ""), labels + " (" + titles.str.slice(0, 60) + ")")
    clash = labels.duplicated(keep=False)
    labels = labels.where(~clash, labels + " (event " + ids.astype(str) + ")")
    return dict(zip(ids, labels, strict=True))


def _row_index(codebook: ThemeCodebook, level: str) -> list[str]:
    if level not in ("sub_theme", "theme"):
        raise ValueError(f"level must be 'sub_theme' or 'theme', not {level!r}")
    return [c.id for c in codebook.codes] if level == "sub_theme" else codebook.themes


def _label_rows(table: pd.DataFrame, codebook: ThemeCodebook, level: str) -> pd.DataFrame:
    table = table.copy()
    if level == "sub_theme":
        by_id = codebook.by_id()
        table.insert(0, "Sub-theme", [by_id[c].name for c in table.index])
        table.insert(0, "Theme", [by_id[c].theme for c in table.index])
        table.index.name = "code"
    else:
        table.insert(0, "Theme", list(table.index))
        table.index.name = "theme"
    table.columns.name = None
    return table


def points_behind(frames: Frames, codebook: ThemeCodebook, *, code: str | None = None, theme: str | None = None,
                  region: str | None = None, event_id: int | None = None) -> pd.DataFrame:
    """The points counted in a cell, with their event, region, coder and the words that matched."""
    coded = coded_points(for_region(frames, region), codebook)
    if code is not None:
        coded = coded[coded["code"] == code]
    if theme is not None:
        coded = coded[coded["theme"] == theme]
    if event_id is not None:
        coded = coded[coded["event_id"] == event_id]
    out = coded.groupby("point_id", sort=False).agg(
        region=("region", "first"), event=("title", "first"), event_date=("event_date", "first"),
        event_id=("event_id", "first"), text=("text", "first"), merged=("merged", "first"),
        sub_themes=("sub_theme", "; ".join), matched=("matched_words", lambda s: "; ".join(w for w in s if w)),
        coder=("coder", "first"),
    ).reset_index()
    return out.sort_values(["event_date", "event_id", "point_id"], kind="stable").reset_index(drop=True)


def event_totals(events: pd.DataFrame, *, region: str | None = None) -> pd.DataFrame:
    """One row per event (region, date, attendees, partnerships, Panel lead) and an 'All events' total row."""
    if region is not None:
        events = events[events["region"] == region]
    rows = events.sort_values(["event_date", "event_id"], kind="stable")
    table = pd.DataFrame({
        "Event": rows["title"].to_numpy(), "Region": rows["region"].to_numpy(),
        "Date": pd.to_datetime(rows["event_date"], errors="coerce").dt.strftime("%d %b %Y").to_numpy(),
        "Events": 1, "Attendees": rows["attendees"].to_numpy(), "Partnerships": rows["partnerships"].to_numpy(),
        "Panel lead": rows["panel_lead"].to_numpy(),
    })
    total = pd.DataFrame([{"Event": "All events", "Region": region or "England (all regions)", "Date": "",
                           "Events": len(rows), "Attendees": int(pd.to_numeric(rows["attendees"]).sum()),
                           "Partnerships": int(pd.to_numeric(rows["partnerships"]).sum()), "Panel lead": ""}])
    return pd.concat([table, total], ignore_index=True)


def point_codings(frames: Frames, codebook: ThemeCodebook, point_id: int) -> pd.DataFrame:
    """Every coder's codes for one point, rules first, with matched words and version (for the edit check)."""
    names = codebook.names()
    rows = frames.codings[frames.codings["point_id"] == point_id]
    rows = rows.assign(_rules=rows["coder"] != RULES_CODER).sort_values(["_rules", "coded_at"], kind="stable")
    return pd.DataFrame({
        "Coder": rows["coder"].to_numpy(),
        "Sub-themes": ["; ".join(names.get(c, f"{c} (not in codebook)") for c in codes) or "(none)"
                       for codes in rows["codes"]],
        "Matched words": ["; ".join(f"{names.get(c, c)}: {', '.join(w)}" for c, w in (m or {}).items())
                          for m in rows["matched"]],
        "Coded at": pd.to_datetime(rows["coded_at"], utc=True, errors="coerce")
                      .dt.strftime("%d %b %Y %H:%M").to_numpy(),
        "version": rows["version"].to_numpy() if "version" in rows else 1,
    })


def event_points(frames: Frames, codebook: ThemeCodebook, event_id: int) -> pd.DataFrame:
    """An event's points in order with the codes in force and who set them."""
    names = codebook.names()
    points = frames.points[frames.points["event_id"] == event_id].sort_values("seq")
    long = current_codes(frames.codings[frames.codings["point_id"].isin(points["point_id"])])
    codes = long.groupby("point_id")["code"].agg(lambda s: "; ".join(names.get(c, c) for c in s))
    coder = current_codes_coder(frames.codings[frames.codings["point_id"].isin(points["point_id"])])
    return pd.DataFrame({
        "point_id": points["point_id"].to_numpy(), "No.": points["seq"].to_numpy(),
        "Section": points["section"].to_numpy(), "Point": points["text"].to_numpy(),
        "Sub-themes": points["point_id"].map(codes).fillna("(none)").to_numpy(),
        "Coded by": points["point_id"].map(coder).fillna("").to_numpy(),
        "Merged": points["merged"].map(len).to_numpy(),
    })


def current_codes_coder(codings: pd.DataFrame) -> pd.Series:
    """Whose coding is in force for each point (point_id -> coder), even when it has no codes."""
    if codings.empty:
        return pd.Series(dtype=object)
    return _in_force(codings).set_index("point_id")["coder"]


def _in_force(codings: pd.DataFrame) -> pd.DataFrame:
    """The coding row in force per point: the latest person's, else the rules' (never the suggester's)."""
    codings = codings[codings["coder"] != MACHINE_CODERS[1]]
    c = codings.assign(_person=~codings["coder"].isin(MACHINE_CODERS),
                       _when=pd.to_datetime(codings["coded_at"], utc=True, errors="coerce"))
    c = c.sort_values(["point_id", "_person", "_when"], na_position="first", kind="stable")
    return c.drop_duplicates("point_id", keep="last")


# ---------------------------------------------------------------- the page's tables, in its words


def is_sample(events: pd.DataFrame) -> bool:
    """True while the sample is all there is (the page says so; not once real notes sit beside it)."""
    return bool(len(events)) and bool((events["imported_by"] == SAMPLE_IMPORTER).all())


def behind_table(behind: pd.DataFrame) -> pd.DataFrame:
    """``points_behind`` as the page shows and exports it: one row a point, dates written out."""
    return pd.DataFrame({
        "Region": behind["region"], "Event": behind["event"],
        "Date": pd.to_datetime(behind["event_date"]).dt.strftime("%d %b %Y"), "Point": behind["text"],
        "Sub-themes": behind["sub_themes"], "Matched words": behind["matched"], "Coded by": behind["coder"],
        "Merged texts": behind["merged"].map(" | ".join),
    })


def point_labels(listing: pd.DataFrame) -> dict[int, str]:
    """An event's points (``event_points``) as choices: their number and first 90 characters."""
    return dict(zip(listing["point_id"], listing["No."].astype(str) + ". " + listing["Point"].str.slice(0, 90),
                    strict=True))


def coding_start(codings: pd.DataFrame, point_id: int, coder: str) -> tuple[list[str], int | None]:
    """Where a person's coding of a point starts: their own earlier codes and that row's version (for
    the stale-edit check), else the codes in force and no version."""
    rows = codings[codings["point_id"] == point_id]
    mine = rows[rows["coder"] == coder]
    if not mine.empty:
        return list(mine["codes"].iloc[0]), int(mine["version"].iloc[0])
    return list(current_codes(rows)["code"]), None


def linked_item(point: pd.Series) -> int | None:
    """The tracker item a point (a row of ``Frames.points``) is linked to, or None."""
    item = point["tracker_item_id"]
    return None if pd.isna(item) else int(item)


def removal_choices(events: pd.DataFrame) -> tuple[dict[int, str], dict[int, int]]:
    """Every imported event by date, labelled with its file, and the version each was seen at."""
    events = events.sort_values(["event_date", "event_id"])
    labels = event_labels(events)
    choices = {e: f"{labels[e]}: {f}" for e, f in zip(events["event_id"], events["filename"], strict=True)}
    return choices, dict(zip(events["event_id"], events["version"].astype(int), strict=True))


def _undefined_or(values: pd.Series, fmt: str) -> pd.Series:
    """A measure that can be undefined, written with ``fmt``, and [z] where it is not defined."""
    return values.map(lambda v: "[z]" if pd.isna(v) else format(v, fmt))


def agreement_table(codings: pd.DataFrame, coder_a: str, coder_b: str,
                    codebook: ThemeCodebook) -> tuple[int, pd.DataFrame]:
    """Cohen's kappa per sub-theme between two coders (``coding.agreement``) as the page shows it, and
    how many points both coded."""
    agree = coding.agreement(codings, coder_a, coder_b, [c.id for c in codebook.codes], codebook.names())
    both = int(agree["double_coded"].iloc[0]) if len(agree) else 0
    return both, pd.DataFrame({
        "Sub-theme": agree["sub_theme"], "Double-coded points": agree["double_coded"],
        "Cohen's kappa": _undefined_or(agree["kappa"], ".2f"),
        "Observed agreement": agree["observed_agreement"].round(3),
        "Both yes": agree["both_yes"], f"Only {coder_a}": agree["only_a"], f"Only {coder_b}": agree["only_b"],
        "Both no": agree["both_no"],
    })


def alpha_table(codings: pd.DataFrame, coders: list[str], codebook: ThemeCodebook) -> pd.DataFrame:
    """Krippendorff's alpha and percent agreement per sub-theme for any number of coders
    (``coding.multi_agreement``) as the page shows it."""
    many = coding.multi_agreement(codings, coders, [c.id for c in codebook.codes], codebook.names())
    return pd.DataFrame({
        "Sub-theme": many["sub_theme"], "Points coded by two or more": many["points_compared"],
        "Krippendorff's alpha": _undefined_or(many["alpha"], ".3f"),
        "Percent agreement": (100 * many["percent_agreement"]).round(1),
    })


def review_table(frames: Frames, codings: pd.DataFrame, coders: list[str], codebook: ThemeCodebook) -> pd.DataFrame:
    """The points these coders coded differently, with the point's text and each coder's codes."""
    review = coding.disagreements(codings, coders, codebook.names())
    review.insert(1, "Point", review["point_id"].map(frames.points.set_index("point_id")["text"]).fillna(""))
    return review.drop(columns=["point_id"])


def codebook_table(codebook: ThemeCodebook) -> pd.DataFrame:
    """The theme codebook, one row a sub-theme, its keywords and phrases joined by '; '."""
    return pd.DataFrame([{"Theme": c.theme, "Sub-theme": c.name, "Description": c.description,
                          "Keywords": "; ".join(c.keywords), "Phrases": "; ".join(c.phrases)}
                         for c in codebook.codes])
