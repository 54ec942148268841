"""Roles in the service layer: every write operation, for every role, is either done or
refused with a clear message (and the refusal is in the access log, nothing else changes).

viewer: everything refused. editor: everything but the admin-only operations (delete,
imports that replace existing records, backups). regional lead for London: London's
records only. admin: everything.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil

import openpyxl
import pytest
from sqlalchemy import func, select

from feedback import access, access_log, db
from feedback.access import User
from feedback.audits import store as audit_store
from feedback.audits.framework import load_framework
from feedback.audits.models import Audit, AuditScore, Partnership, YearlyReport
from feedback.audits.register import read_register
from feedback.backup import backup_bytes
from feedback.errors import InputError, Refused
from feedback.roundtables import links
from feedback.roundtables import store as rt_store
from feedback.roundtables.models import RoundtableEvent, RoundtablePoint
from feedback.tracker import service
from feedback.tracker.models import Item
from feedback.tracker.spreadsheet import export_workbook, import_workbook

pytestmark = pytest.mark.timeout(600)
FW = load_framework("wt2018")

VIEWER = User("Vera Viewer", "vera@example.org", access.VIEWER, signed_in=True)
EDITOR = User("Ed Editor", "ed@example.org", access.EDITOR, signed_in=True)
LEAD = User("Lee Lead", "lee@example.org", access.REGIONAL_LEAD, "London", signed_in=True)
ADMIN = User("Ada Admin", "ada@example.org", access.ADMIN, signed_in=True)
ROLES = {"viewer": VIEWER, "editor": EDITOR, "London lead": LEAD, "admin": ADMIN}


# --------------------------------------------------------------------------- the rules themselves


def test_messages_say_what_is_refused_and_whom_to_ask():
    with pytest.raises(Refused, match=r"^Only editors can change responses: ask an admin for access\.$"):
        access.require(VIEWER, access.EDIT, "London", what="responses")
    with pytest.raises(Refused, match="As regional lead for London you can change only London's tracker items; "
                                      "this is for North East"):
        access.require(LEAD, access.EDIT, "North East", what="tracker items")
    with pytest.raises(Refused, match="this is national"):
        access.require(LEAD, access.EDIT, None, what="tracker items")
    with pytest.raises(Refused, match="^Only admins can delete roundtable events"):
        access.require(EDITOR, access.DELETE, "London", what="roundtable events")
    assert access.require(LEAD, access.EDIT, "South East; London") is LEAD  # tagged with London among others
    assert access.require(ADMIN, access.DELETE) is ADMIN
    assert access.require("Local Person", access.BACKUP).role == access.ADMIN  # a typed name: local mode


def test_roles_come_from_the_secrets_and_the_strongest_wins():
    rules = access.role_rules({
        "default": "viewer",
        "people": {"Ed@Example.org": "editor", "lee@example.org": "regional lead: london"},
        "claim": "roles",
        "claim_roles": {"Feedback.Admin": "admin", "Feedback.Lead.NE": "regional_lead: North East"},
    })
    ok = {"email_verified": True}
    assert rules.role_for({"email": "ed@example.org", **ok}) == ("editor", None)
    assert rules.role_for({"email": "lee@example.org", **ok}) == ("regional lead", "London")
    assert rules.role_for({"email": "someone@example.org", **ok}) == ("viewer", None)
    assert rules.role_for({"email": "ed@example.org", "roles": ["Feedback.Admin"], **ok}) == ("admin", None)
    assert rules.role_for({"email": "x@example.org", "roles": "Feedback.Lead.NE"}) == ("regional lead", "North East")
    user = access.signed_in_user({"email": "lee@example.org", "name": "Lee\n  Lead", "sub": "1", **ok}, rules)
    assert (user.label, user.role_words, user.signed_in) == ("Lee Lead (lee@example.org)",
                                                             "regional lead for London", True)


VERIFY_RULES = {"default": "viewer", "people": {"ada.admin@example.gov.uk": "admin"}}


@pytest.mark.parametrize(("claims", "expected"), [
    ({"email": "ADA.Admin@Example.gov.uk", "email_verified": False}, "viewer"),
    ({"email": "ada.admin@example.gov.uk"}, "viewer"),                              # no email_verified at all
    ({"email": "ada.admin@example.gov.uk", "email_verified": "false"}, "viewer"),
    ({"email": "ada.admin@example.gov.uk", "email_verified": 1}, "viewer"),          # only true is true
    ({"name": "Ada Admin"}, "viewer"),                                               # no e-mail: the default
    ({"name": "Ada Admin", "email": "", "email_verified": True}, "viewer"),
    ({"email": "ADA.Admin@Example.gov.uk", "email_verified": True}, "admin"),       # verified, any case
    ({"email": "ada.admin@example.gov.uk", "email_verified": "true"}, "admin"),      # some providers send text
], ids=["unverified other case", "verification missing", "false as text", "1", "no e-mail",
        "empty e-mail", "verified other case", "true as text"])
def test_roles_are_matched_on_a_verified_email_only(claims, expected):
    rules = access.role_rules(VERIFY_RULES)
    user = access.signed_in_user({"sub": "s1", **claims}, rules)
    assert user.role == expected
    assert (user.email != "") == (expected == "admin")  # an unverified e-mail is not kept as theirs
    assert (not user.can(access.SEE_ACCESS_LOG)) == (expected == "viewer")


def test_the_deployment_may_say_its_providers_emails_are_verified():
    """Entra ID's ID tokens carry no email_verified: the deployment vouches for them instead."""
    claims = {"sub": "s1", "name": "Ada Admin", "email": "Ada.Admin@example.gov.uk"}
    assert access.signed_in_user(claims, access.role_rules(VERIFY_RULES)).role == "viewer"
    trusted = access.role_rules({**VERIFY_RULES, "emails_verified": True})
    user = access.signed_in_user(claims, trusted)
    assert (user.role, user.label) == ("admin", "Ada Admin (Ada.Admin@example.gov.uk)")
    assert access.signed_in_user({"sub": "s2", "name": "Ada Admin"}, trusted).role == "viewer"  # still no e-mail
    with pytest.raises(InputError, match="emails_verified must be true or false"):
        access.role_rules({**VERIFY_RULES, "emails_verified": "yes"})


