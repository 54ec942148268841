"""The public progress record ("You said, we did"): the publish flag and date revisions under
the roles, reasons for revised dates, public statuses, the record's files, and --as-of."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import inspect, select, text

from feedback import access, db
from feedback.__main__ import main
from feedback.errors import Refused
from feedback.tracker import record, seed, service
from feedback.tracker.models import Action, Item, Response
from feedback.tracker.service import NO_REVISION_REASON, TrackerError

VIEWER = access.User(name="Vi Viewer", email="vi@example.gov.uk", role=access.VIEWER, signed_in=True)
LONDON_LEAD = access.User(name="Lee Lead", email="lee@example.gov.uk", role=access.REGIONAL_LEAD,
                          region="London", signed_in=True)
EDITOR = access.User(name="Ed Editor", email="ed.editor@example.gov.uk", role=access.EDITOR, signed_in=True)


def _point(session, ref="P-1", regions="", due=dt.date(2024, 3, 31), who=EDITOR, **action):
    item = service.create_item(session, who, reference=ref, text=f"Point {ref} raised", source="roundtable event",
                               regions=regions, themes="information sharing")
    response = service.create_response(session, item, who, decision="accepted", text=f"Response to {ref}")
    act = service.create_action(session, item, who, reference=f"{ref}/1", description=f"Do {ref}",
                                owner="Team A", due_date=due, **action)
    return item, response, act


# --------------------------------------------------------------------------- statuses


@pytest.mark.parametrize("status, due, revised, expected", [
    ("not started", dt.date(2024, 6, 1), None, "Not started"),        # due on the day: not yet overdue
    ("not started", dt.date(2024, 5, 31), None, "Overdue"),
    ("in progress", dt.date(2024, 7, 1), None, "In progress"),
    ("in progress", dt.date(2024, 1, 1), None, "Overdue"),
    ("in progress", dt.date(2024, 1, 1), dt.date(2024, 12, 1), "In progress"),  # revised date not passed
    ("in progress", dt.date(2024, 12, 1), dt.date(2024, 5, 1), "Overdue"),      # the current date counts
    ("in progress", None, None, "In progress"),                      # no target date: never overdue
    ("complete", dt.date(2020, 1, 1), None, "Complete"),             # complete is never overdue
    ("closed", dt.date(2020, 1, 1), None, "Closed"),
    ("overtaken by events", dt.date(2020, 1, 1), None, "Closed"),
])
def test_public_status_in_words(status, due, revised, expected):
    assert record.public_status(status, due, revised, dt.date(2024, 6, 1)) == expected


def test_on_time_is_against_the_original_target_date():
    as_of = dt.date(2024, 6, 1)
    early = {"status": "complete", "due_date": dt.date(2024, 3, 31), "completed_on": dt.date(2024, 3, 31)}
    late = {"status": "complete", "due_date": dt.date(2024, 3, 31), "completed_on": dt.date(2024, 4, 2)}
    open_late = {"status": "in progress", "due_date": dt.date(2024, 3, 31), "completed_on": None}
    not_due = {"status": "in progress", "due_date": dt.date(2024, 9, 1), "completed_on": None}
    assert [record.on_time(a) for a in (early, late, open_late)] == [True, False, False]
    assert [record.counts_towards_on_time(a, as_of) for a in (early, late, open_late, not_due)] == \
        [True, True, True, False]
    assert [record.days_late(a, as_of) for a in (early, late, open_late, not_due)] == [0, 2, 62, 0]


# --------------------------------------------------------------------------- roles and rules


def _refused(engine, model, ref, call, match):
    """A refusal is logged in its own transaction, so it is tried in a session that has written nothing."""
    with pytest.raises(Refused, match=match), db.session_scope(engine) as session:
        obj = session.scalar(select(model).join(Item).where(Item.reference == ref))
        call(session, obj)


def test_publish_flag_follows_the_roles_and_is_in_history(engine):
    with db.session_scope(engine) as session:
        for ref, regions in (("N-1", ""), ("L-1", "London"), ("Y-1", "Yorkshire and the Humber")):
            _point(session, ref, regions=regions)
    publish = lambda who: (lambda session, r: service.set_published(session, r, r.version, True, who))  # noqa: E731
    _refused(engine, Response, "N-1", publish(VIEWER), "Only editors can change responses")
    _refused(engine, Response, "Y-1", publish(LONDON_LEAD), "regional lead for London")
    _refused(engine, Response, "N-1", publish(LONDON_LEAD), "regional lead for London")
    with db.session_scope(engine) as session:
        by_ref = {r.item.reference: r for r in session.scalars(select(Response))}
        national, london, leeds = by_ref["N-1"], by_ref["L-1"], by_ref["Y-1"]
        service.set_published(session, london, 1, True, LONDON_LEAD)
        service.set_published(session, national, 1, True, EDITOR, "Agreed at the Panel meeting")
        assert (national.published, london.published, leeds.published) == (True, True, False)
        rows = [(h.field, h.old_value, h.new_value, h.changed_by, h.reason)
                for h in db.history_for(session, "tracker_response", national.id)]
        assert rows[-1] == ("published", "false", "true", "Ed Editor (ed.editor@example.gov.uk)",
                            "Agreed at the Panel meeting")
        assert db.history_for(session, "tracker_response", london.id)[-1].changed_by == \
            "Lee Lead (lee@example.gov.uk)"
        # the version check applies: an edit on the version seen before is refused, not overwritten
        with pytest.raises(db.StaleEdit):
            service.set_published(session, national, 1, False, EDITOR)
        assert national.published is True


def test_revised_target_date_needs_a_reason_and_every_revision_is_kept(engine):
    with db.session_scope(engine) as session:
        _, _, action = _point(session, "N-1", due=dt.date(2024, 3, 31))
        with pytest.raises(TrackerError) as err:
            service.edit(session, action, 1, {"revised_due_date": dt.date(2024, 6, 30)}, EDITOR)
        assert str(err.value) == NO_REVISION_REASON and "\n" not in str(err.value)
        with pytest.raises(TrackerError, match="give the reason for the revision"):  # blanks are no reason
            service.edit(session, action, 1, {"revised_due_date": dt.date(2024, 6, 30), "revision_reason": "  "},
                         EDITOR, "   ")
        with pytest.raises(TrackerError, match="give the reason"):  # the original date, once set, too
            service.edit(session, action, 1, {"due_date": dt.date(2024, 4, 30)}, EDITOR)
        assert (action.revised_due_date, action.version) == (None, 1)
        service.edit(session, action, 1, {"revised_due_date": dt.date(2024, 6, 30),
                                          "revision_reason": "The data arrived late."}, EDITOR)
        with pytest.raises(TrackerError, match="give the reason"):  # the old reason is not a new one
            service.edit(session, action, 2, {"revised_due_date": dt.date(2024, 9, 30),
                                              "revision_reason": "The data arrived late."}, EDITOR)
        # the edit's reason becomes the public one when no other is given
        service.edit(session, action, 2, {"revised_due_date": dt.date(2024, 9, 30)}, EDITOR, "Staff left.")
        assert (action.revised_due_date, action.revision_reason) == (dt.date(2024, 9, 30), "Staff left.")
        changes = [(h.field, h.new_value) for h in db.history_for(session, "tracker_action", action.id)
                   if h.field in ("revised_due_date", "revision_reason")]
        assert changes == [("revised_due_date", "2024-06-30"), ("revision_reason", "The data arrived late."),
                           ("revised_due_date", "2024-09-30"), ("revision_reason", "Staff left.")]
        with pytest.raises(TrackerError, match="give the reason"):  # at creation too
            service.create_action(session, session.get(Item, action.item_id), EDITOR, reference="N-1/2",
                                  description="d", due_date=dt.date(2024, 1, 1), revised_due_date=dt.date(2024, 2, 1))


def test_date_revisions_follow_the_roles(engine):
    with db.session_scope(engine) as session:
        _point(session, "N-1")
        _point(session, "L-1", regions="London")
    change = {"revised_due_date": dt.date(2024, 6, 30), "revision_reason": "Waiting for the new guidance."}
    revise = lambda who: (lambda session, a: service.edit(session, a, a.version, change, who))  # noqa: E731
    _refused(engine, Action, "N-1", revise(VIEWER), "Only editors can change actions")
    _refused(engine, Action, "N-1", revise(LONDON_LEAD), "regional lead for London")
    with db.session_scope(engine) as session:
        by_ref = {a.reference: a for a in session.scalars(select(Action))}
        service.edit(session, by_ref["L-1/1"], 1, change, LONDON_LEAD)
        service.edit(session, by_ref["N-1/1"], 1, change, EDITOR)
        assert by_ref["N-1/1"].revised_due_date == by_ref["L-1/1"].revised_due_date == dt.date(2024, 6, 30)
        assert by_ref["N-1/1"].revision_reason == "Waiting for the new guidance."


def test_completion_is_dated_and_reopening_clears_it(engine):
    with db.session_scope(engine) as session:
        _, _, action = _point(session, "N-1")
        service.edit(session, action, 1, {"status": "complete", "evidence": "https://example.org/report"}, EDITOR)
        assert action.completed_on == dt.date.today()
        service.edit(session, action, 2, {"status": "in progress"}, EDITOR)
        assert action.completed_on is None
        service.edit(session, action, 3, {"status": "complete", "completed_on": dt.date(2024, 3, 1)}, EDITOR)
        assert action.completed_on == dt.date(2024, 3, 1)


# --------------------------------------------------------------------------- the files


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _hostile_tracker(session):
    """Published and unpublished points with text that must be escaped, neutralised or kept out."""
    item, response, action = _point(session, "H-1", regions="London", due=dt.date(2024, 3, 31))
    service.edit(session, item, item.version, {"text": "<script>alert(1)</script> raised by ann@example.org"},
                 EDITOR)
    service.edit(session, response, response.version,
                 {"text": "=HYPERLINK(\"http://evil\")", "decided_by": "Dana Decider", "published": True}, EDITOR)
    service.edit(session, action, action.version, {
        "owner": "Olive Owner-Secret", "completion_criteria": "INTERNAL-CRITERIA", "rag": "red",
        "status": "complete", "completed_on": dt.date(2024, 3, 30),
        "evidence": "Minutes https://example.org/minutes?a=1&b=2. Ask ed@example.gov.uk; javascript:alert(1)",
    }, EDITOR)
    hidden, _, _ = _point(session, "U-1")
    service.edit(session, hidden, hidden.version, {"text": "UNPUBLISHED-POINT"}, EDITOR)
    no_actions = service.create_item(session, EDITOR, reference="Q-1", text="-1 a point with no actions",
                                     source="other")
    service.create_response(session, no_actions, EDITOR, decision="noted", text="Noted.", published=True)


def test_the_three_files(engine):
    with db.session_scope(engine) as session:
        _hostile_tracker(session)
        built = record.build(session)  # today: the rows were stored today
    files = record.files(built)
    page = files["index.html"].decode("utf-8")

    outline = _Outline()
    outline.feed(page)
    tags = [t for t, _ in outline.tags]
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in page
    assert tags.count("title") == 1 and tags.count("h1") == 1 and outline.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(outline.headings, outline.headings[1:])), outline.headings
    assert tags.count("table") == tags.count("caption") == 2
    assert all(a.get("scope") in ("col", "row") for t, a in outline.tags if t == "th")
    # standalone: no scripts, nothing fetched (no src, no stylesheet links, no url() in the CSS)
    assert "script" not in tags and not any("src" in a for _, a in outline.tags)
    assert "link" not in tags and "url(" not in page and "@import" not in page
    # escaped, and only http(s) addresses are links
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    hrefs = [a["href"] for t, a in outline.tags if t == "a"]
    assert hrefs == ["#main", "https://example.org/minutes?a=1&b=2"]
    assert "javascript:alert(1)" in page  # shown as text, never as a link
    # statuses in words; the summary opens the page
    assert ">Complete</strong>" in page and page.index("Summary") < page.index("Points raised")
    assert "Completed on time: 100%." in page  # H-1/1 completed the day before its target
    assert "England" in page and "London" in page

    csv_rows = _csv_rows(files["progress.csv"])
    assert csv_rows == record.read_ods(files["progress.ods"])  # the same cells, header included
    assert csv_rows[0] == record.COLUMNS
    assert [r[0] for r in csv_rows[1:]] == ["H-1", "Q-1"]  # one row per action, or per point without any
    by_point = {r[0]: dict(zip(csv_rows[0], r)) for r in csv_rows[1:]}
    assert by_point["H-1"]["Panel response"] == "'=HYPERLINK(\"http://evil\")"  # neutralised
    assert by_point["Q-1"]["What was raised"] == "'-1 a point with no actions"
    assert by_point["H-1"]["Status"] == "Complete" and by_point["H-1"]["Completed on"] == "2024-03-30"
    assert by_point["Q-1"]["Action"] == "" and by_point["H-1"]["Region"] == "London"

    # nothing internal, in any file
    for name, content in {"index.html": files["index.html"].decode(), "progress.csv": files["progress.csv"].decode(
            "utf-8-sig"), "progress.ods": repr(record.read_ods(files["progress.ods"]))}.items():
        assert record.EMAIL.search(content) is None and "ed@" not in content and "ann@" not in content, name
        assert name == "index.html" or "@" not in content, name  # (the page's CSS has "@media")
        assert record.EMAIL_REMOVED in content, name
        for internal in ("UNPUBLISHED-POINT", "U-1", "Olive Owner-Secret", "INTERNAL-CRITERIA", "Dana Decider",
                         "Ed Editor", "RAG", "version", "is_sample",
                         "Team A"):
            assert internal not in content, (name, internal)


def test_sample_record_has_the_annex_c_answers_published(sqlite_engine):
    with db.session_scope(sqlite_engine) as session:
        seed.seed(session)
        published = set(session.scalars(select(Item.reference).join(Response).where(Response.published)))
        built = record.build(session)
    assert {f"AC-0{i}" for i in range(1, 10)} <= published
    assert not {ref for ref in published if ref.startswith(("SAMPLE-", "NR-"))}
    assert [p.reference for p in built.points][:9] == [f"AC-0{i}" for i in range(1, 10)]
    assert built.has_sample and sum(built.by_status().values()) == len(built.actions) > 0
    revised = next(a for a in built.actions if a.reference == "SAMPLE-AC-02/1")
    assert revised.revisions == [(dt.date(2023, 9, 30), "Sample: the guidance update it joins moved from June to "
                                                         "September.")]


# --------------------------------------------------------------------------- as of a date


def test_as_of_rebuilds_the_record_from_the_history(engine, monkeypatch):
    day = dt.date.today()
    with db.session_scope(engine) as session:
        seed.seed(session)
        earlier = record.files(record.build(session, day))

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    monkeypatch.setattr(db, "utcnow", lambda: later)  # everything below happens 40 days on
    with db.session_scope(engine) as session:
        by_ref = {i.reference: i for i in session.scalars(select(Item))}
        ac01, ne1 = by_ref["AC-01"].response, by_ref["SAMPLE-NE-1"].response
        service.set_published(session, ac01, ac01.version, False, EDITOR)
        service.set_published(session, ne1, ne1.version, True, EDITOR)
        ac02 = by_ref["AC-02"]
        service.edit(session, ac02.response, ac02.response.version, {"text": "A new wording."}, EDITOR)
        a = session.scalar(select(Action).where(Action.reference == "SAMPLE-AC-02/1"))
        service.edit(session, a, a.version, {"revised_due_date": dt.date(2030, 1, 31),
                                             "revision_reason": "Moved again."}, EDITOR)
        b = session.scalar(select(Action).where(Action.reference == "SAMPLE-AC-06/1"))
        service.edit(session, b, b.version, {"status": "complete", "evidence": "https://example.org/done"}, EDITOR)
        new = service.create_item(session, EDITOR, reference="NEW-1", text="A new point", source="other")
        service.create_response(session, new, EDITOR, decision="accepted", text="Yes.", published=True)
        service.create_action(session, new, EDITOR, reference="NEW-1/1", description="New action",
                              due_date=dt.date(2031, 1, 1))
        again = record.files(record.build(session, day))
        now = record.build(session, later.date())

    assert again["index.html"] == earlier["index.html"]
    assert again["progress.csv"] == earlier["progress.csv"]
    assert record.read_ods(again["progress.ods"]) == record.read_ods(earlier["progress.ods"])
    # and the later record does show the changes
    refs = [p.reference for p in now.points]
    assert "AC-01" not in refs and "SAMPLE-NE-1" in refs and "NEW-1" in refs
    moved = next(x for x in now.actions if x.reference == "SAMPLE-AC-02/1")
    assert moved.current_due == dt.date(2030, 1, 31) and [r for _, r in moved.revisions][-1] == "Moved again."
    assert len(moved.revisions) == 2  # the revision at creation, kept, and the new one
    assert next(x for x in now.actions if x.reference == "SAMPLE-AC-06/1").status == "Complete"
    assert now.last_updated == later.date()


def test_cli_publish_writes_the_three_files(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["tracker", "seed", "--database", url]) == 0
    out = tmp_path / "record"
    assert main(["tracker", "publish", "--database", url, "--out", str(out), "--as-of", "2024-01-31"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "progress.csv", "progress.ods"]
    # as of a day before the sample was stored, nothing had been published yet
    assert "No points have been published yet." in (out / "index.html").read_text()
    assert main(["tracker", "publish", "--database", url, "--out", str(out)]) == 0
    assert "AC-09" in (out / "index.html").read_text()
    capsys.readouterr()
    assert main(["tracker", "publish", "--database", url, "--out", str(out), "--as-of", "31/01/2024"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


# --------------------------------------------------------------------------- the migration


def test_migration_0006_up_and_down_keeps_the_tracker(blank_engine):
    db.upgrade(blank_engine, "0005")
    with blank_engine.begin() as conn:
        conn.execute(text("INSERT INTO tracker_item (id, reference, text, source, created_at) "
                          "VALUES (1, 'T-1', 'A point', 'other', '2024-05-01 10:00:00')"))
        conn.execute(text("INSERT INTO tracker_response (id, item_id, decision, created_at) "
                          "VALUES (1, 1, 'accepted', '2024-05-01 10:00:00')"))
        conn.execute(text("INSERT INTO tracker_action (id, item_id, reference, description, status, evidence, "
                          "created_at) VALUES (1, 1, 'T-1/1', 'Do it', 'complete', 'Done', '2024-05-01 10:00:00')"))
        conn.execute(text("INSERT INTO history (entity, entity_id, field, old_value, new_value, changed_by, "
                          "changed_at, reason) VALUES ('tracker_action', '1', 'status', 'in progress', 'complete', "
                          "'Ann', '2024-05-20 09:00:00', '')"))
    db.upgrade(blank_engine, "0006")
    with blank_engine.connect() as conn:
        assert conn.execute(text("SELECT published FROM tracker_response")).scalar() in (False, 0)
        row = conn.execute(text("SELECT revision_reason, completed_on FROM tracker_action")).one()
    assert row[0] == "" and str(row[1]) == "2024-05-20"  # completion date from the history
    db.downgrade(blank_engine, "0005")
    with blank_engine.connect() as conn:
        assert conn.execute(text("SELECT reference FROM tracker_action")).scalar() == "T-1/1"
        columns = {c["name"] for c in inspect(conn).get_columns("tracker_action")}
    assert "completed_on" not in columns and "revision_reason" not in columns
    db.upgrade(blank_engine)
    assert db.current_revision(blank_engine) == "0006"


def test_lateness_by_owner_and_theme_for_the_dashboard(sqlite_engine):
    with db.session_scope(sqlite_engine) as session:
        a_item, _, a = _point(session, "A-1", due=dt.date(2024, 3, 31))
        _, _, b = _point(session, "B-1", due=dt.date(2024, 3, 31))
        _, _, c = _point(session, "C-1", due=dt.date(2099, 1, 1))   # not due yet: not counted
        service.edit(session, a_item, a_item.version, {"themes": "information sharing; neglect"}, EDITOR)
        service.edit(session, a, 1, {"status": "complete", "evidence": "e", "completed_on": dt.date(2024, 3, 1)},
                     EDITOR)
        service.edit(session, b, 1, {"status": "complete", "evidence": "e", "completed_on": dt.date(2024, 4, 10),
                                     "owner": "Team B"}, EDITOR)
        items, actions = service.filtered(session)
    late = service.lateness(items, actions, dt.date(2024, 6, 1))
    assert late["on_time"] == (1, 2)
    owners = late["by_owner"].set_index("owner")
    assert owners.loc["Team B", ["actions due", "late", "days late (median)"]].tolist() == [1, 1, 10.0]
    assert owners.loc["Team A", ["actions due", "late"]].tolist() == [1, 0]
    themes = late["by_theme"].set_index("theme")
    assert themes.loc["information sharing", ["actions due", "late", "share late"]].tolist() == [2, 1, 0.5]
    assert themes.loc["neglect", ["actions due", "late"]].tolist() == [1, 0]


def test_publishing_and_the_record_work_as_the_app_role(app_engine):
    """On PostgreSQL the app role has only the rights grant_app_rights gives: enough to publish,
    revise a date (history rows inserted, never changed) and build the record."""
    with db.session_scope(app_engine) as session:
        _, response, action = _point(session, "A-1")
    with db.session_scope(app_engine) as session:
        response = session.get(Response, response.id)
        action = session.get(Action, action.id)
        service.set_published(session, response, 1, True, EDITOR)
        service.edit(session, action, 1, {"revised_due_date": dt.date(2024, 9, 30),
                                          "revision_reason": "Moved to autumn."}, EDITOR)
    with db.session_scope(app_engine) as session:
        built = record.build(session)
    assert [p.reference for p in built.points] == ["A-1"]
    assert built.actions[0].revisions == [(dt.date(2024, 9, 30), "Moved to autumn.")]
