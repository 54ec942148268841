"""Audits in the database: the sample, entering and importing (all or nothing), corrections with history."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from feedback import db
from feedback.audits import seed, store, summaries
from feedback.audits.entry import columns, read_audits
from feedback.audits.framework import load_framework
from feedback.audits.models import Audit, AuditCode, AuditScore, Partnership, YearlyReport
from feedback.audits.register import read_register
from feedback.errors import InputError

FW = load_framework("wt2018")


def counts(engine) -> dict:
    with db.session_scope(engine) as s:
        return {m.__name__: s.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (Partnership, YearlyReport, Audit, AuditScore, AuditCode, db.History)}


def form_values(partnership, year="2020-21", score="Fully evidenced", **over):
    values = {"partnership": partnership, "reporting_year": year, "auditor": "Panel analyst",
              "audited_on": "2022-07-01", "priorities": ["Neglect"], "practice_themes": [], "notes": ""}
    for c in FW.criteria:
        values |= {c.id: score, f"{c.id}_page": "4" if score != "Not evidenced" else "", f"{c.id}_quote": ""}
    return values | over


@pytest.fixture
def seeded(engine):
    assert seed.seed_if_empty(engine) == 86
    return engine


def test_seeded_database_reproduces_the_published_figures(seeded):
    assert seed.seed_if_empty(seeded) == 0                       # only into an empty database
    frames = store.load_frames(seeded)
    check = summaries.published_check(frames, FW, frames["register"])
    assert check["matches"].all(), check.to_string()
    assert frames["audits"]["is_sample"].all()


def test_entering_an_audit_changes_the_summary_and_writes_history(seeded):
    name = "London sample partnership 01"
    frames = store.load_frames(seeded)
    assert not ((frames["audits"]["partnership"] == name) & (frames["audits"]["reporting_year"] == "2020-21")).any()
    before = summaries.criterion_summary(frames, FW, year="2020-21").set_index("criterion")
    audit_id = store.enter_audit(seeded, form_values(name, score="Not evidenced"), FW, who="Asha Patel")
    after = summaries.criterion_summary(store.load_frames(seeded), FW, year="2020-21").set_index("criterion")
    assert after.loc["independent_scrutiny", "n"] == 19
    assert after.loc["independent_scrutiny", "not_evidenced"] == before.loc["independent_scrutiny", "not_evidenced"] + 1
    hist = store.history(seeded, "audit", audit_id)
    assert hist[["changed_by", "field"]].values.tolist() == [["Asha Patel", "entered"]]
    assert "independent_scrutiny=not" in hist["new_value"].iloc[0]


def test_an_audit_needs_a_name_and_good_values(seeded):
    before = counts(seeded)
    with pytest.raises(InputError, match="Give your name first"):
        store.enter_audit(seeded, form_values("London sample partnership 01"), FW, who=" ")
    with pytest.raises(InputError, match="has no page reference"):
        store.enter_audit(seeded, form_values("London sample partnership 01", impact_page=""), FW, who="A")
    with pytest.raises(InputError, match="not on the register"):
        store.enter_audit(seeded, form_values("Nowhere partnership"), FW, who="A")
    assert counts(seeded) == before


def _import_csv(rows) -> bytes:
    return pd.DataFrame(rows, columns=columns(FW)).to_csv(index=False).encode()


def test_failed_imports_leave_nothing_behind(seeded):
    before = counts(seeded)
    regions = store.partnership_regions(seeded)
    good = form_values("London sample partnership 01") | {"priorities": "Neglect", "practice_themes": ""}
    bad = form_values("London sample partnership 02") | {"priorities": "Neglect", "practice_themes": "",
                                                         "impact": "Mostly"}
    with pytest.raises(InputError, match="Row 3"):
        read_audits("a.csv", _import_csv([good, bad]), FW, regions)
    # every row valid on its own, but the second report is already audited: the first is not kept either
    frames = store.load_frames(seeded)
    done = frames["audits"].query("reporting_year == '2020-21'")["partnership"].iloc[0]
    rows = [good, form_values(done) | {"priorities": "", "practice_themes": ""}]
    records = read_audits("a.csv", _import_csv(rows), FW, regions)
    with pytest.raises(InputError, match=f"the 2020-21 report of {done} is already audited"):
        store.add_audits(seeded, records, who="Importer")
    assert counts(seeded) == before
    # and the good row alone goes in, with its history
    assert len(store.add_audits(seeded, records[:1], who="Importer")) == 1
    after = counts(seeded)
    assert (after["Audit"], after["History"]) == (before["Audit"] + 1, before["History"] + 1)


def test_correcting_a_score_uses_the_version_seen_and_records_old_and_new(seeded):
    frames = store.load_frames(seeded)
    row = frames["scores"].query("criterion == 'impact' and score == 'not'").iloc[0]
    diff = store.edit_score(seeded, int(row["score_id"]), int(row["version"]),
                            {"score": "Partly evidenced", "page": "17", "quote": "Families said so"}, FW,
                            who="Reviewer", reason="second reading")
    assert diff["score"] == ("not", "partly")
    hist = store.history(seeded, "audit_score", int(row["score_id"]))
    assert set(hist["field"]) == {"score", "page", "quote"}
    assert (hist["changed_by"] == "Reviewer").all() and (hist["reason"] == "second reading").all()
    # a second person still looking at the old version is refused, and nothing changes
    with pytest.raises(db.StaleEdit) as err:
        store.edit_score(seeded, int(row["score_id"]), int(row["version"]), {"score": "Fully evidenced"}, FW,
                         who="Other")
    assert err.value.current["score"] == "partly"
    # a correction that breaks a rule is refused too
    with pytest.raises(InputError, match="has no page reference"):
        store.edit_score(seeded, int(row["score_id"]), int(row["version"]) + 1, {"page": ""}, FW, who="Reviewer")


def test_register_dates_are_edited_with_history_and_stale_edits_refused(seeded):
    reg = store.load_register(seeded)
    row = reg[(reg["reporting_year"] == "2020-21") & reg["received_on"].isna()].iloc[0]
    store.set_received(seeded, int(row["report_id"]), int(row["version"]), dt.date(2022, 5, 20), who="Clerk")
    rate = store.load_frames(seeded)["register"]
    from feedback.audits.register import submission_rate

    assert submission_rate(rate, "2020-21", dt.date(2022, 6, 1)).iloc[-1]["received"] == 68
    with pytest.raises(db.StaleEdit):
        store.set_received(seeded, int(row["report_id"]), int(row["version"]), None, who="Other clerk")
    assert store.history(seeded, "audit_yearly_report", int(row["report_id"]))["changed_by"].tolist()[-1] == "Clerk"


def test_register_import_with_a_region_clash_saves_nothing(seeded):
    before = counts(seeded)
    csv = (b"partnership,region,reporting_year,received_on\n"
           b"New sample partnership,London,2021-22,2023-01-05\n"
           b"London sample partnership 01,South West,2021-22,2023-01-05\n")
    with pytest.raises(InputError, match="London sample partnership 01 is on the register in London, not South West"):
        store.save_register(seeded, read_register("r.csv", csv), who="Clerk")
    assert counts(seeded) == before
    ok = csv.replace(b"South West", b"London")
    assert store.save_register(seeded, read_register("r.csv", ok), who="Clerk") == {
        "partnerships": 1, "reports": 2, "dates": 0}


def test_migration_0003_goes_up_from_0002_and_back(blank_engine):
    db.upgrade(blank_engine, "0002")
    db.upgrade(blank_engine)
    assert db.current_revision(blank_engine) == "0003" or db.current_revision(blank_engine) > "0003"
    db.downgrade(blank_engine, "0002")
    from sqlalchemy import inspect

    assert "audit" not in inspect(blank_engine).get_table_names()
    db.upgrade(blank_engine)
    assert "audit_score" in inspect(blank_engine).get_table_names()


def test_a_finding_becomes_a_tracker_item_with_history(seeded):
    from feedback.tracker.models import Item

    frames = store.load_frames(seeded)
    row = summaries.criterion_summary(frames, FW, year="2020-21").set_index("criterion").loc["impact"]
    text = summaries.finding_text(row)
    assert text.startswith("7 of 18 audited 2020-21 yearly reports (39%; 95% interval 20% to 61%)")
    ref = store.raise_finding(seeded, text=text, reporting_year="2020-21", criterion="impact", framework=FW,
                              region="London", who="Panel analyst")
    ref2 = store.raise_finding(seeded, text="Second finding", reporting_year="2020-21", who="Panel analyst")
    assert (ref, ref2) == ("YRA-2020-21-01", "YRA-2020-21-02")
    with db.session_scope(seeded) as s:
        item = s.scalars(select(Item).where(Item.reference == ref)).one()
        assert (item.source, item.regions, item.text) == ("yearly-report audit", "London", text)
        assert "Impact on children and families" in item.source_detail
        assert [h.changed_by for h in db.history_for(s, "tracker_item", item.id)] == ["Panel analyst"]
    assert store.findings(seeded)["criterion"].tolist() == ["impact", ""]
    with pytest.raises(InputError, match="Write the finding first"):
        store.raise_finding(seeded, text="  ", reporting_year="2020-21", who="A")