@pytest.mark.parametrize("emails_verified", [False, True])
def test_a_display_name_never_reads_like_someone_elses_label(emails_verified):
    rules = access.role_rules({**VERIFY_RULES, "emails_verified": emails_verified})
    ada = access.signed_in_user({"sub": "a", "name": "Ada", "email": "ada.admin@example.gov.uk",
                                 "email_verified": True}, rules)
    assert ada.label == "Ada (ada.admin@example.gov.uk)"
    for claims in ({"sub": "m", "name": "Ada (ada.admin@example.gov.uk)"},
                   {"sub": "m", "name": "Mallory (ada.admin@example.gov.uk)"},
                   {"sub": "m", "name": "Ada (ada.admin@example.gov.uk)", "email": "m@example.org",
                    "email_verified": False},
                   {"sub": "m", "name": "ada.admin@example.gov.uk"},
                   {"sub": "m", "preferred_username": "ada.admin@example.gov.uk"},
                   {"sub": "Ada (ada.admin@example.gov.uk)"}):
        mallory = access.signed_in_user(claims, rules)
        assert mallory.role == "viewer", claims
        label = mallory.label
        assert "ada.admin@example.gov.uk" not in label, label
        if mallory.email:  # the deployment vouches for the provider's e-mails: their own is shown
            assert (emails_verified, label) == (True, "Ada [ada.admin at example.gov.uk] (m@example.org)")
            continue
        assert "@" not in label and label.endswith("(no verified e-mail)"), label
        assert label.count("(") == 1, label  # the one bracket says the e-mail is not verified
        assert "ada.admin@example.gov.uk" not in access_log._who(mallory)  # nor in the access log
    mallory = access.signed_in_user({"sub": "m", "name": "Mallory (ada.admin@example.gov.uk)"}, rules)
    assert mallory.label == "Mallory [ada.admin at example.gov.uk] (no verified e-mail)"
    # with a verified e-mail of their own, the bracket holds that e-mail and nothing else
    own = access.signed_in_user({"sub": "m", "name": "Mallory (ada.admin@example.gov.uk)",
                                 "email": "mallory@example.org", "email_verified": True}, rules)
    assert own.label == "Mallory [ada.admin at example.gov.uk] (mallory@example.org)"
    # a typed name in local mode follows the same rule
    assert User("Ada (ada.admin@example.gov.uk)").label == "Ada [ada.admin at example.gov.uk]"


