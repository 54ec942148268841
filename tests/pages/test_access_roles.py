"""The pages under each role, in Streamlit's AppTest with a faked ``st.user`` and an
``[auth]`` section in the secrets (the real sign-in is in tests/browser/test_signin_browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from feedback import access_log, db
from feedback.tracker.models import Item

pytestmark = pytest.mark.timeout(600)
ROOT = Path(__file__).resolve().parents[2]
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-secret",
        "client_id": "feedback", "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ROLES = {"default": "viewer", "people": {"ed@example.org": "editor", "ada@example.org": "admin",
                                         "lee@example.org": "regional lead: London"}}
PEOPLE = {"viewer": ("Vera Viewer", "vera@example.org"), "editor": ("Ed Editor", "ed@example.org"),
          "admin": ("Ada Admin", "ada@example.org"), "regional lead for London": ("Lee Lead", "lee@example.org")}


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    import streamlit as st

    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    monkeypatch.setenv(db.ENV_VAR, url)
    st.cache_resource.clear()
    yield db.get_engine(url)
    st.cache_resource.clear()


def _app(page: str | None = None, role: str | None = None, *, auth: bool = True, item: int | None = None):
    """app.py (the sidebar, the overview) when ``page`` is None, else that page file on its own:
    AppTest drops the sidebar drawn by app.py once it switches page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / (f"pages/{page}" if page else "app.py")), default_timeout=180)
    if auth:
        at.secrets["auth"] = AUTH
        at.secrets["roles"] = ROLES
        if role is None:
            at.user = {"is_logged_in": False}
        else:
            name, email = PEOPLE[role]
            at.user = {"is_logged_in": True, "name": name, "email": email, "email_verified": True, "sub": email,
                       "iat": 1700000000}
    if item is not None:
        at.session_state["tracker_item"] = item
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def _buttons(at) -> set[str]:
    return {b.label for b in at.button} | {b.label for b in at.get("form_submit_button")}


def test_nobody_sees_anything_before_signing_in(app_db):
    at = _app()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.selectbox  # not even the region selector


def test_local_mode_says_anyone_can_edit(app_db):
    at = _app(auth=False)
    assert "Local mode: anyone who can open this address can edit" in [w.value for w in at.sidebar.warning]
    assert [t.label for t in at.sidebar.text_input] == ["Your name"]
    assert "Save item" in _buttons(_app("tracker.py", auth=False))


@pytest.mark.parametrize("role", list(PEOPLE))
def test_the_sidebar_names_the_signed_in_person(app_db, role):
    at = _app(role=role)
    name, email = PEOPLE[role]
    # plain text, exactly as in the ID token: no Markdown escapes or invisible characters
    assert f"Signed in as {name} ({email}): {role}." in [t.value for t in at.sidebar.text]
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert not at.sidebar.text_input  # no typed name once signed in
    assert not at.sidebar.warning  # no local-mode notice


@pytest.mark.parametrize("role", list(PEOPLE))
def test_the_tracker_for_each_role(app_db, role):
    at = _app("tracker.py", role)
    buttons = _buttons(at)
    # The first item opened is national: only editors and admins may change it.
    if role in ("editor", "admin"):
        assert {"Save item", "Save response", "Add action"} <= buttons
        assert "Save changes" in buttons and at.tabs[1].label == "Edit actions in a grid"
    else:
        assert not {"Save item", "Save response", "Add action"} & buttons
        expected = ("Only editors can change tracker items: ask an admin for access." if role == "viewer" else
                    "As regional lead for London you can change only London's tracker items; this is national "
                    "(not tagged with a region). Ask an admin or an editor.")
        assert expected in _captions(at)
    if role == "viewer":
        assert "Save changes" not in buttons and at.tabs[1].label == "Actions"
    assert [b.label for b in at.get("download_button")]  # everyone can export what they see


def test_a_regional_lead_edits_their_regions_items_only(app_db):
    _app("tracker.py", "regional lead for London")  # seeds the database
    with db.session_scope(app_db) as s:
        london = s.scalar(select(Item.id).where(Item.regions == "London"))
        north_east = s.scalar(select(Item.id).where(Item.regions == "North East"))
    at = _app("tracker.py", "regional lead for London", item=london)
    assert {"Save item", "Save response", "Add action"} & _buttons(at)
    at = _app("tracker.py", "regional lead for London", item=north_east)
    assert not {"Save item", "Save response", "Add action"} & _buttons(at)
    assert any(c.startswith("As regional lead for London") and "this is for North East" in c for c in _captions(at))


