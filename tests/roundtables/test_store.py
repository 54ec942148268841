"""Roundtables in the database (SQLite, and PostgreSQL when a server is given): migration, seed,
all-or-nothing import, coding
with history and stale-edit refusal, codebook edits, kappa from stored codings."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, inspect, select, text
from statsmodels.stats.inter_rater import cohens_kappa

from feedback import db
from feedback.errors import InputError
from feedback.roundtables import seed, store, views
from feedback.roundtables.coding import agreement
from feedback.roundtables.models import RoundtableCoding, RoundtableEvent, RoundtablePoint
from tests.roundtables.helpers import make_docx

TABLES = {"roundtable_event", "roundtable_point", "roundtable_coding", "roundtable_codebook"}


@pytest.fixture
def seeded(engine):
    assert seed.seed_if_empty(engine) == 10
    return engine


def _counts(engine) -> tuple[int, int, int, int]:
    with engine.connect() as c:
        return tuple(c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                     for t in ("roundtable_event", "roundtable_point", "roundtable_coding", "history"))


def _notes_docx(region="North East", point="Information sharing with schools is poor."):
    def build(document):
        document.add_paragraph(f"Region: {region}")
        document.add_paragraph("Date: 1 December 2021")
        document.add_paragraph("Attendees: 20")
        document.add_paragraph("Partnerships: 5")
        document.add_paragraph("Panel lead: Test Lead")
        document.add_paragraph(point, style="List Bullet")
    return make_docx(build)


def test_migration_0002_up_and_down(blank_engine):
    engine = blank_engine
    db.upgrade(engine, "0001")
    assert TABLES.isdisjoint(inspect(engine).get_table_names())
    db.upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    fks = inspect(engine).get_foreign_keys("roundtable_point")
    assert {(fk["referred_table"], tuple(fk["constrained_columns"])) for fk in fks} == {
        ("roundtable_event", ("event_id",)), ("tracker_item", ("tracker_item_id",))}
    db.downgrade(engine, "0001")
    assert TABLES.isdisjoint(inspect(engine).get_table_names())


def test_seed_loads_the_sample_once_and_totals_reconcile(seeded):
    assert seed.seed_if_empty(seeded) == 0
    frames = store.load_frames(seeded)
    total = views.event_totals(frames.events).iloc[-1]
    assert (total["Events"], total["Attendees"], total["Partnerships"]) == (10, 448, 148)
    assert len(frames.points) == 52  # 54 written, 2 near-identical merged
    assert set(frames.codings["coder"]) == {"rules"}


def test_a_bad_file_in_a_batch_leaves_nothing(seeded):
    before = _counts(seeded)
    good = ("good.docx", _notes_docx())
    with pytest.raises(InputError, match="broken.docx"):
        store.import_files(seeded, [good, ("broken.docx", b"PK\x03\x04not really")], "Ann")
    with pytest.raises(InputError, match="nodate.txt.*date"):
        store.import_files(seeded, [good, ("nodate.txt", b"Region: London\n- a point\n")], "Ann")
    sample = seed.sample_files()[0]
    with pytest.raises(InputError, match="already imported by sample data"):
        store.import_files(seeded, [good, (sample.name, sample.read_bytes())], "Ann")
    assert _counts(seeded) == before
    assert store.import_files(seeded, [good], "Ann")  # the good file alone is fine
    assert _counts(seeded)[0] == before[0] + 1


def test_a_failure_while_writing_rolls_back_the_whole_batch(seeded, monkeypatch):
    before = _counts(seeded)
    calls = {"n": 0}
    real = store.auto_code

    def failing(text, codebook):
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("disk full")
        return real(text, codebook)

    monkeypatch.setattr(store, "auto_code", failing)
    files = [("a.docx", _notes_docx("London")), ("b.docx", _notes_docx("South West", "Tier 4 beds."))]
    with pytest.raises(RuntimeError):
        store.import_files(seeded, files, "Ann")
    assert _counts(seeded) == before


def test_missing_details_come_from_the_form(engine):
    content = b"Region: Midlands\n- CAMHS waits are long.\n"
    with pytest.raises(InputError, match="Midlands"):
        store.import_files(engine, [("x.txt", content)], "Ann")
    details = {"x.txt": {"region": "East Midlands", "event_date": "2 Feb 2022", "attendees": 30,
                         "partnerships": 9, "panel_lead": "Peter Sidebotham"}}
    (event_id,) = store.import_files(engine, [("x.txt", content)], "Ann", details)
    events = store.load_frames(engine).events
    event = events.loc[events["event_id"] == event_id, ["region", "attendees"]]
    assert event.values.tolist() == [["East Midlands", 30]]


def test_recoding_changes_the_regional_count_and_is_in_history(seeded):
    cb = store.current_codebook(seeded)[0]
    frames = store.load_frames(seeded)
    before = views.themes_by_region(frames, cb)
    ne = frames.events.loc[frames.events["region"] == "North East", "event_id"].iloc[0]
    point = frames.points[(frames.points["event_id"] == ne)].iloc[0]  # rapid review timescales
    version = store.code_point(seeded, int(point["point_id"]), ["panel_engagement"], "Ann", None, "not about time")
    after = views.themes_by_region(store.load_frames(seeded), cb)
    assert after.loc["rapid_review_timescales", "North East"] == before.loc["rapid_review_timescales", "North East"] - 1
    assert after.loc["panel_engagement", "North East"] == before.loc["panel_engagement", "North East"] + 1
    with db.session_scope(seeded) as s:
        coding = s.execute(select(RoundtableCoding).where(RoundtableCoding.coder == "Ann")).scalar_one()
        hist = db.history_for(s, "roundtable_coding", coding.id)
    assert [(h.changed_by, h.new_value, h.reason) for h in hist] == [("Ann", '["panel_engagement"]', "not about time")]
    # Ann changes her mind from the version she saw; a second tab still on the old version is refused.
    v2 = store.code_point(seeded, int(point["point_id"]), ["panel_engagement", "information_sharing"], "Ann", version)
    with pytest.raises(db.StaleEdit) as err:
        store.code_point(seeded, int(point["point_id"]), [], "Ann", version)
    assert err.value.version == v2 and "information_sharing" in err.value.current["codes"]


def test_coding_needs_a_name_and_known_codes(seeded):
    with pytest.raises(InputError, match="name"):
        store.code_point(seeded, 1, ["information_sharing"], " ", None)
    with pytest.raises(InputError, match="automatic coder"):
        store.code_point(seeded, 1, ["information_sharing"], "rules", None)
    with pytest.raises(InputError, match="Unknown sub-theme.*nonsense"):
        store.code_point(seeded, 1, ["nonsense"], "Ann", None)


def test_kappa_from_stored_double_coding_matches_statsmodels(seeded):
    frames = store.load_frames(seeded)
    rules = frames.codings.set_index("point_id")["codes"]
    ids = list(frames.points["point_id"])[:20]
    for i, pid in enumerate(ids):
        codes = list(rules[pid])
        store.code_point(seeded, pid, codes, "Ann", None)
        store.code_point(seeded, pid, codes if i % 4 else ["information_sharing"], "Ben", None)
    cb = store.current_codebook(seeded)[0]
    result = agreement(store.load_frames(seeded).codings, "Ann", "Ben", [c.id for c in cb.codes]).set_index("code")
    assert (result["double_coded"] == 20).all()
    row = result.loc["information_sharing"]
    table = np.array([[row["both_yes"], row["only_a"]], [row["only_b"], row["both_no"]]])
    assert row["kappa"] == pytest.approx(cohens_kappa(table).kappa)
    assert row["kappa"] < 1


def test_codebook_edit_recodes_with_rules_and_refuses_stale_or_invalid(seeded):
    cb, toml, version = store.current_codebook(seeded)
    edited = toml.replace('keywords = ["newsletter*", "webinar*", "network*"]',
                          'keywords = ["newsletter*", "webinar*", "network*", "workforce"]')
    assert edited != toml
    changed = store.save_codebook(seeded, edited, "Ann", version, "workforce is engagement")
    assert changed == 1  # the London workforce point
    frames = store.load_frames(seeded)
    assert views.themes_by_region(frames, store.current_codebook(seeded)[0]).loc["panel_engagement", "London"] == 1
    with pytest.raises(db.StaleEdit):
        store.save_codebook(seeded, toml, "Ben", version)
    before = _counts(seeded)
    with pytest.raises(InputError, match="not valid TOML"):
        store.save_codebook(seeded, "[[themes]\n", "Ben", version + 1)
    assert _counts(seeded) == before


def test_remove_event_takes_its_points_and_codings(seeded):
    with db.session_scope(seeded) as s:
        event = s.execute(select(RoundtableEvent).order_by(RoundtableEvent.id)).scalars().first()
        event_id, version = event.id, event.version
    store.remove_event(seeded, event_id, version, "Ann", "imported twice by mistake")
    with db.session_scope(seeded) as s:
        assert s.execute(select(func.count()).select_from(RoundtablePoint).where(
            RoundtablePoint.event_id == event_id)).scalar_one() == 0
        assert db.history_for(s, "roundtable_event", event_id)[-1].field == "removed"


def test_long_headings_and_titles_are_cut_not_refused(engine):
    title, heading = "T" * 400, "H" * 400
    content = (f"# {title}\nRegion: London\nDate: 1 May 2021\nAttendees: 3\nPartnerships: 1\nPanel lead: X\n\n"
               f"## {heading}\n- a point\n")
    (event_id,) = store.import_files(engine, [("long.md", content.encode())], "Ann")
    frames = store.load_frames(engine)
    assert frames.events.loc[0, "title"] == "T" * 300 and frames.points.loc[0, "section"] == "H" * 300