def test_a_mistake_in_the_roles_section_is_one_clear_line():
    with pytest.raises(InputError, match=r"\[roles\].*'boss' is not one of.*'Narnia' is not one of the nine"):
        access.role_rules({"people": {"a@b.org": "boss", "c@d.org": "regional lead: Narnia"}})
    with pytest.raises(InputError, match="unknown setting"):
        access.role_rules({"admins": ["a@b.org"]})


def test_a_refusal_is_given_to_the_log_passed_in_before_it_is_raised():
    seen: list[Refused] = []
    with pytest.raises(Refused) as raised:
        access.require(VIEWER, access.EDIT, "London", what="responses", log=seen.append)
    assert seen == [raised.value] and seen[0].user is VIEWER and seen[0].regions == ("London",)
    assert access.require(EDITOR, access.EDIT, "London", log=seen.append) is EDITOR and len(seen) == 1
    with pytest.raises(TypeError, match=r"access_log\.refusals\(engine\)"):  # an engine is not a log: said at once
        access.require(EDITOR, access.EDIT, "London", log=object())


def test_refusals_are_written_to_the_access_log_in_their_own_transaction(engine):
    with pytest.raises(Refused):
        with db.session_scope(engine) as session:
            access.require(LEAD, access.EDIT, "North East", what="audits", log=access_log.refusals(session))
    refused = access_log.entries(engine, events=(access_log.REFUSED,))
    assert refused[["who", "role", "region"]].values.tolist() == [["Lee Lead", "regional lead for London",
                                                                    "North East"]]
    assert refused["what"].iloc[0].startswith("As regional lead for London you can change only London's audits")


def test_the_access_log_is_append_only(engine):
    access_log.record(engine, EDITOR, access_log.EXPORT, "a table", "London")
    with db.session_scope(engine) as s:
        s.execute(select(access_log.AccessEntry)).scalars().one()
    from sqlalchemy import text

    for statement in ("UPDATE access_log SET who = 'someone else'", "DELETE FROM access_log"):
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    assert access_log.entries(engine)[["who", "event", "what", "region"]].values.tolist() == [
        ["Ed Editor", "export", "a table", "London"]]


def test_migration_0005_goes_up_and_back(blank_engine):
    from sqlalchemy import inspect

    db.upgrade(blank_engine, "0005")
    assert "access_log" in inspect(blank_engine).get_table_names()
    db.downgrade(blank_engine, "0004")
    assert "access_log" not in inspect(blank_engine).get_table_names()


# --------------------------------------------------------------------------- every write, every role


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory):
    from feedback.sample_data import seed_if_empty

    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    engine = db.get_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    seed_if_empty(engine)
    engine.dispose()
    return path


@pytest.fixture
def fresh(seeded_file, tmp_path):
    path = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_file, path)
    engine = db.get_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _item(s, region: str | None) -> Item:
    where = Item.regions == "" if region is None else Item.regions == region
    return s.scalars(select(Item).where(where).order_by(Item.id)).first()


def _point(engine, region: str) -> tuple[int, int]:
    with db.session_scope(engine) as s:
        p = s.execute(select(RoundtablePoint).join(RoundtableEvent).where(
            RoundtableEvent.region == region, RoundtablePoint.tracker_item_id.is_(None))
            .order_by(RoundtablePoint.id)).scalars().first()
        return p.id, p.version


def _score(engine, region: str) -> AuditScore:
    with db.session_scope(engine) as s:
        return s.execute(select(AuditScore).join(Audit).join(Partnership).where(Partnership.region == region)
                         .order_by(AuditScore.id)).scalars().first()


def edit_item(engine, who, region):
    with db.session_scope(engine) as s:
        item = _item(s, region)
        service.edit(s, item, item.version, {"text": item.text + " (edited)"}, who, "test")