@pytest.mark.parametrize("role", list(PEOPLE))
def test_backup_and_access_log_are_for_admins(app_db, role):
    at = _app("tracker_data.py", role)
    downloads = [b.label for b in at.get("download_button")]
    assert "Download the tracker (XLSX)" in downloads
    assert ("Download a backup" in downloads) == (role == "admin")
    assert (not at.get("file_uploader")) == (role == "viewer")  # viewers see no import
    at = _app("access_log.py", role)
    if role == "admin":
        assert at.title[0].value == "Access log"
        assert any(t.value.endswith("entries.") for t in at.text)
    else:
        assert [e.value.replace("\\", "") for e in at.error] == [
            "Only admins can see the access log: ask an admin to do it."]
        refused = access_log.entries(app_db, events=(access_log.REFUSED,), limit=1).iloc[0]
        assert (refused["who"], refused["what"]) == (PEOPLE[role][0], at.error[0].value.replace("\\", ""))


def test_a_sign_in_is_logged_once_however_often_the_page_reloads(app_db):
    for _ in range(2):
        _app(role="editor")  # app.py: the sidebar logs the sign-in
    signed_in = access_log.entries(app_db, events=(access_log.SIGN_IN,))
    assert signed_in[["who", "email", "role"]].values.tolist() == [["Ed Editor", "ed@example.org", "editor"]]


@pytest.mark.parametrize("role", list(PEOPLE))
def test_roundtables_and_audits_for_each_role(app_db, role):
    at = _app("roundtables.py", role)
    forms = _buttons(at)
    assert ("Save my coding" in forms) == (role in ("editor", "admin"))  # the first event is in the North East
    assert ("Save the codebook" in forms) == (role in ("editor", "admin"))
    assert ("Remove this event" in forms) == (role == "admin")
    at = _app("audits.py", role)
    forms = _buttons(at)
    assert ("Save the audit" in forms) == (role != "viewer")
    assert ("Save the date" in forms) == (role != "viewer")


def _item_id(engine, reference: str) -> int:
    with db.session_scope(engine) as s:
        return s.scalar(select(Item.id).where(Item.reference == reference))


@pytest.mark.parametrize("role", list(PEOPLE))
def test_survey_target_buttons_follow_the_role(app_db, role):
    """C11-1 is national with sample targets: editors add, only admins remove, the others are told why."""
    _app("tracker.py", role)  # seeds the database
    at = _app("tracker.py", role, item=_item_id(app_db, "C11-1"))
    buttons = _buttons(at)
    assert ("Add target" in buttons) == (role in ("editor", "admin"))
    assert ("Remove this target" in buttons) == (role == "admin")
    if role == "viewer":
        assert "Only editors can change survey targets: ask an admin for access." in _captions(at)
    elif role == "regional lead for London":
        assert any(c.startswith("As regional lead for London you can change only London's survey targets")
                   for c in _captions(at))


def test_a_target_added_on_the_page_names_the_signed_in_person(app_db):
    from feedback.tracker import targets

    _app("tracker.py", "editor")
    at = _app("tracker.py", "editor", item=_item_id(app_db, "C11-1"))
    next(b for b in at.button if b.label == "Add target").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with db.session_scope(app_db) as s:
        added = max(targets.targets_frame(s)["target_id"])
        history = db.history_for(s, "survey_target", added)
    assert [(h.field, h.changed_by) for h in history] == [("created", "Ed Editor (ed@example.org)")]


def test_a_refused_target_change_is_shown_as_plain_text(app_db, monkeypatch):
    """Whatever the page offers, the package decides; its refusal is shown literally (no Markdown)."""
    from feedback.errors import Refused
    from feedback.tracker import targets

    def refuse(*_args, **_kwargs):
        raise Refused(refuse.message)

    refuse.message = "Only editors can change **survey targets**: [ask](http://example.org) an admin."

    _app("tracker.py", "admin")
    monkeypatch.setattr(targets, "remove_target", refuse)
    at = _app("tracker.py", "admin", item=_item_id(app_db, "C11-1"))
    next(b for b in at.button if b.label == "Remove this target").click().run()
    assert not at.exception
    from feedback.validation import markdown_literal

    shown = [e.value for e in at.error]
    assert shown == [markdown_literal(str(refuse.message))]
    assert r"\*\*survey targets\*\*" in shown[0] and r"\[ask\]" in shown[0]