def create_item(engine, who, region):
    with db.session_scope(engine) as s:
        service.create_item(s, who, reference="T-NEW", text="A new point", source="other", regions=region or "")


def create_action(engine, who, region):
    with db.session_scope(engine) as s:
        service.create_action(s, _item(s, region), who, reference="T-NEW/1", description="Do it")


def record_response(engine, who, region):
    with db.session_scope(engine) as s:
        item = _item(s, region)
        if item.response is None:
            service.create_response(s, item, who, decision="noted", text="Noted.")
        else:
            service.edit(s, item.response, item.response.version, {"text": "Changed."}, who, "test")


def import_new_item(engine, who, region):
    book = openpyxl.load_workbook(io.BytesIO(_export(engine)))
    sheet = book["Items"]
    header = [c.value for c in sheet[1]]
    row = [None] * len(header)
    values = {"Reference": "T-IMPORT", "Text": "Imported point", "Source": "other", "Regions": region or ""}
    for name, value in values.items():
        row[header.index(name)] = value
    sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    import_workbook(engine, "tracker.xlsx", out.getvalue(), who)


def import_changing_items(engine, who, region):
    book = openpyxl.load_workbook(io.BytesIO(_export(engine)))
    sheet = book["Items"]
    header = [c.value for c in sheet[1]]
    with db.session_scope(engine) as s:
        ref = _item(s, region).reference
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Reference")].value == ref)
    row[header.index("Text")].value = "Replaced by an import"
    out = io.BytesIO()
    book.save(out)
    import_workbook(engine, "tracker.xlsx", out.getvalue(), who)


def _export(engine) -> bytes:
    with db.session_scope(engine) as s:
        return export_workbook(s)


NOTES = ("Region: {region}\nDate: 14 May 2021\nAttendees: 5\nPartnerships: 2\nPanel lead: Jo Lead\n\n"
         "## Points\n\n- Information sharing between agencies is slow.\n")


def import_notes(engine, who, region):
    rt_store.import_files(engine, [("new.md", NOTES.format(region=region).encode())], who)


def code_point(engine, who, region):
    point_id, _ = _point(engine, region)
    code = rt_store.current_codebook(engine)[0].codes[0].id
    rt_store.code_point(engine, point_id, [code], who, None, "test")


def raise_item_from_point(engine, who, region):
    point_id, version = _point(engine, region)
    links.raise_item(engine, point_id, who, version)


def link_point(engine, who, region):
    point_id, version = _point(engine, region)
    with db.session_scope(engine) as s:
        item_id = _item(s, None).id  # any item: the point's region decides
    links.link_item(engine, point_id, item_id, who, version)


def save_codebook(engine, who, region):
    _, text, version = rt_store.current_codebook(engine)
    rt_store.save_codebook(engine, text + "\n# edited\n", who, version, "test")


def remove_event(engine, who, region):
    with db.session_scope(engine) as s:
        event = s.scalars(select(RoundtableEvent).where(RoundtableEvent.region == region)).first()
        event_id, version = event.id, event.version
    rt_store.remove_event(engine, event_id, version, who, "test")


def set_received(engine, who, region):
    with db.session_scope(engine) as s:
        report = s.execute(select(YearlyReport).join(Partnership).where(Partnership.region == region)).scalars().first()
        report_id, version = report.id, report.version
    audit_store.set_received(engine, report_id, version, dt.date(2022, 1, 5), who, "test")


def add_to_register(engine, who, region):
    csv = f"partnership,region,reporting_year,received_on\nNew partnership,{region},2021-22,2023-01-05\n".encode()
    audit_store.save_register(engine, read_register("r.csv", csv), who, source="r.csv")


def change_register_dates(engine, who, region):
    register = audit_store.load_register(engine)
    row = register[(register["region"] == region) & register["received_on"].notna()].iloc[0]
    csv = (f"partnership,region,reporting_year,received_on\n{row['partnership']},{region},"
           f"{row['reporting_year']},{row['received_on'] + dt.timedelta(days=1)}\n").encode()
    audit_store.save_register(engine, read_register("r.csv", csv), who, source="r.csv")


def enter_audit(engine, who, region):
    """Audits "New partnership" (added to the register first by an admin: see SETUP)."""
    values = {"partnership": "New partnership", "reporting_year": "2021-22", "auditor": "Panel analyst",
              "audited_on": "2023-02-01", "notes": ""}
    for c in FW.criteria:
        values |= {c.id: "Fully evidenced", f"{c.id}_page": "4", f"{c.id}_quote": ""}
    audit_store.enter_audit(engine, values, FW, who)


def edit_score(engine, who, region):
    row = _score(engine, region)
    new = "partly" if row.score != "partly" else "fully"
    audit_store.edit_score(engine, row.id, row.version, {"score": {"partly": "Partly evidenced",
                                                                   "fully": "Fully evidenced"}[new],
                                                         "page": "7", "quote": ""}, FW, who, "test")


def raise_finding(engine, who, region):
    audit_store.raise_finding(engine, text="Few reports evidence impact.", reporting_year="2020-21", who=who,
                              region=region)


def _target_of(engine, region) -> int:
    from feedback.tracker import targets

    with db.session_scope(engine) as s:
        frame = targets.targets_frame(s)
        item_id = _item(s, region).id
    return int(frame[(frame["item_id"] == item_id) & (frame["question"] == "trust_panel")]["target_id"].iloc[0])


def add_item_target(engine, who, region):
    from feedback.tracker import targets

    with db.session_scope(engine) as s:
        targets.add_target(s, who, audience="frontline", question="heard_of_panel", item=_item(s, region))


def add_action_target(engine, who, region):
    """A target of an action: the action's item decides the region."""
    from feedback.tracker import targets

    with db.session_scope(engine) as s:
        action = next(a for a in _item(s, region).actions if a.reference == "T-TGT/1")
        targets.add_target(s, who, audience="partners", question="well_informed", action=action, by="region",
                           group="London")


def change_target(engine, who, region):
    from feedback.tracker import targets

    target_id = _target_of(engine, region)
    with db.session_scope(engine) as s:
        assert targets.change_target(s, target_id, who, "test", question="heard_of_panel") == {
            "question": ("trust_panel", "heard_of_panel")}


def remove_target(engine, who, region):
    from feedback.tracker import targets

    target_id = _target_of(engine, region)
    with db.session_scope(engine) as s:
        targets.remove_target(s, target_id, who, "test")


def _a_target(engine, region):
    from feedback.tracker import targets

    with db.session_scope(engine) as s:
        targets.add_target(s, ADMIN, audience="frontline", question="trust_panel", item=_item(s, region))


def _an_action(engine, region):
    with db.session_scope(engine) as s:
        service.create_action(s, _item(s, region), ADMIN, reference="T-TGT/1", description="Brief the region")


def backup(engine, who, region):
    assert backup_bytes(engine, who)[:16] == b"SQLite format 3\x00"


# name: (operation, region of the record (None: national), admin only?)
OPERATIONS = {
    "edit a London item": (edit_item, "London", False),
    "edit a North East item": (edit_item, "North East", False),
    "edit a national item": (edit_item, None, False),
    "add a London item": (create_item, "London", False),
    "add a national item": (create_item, None, False),
    "add an action to a North East item": (create_action, "North East", False),
    "record a response to a London item": (record_response, "London", False),
    "record a response to a national item": (record_response, None, False),
    "import a new London item": (import_new_item, "London", False),
    "import a new North East item": (import_new_item, "North East", False),
    "import changes to a London item": (import_changing_items, "London", True),
    "import London notes": (import_notes, "London", False),
    "import North West notes": (import_notes, "North West", False),
    "code a London point": (code_point, "London", False),
    "code a North West point": (code_point, "North West", False),
    "raise an item from a London point": (raise_item_from_point, "London", False),
    "link a North West point": (link_point, "North West", False),
    "change the theme codebook": (save_codebook, None, False),
    "remove a London event": (remove_event, "London", True),
    "record a London report's date": (set_received, "London", False),
    "record a South West report's date": (set_received, "South West", False),
    "add a London partnership to the register": (add_to_register, "London", False),
    "import changed London register dates": (change_register_dates, "London", True),
    "enter an audit in London": (enter_audit, "London", False),
    "enter an audit in the North West": (enter_audit, "North West", False),
    "correct a London score": (edit_score, "London", False),
    "correct a South East score": (edit_score, "South East", False),
    "raise a London finding": (raise_finding, "London", False),
    "raise a national finding": (raise_finding, None, False),
    "download a backup": (backup, None, True),
    "add a survey target to a London item": (add_item_target, "London", False),
    "add a survey target to a North East item": (add_item_target, "North East", False),
    "add a survey target to a national item": (add_item_target, None, False),
    "add a survey target to a London item's action": (add_action_target, "London", False),
    "add a survey target to a national item's action": (add_action_target, None, False),
    "change a London item's survey target": (change_target, "London", False),
    "change a North East item's survey target": (change_target, "North East", False),
    "change a national item's survey target": (change_target, None, False),
    "remove a London item's survey target": (remove_target, "London", True),
    "remove a national item's survey target": (remove_target, None, True),
}


SETUP = {enter_audit: lambda engine, region: add_to_register(engine, ADMIN, region),
         add_action_target: _an_action, change_target: _a_target, remove_target: _a_target}


def allowed(role: str, region: str | None, admin_only: bool) -> bool:
    user = ROLES[role]
    if admin_only:
        return user.role == access.ADMIN
    return user.role in (access.EDITOR, access.ADMIN) or (user.role == access.REGIONAL_LEAD and region == "London")


CASES = [pytest.param(op, role, id=f"{role}: {op}") for op in OPERATIONS for role in ROLES]


def _counts(engine) -> tuple[int, int]:
    with db.session_scope(engine) as s:
        return (s.scalar(select(func.count()).select_from(db.History)),
                s.scalar(select(func.count()).select_from(access_log.AccessEntry)
                         .where(access_log.AccessEntry.event == access_log.REFUSED)))


@pytest.mark.parametrize(("op", "role"), CASES)
def test_every_write_by_every_role(fresh, op, role):
    func_, region, admin_only = OPERATIONS[op]
    if func_ in SETUP:
        SETUP[func_](fresh, region)
    history, refusals = _counts(fresh)
    user = ROLES[role]
    if allowed(role, region, admin_only):
        func_(fresh, user, region)
        if func_ is not backup:
            assert _counts(fresh)[0] > history  # the change was made, with history
            with db.session_scope(fresh) as s:
                names = set(s.scalars(select(db.History.changed_by).where(db.History.id > history)))
            assert user.label in names  # under the person's own name and e-mail
        return
    with pytest.raises(Refused) as refused:
        func_(fresh, user, region)
    message = str(refused.value)
    expected = {"Only admins can"} if admin_only else set()
    expected |= ({"Only editors can change"} if user.role == access.VIEWER
                 else {"As regional lead for London"} if user.role == access.REGIONAL_LEAD else set())
    if not admin_only or user.role == access.EDITOR:  # one reason applies; else either may be given first
        expected = expected - {"Only admins can"} if not admin_only else {"Only admins can"}
    assert message.startswith(tuple(expected)), message
    assert message.endswith(("ask an admin for access.", "ask an admin to do it.", "Ask an admin or an editor."))
    assert _counts(fresh) == (history, refusals + 1)  # nothing changed; the refusal is logged
    last = access_log.entries(fresh, events=(access_log.REFUSED,), limit=1).iloc[0]
    assert (last["who"], last["email"], last["what"]) == (user.name, user.email, message)


def test_a_refused_import_changes_nothing_but_the_access_log(fresh):
    from feedback.tracker.spreadsheet import frames

    def tracker():
        with db.session_scope(fresh) as s:
            return {name: frame.to_dict("records") for name, frame in frames(s).items()}

    before = tracker()
    with pytest.raises(Refused, match="Only admins can run imports that replace existing tracker records"):
        import_changing_items(fresh, EDITOR, "London")
    assert tracker() == before
    import_changing_items(fresh, ADMIN, "London")
    log = access_log.entries(fresh, events=(access_log.IMPORT,), limit=1).iloc[0]
    assert log["who"] == "Ada Admin"
    assert log["what"].startswith("tracker workbook tracker.xlsx: Items: 0 added, 1 changed")
