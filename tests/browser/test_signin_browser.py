"""A real sign-in: an OpenID Connect provider (oidc-provider-mock) runs on 127.0.0.1, the
app's [auth] points at it (a secrets file of the test's own, passed with --secrets.files, so
a developer's .streamlit/secrets.toml is never read or changed), and Chromium signs in
through the provider's own authorize page.

- editor: an edit is saved under the name and e-mail from the ID token; sign-out works;
- viewer: no edit form, and a direct service call as that person is refused;
- regional lead for London: London's items can be edited, the North East's cannot.
Screenshots go to /tmp/screens/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from feedback import access, access_log, db
from feedback.errors import Refused
from feedback.tracker import service
from feedback.tracker.models import Item
from tests.browser.conftest import (
    LOADED_MS,
    _free_port,
    running_app,
    screenshot,
    serving,
    tall_screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.timeout(600)

PEOPLE = {  # roles are matched on a verified e-mail only
    "ed": {"email": "ed@example.org", "email_verified": True, "name": "Ed Editor"},
    "vera": {"email": "vera@example.org", "email_verified": True, "name": "Vera Viewer"},
    "lee": {"email": "lee@example.org", "email_verified": True, "name": "Lee Lead"},
    "ada": {"email": "ada@example.org", "email_verified": True, "name": "Ada Admin"},
}
ROLES = {"default": "viewer", "people": {"ed@example.org": "editor", "lee@example.org": "regional lead: London",
                                         "ada@example.org": "admin"}}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """oidc-provider-mock on a free port, knowing our three people's claims."""
    folder = tmp_path_factory.mktemp("oidc")
    port = _free_port()
    claims = [json.dumps({"sub": sub, **c}) for sub, c in PEOPLE.items()]
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port),
               *[a for c in claims for a in ("--user-claims", c)]]
    with serving(command, f"http://127.0.0.1:{port}", "/.well-known/openid-configuration",
                 folder / "provider.log", "oidc-provider-mock") as url:
        yield url


def secrets_toml(app_port: int, provider_url: str) -> str:
    import tomli_w

    return tomli_w.dumps({
        "auth": {"redirect_uri": f"http://127.0.0.1:{app_port}/oauth2callback",
                 "cookie_secret": "a test cookie secret, never used for real",
                 "client_id": "feedback-tests", "client_secret": "not-a-real-secret",
                 "server_metadata_url": f"{provider_url}/.well-known/openid-configuration"},
        "roles": ROLES,
    })


@pytest.fixture(scope="module")
def signed_app(provider, tmp_path_factory):
    """The app with [auth] pointing at the provider; yields (url, engine of its database)."""
    folder = tmp_path_factory.mktemp("signin_app")
    port = _free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(secrets_toml(port, provider))
    with running_app(folder, port=port, args=("--secrets.files", str(secrets))) as url:
        engine = db.get_engine(f"sqlite:///{folder / 'feedback.sqlite3'}")
        yield url, engine
        engine.dispose()


def main(page):
    return page.locator('[data-testid="stMain"]')


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def sign_in(page, url: str, sub: str, tmp_path: Path | None = None) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click(timeout=LOADED_MS)
    page.wait_for_selector('input[name="sub"]', timeout=LOADED_MS)  # the provider's authorize page
    if tmp_path is not None:
        screenshot(page, "signin_01_provider_page", tmp_path)
    page.fill('input[name="sub"]', sub)
    page.get_by_role("button", name="Authorize").click()
    sidebar(page).get_by_text(f"Signed in as {PEOPLE[sub]['name']}").wait_for(timeout=LOADED_MS)


def open_item(page, url: str, region: str, reference: str) -> None:
    page.goto(f"{url}/tracker?region={region.replace(' ', '+')}")
    main(page).get_by_text("Panel response tracker").first.wait_for(timeout=LOADED_MS)
    box = main(page).locator('[data-testid="stSelectbox"]').filter(has_text="Open an item")
    box.click()
    page.keyboard.type(reference)
    page.keyboard.press("Enter")
    main(page).get_by_role("heading", name=reference).wait_for(timeout=LOADED_MS)
    wait_for_app(page)


def test_editor_signs_in_edits_under_their_own_name_and_signs_out(signed_app, browser, tmp_path):
    url, engine = signed_app
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(LOADED_MS)
    sign_in(page, url, "ed", tmp_path)
    wait_for_app(page)  # the first page after the provider's redirect may still be running
    sidebar(page).get_by_text("Signed in as Ed Editor (ed@example.org): editor.").wait_for(timeout=LOADED_MS)
    screenshot(page, "signin_02_signed_in", tmp_path)
    assert sidebar(page).locator('input[aria-label="Your name"]').count() == 0  # no typed name
    assert "Local mode" not in sidebar(page).inner_text()

    open_item(page, url, "London", "SAMPLE-LDN-1")
    main(page).get_by_text("Edit this item").click()
    form = main(page).locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="Save item"))
    form.locator('input[aria-label="Source detail"]:visible').fill("Checked at sign-in test")
    form.locator('input[aria-label="Reason for the change"]:visible').fill("signed-in edit")
    form.get_by_role("button", name="Save item").click()
    main(page).get_by_text("Saved: source detail.").wait_for(timeout=LOADED_MS)
    tall_screenshot(page, "signin_03_editor_saved", tmp_path)
    with db.session_scope(engine) as s:
        item = s.scalar(select(Item).where(Item.reference == "SAMPLE-LDN-1"))
        last = db.history_for(s, "tracker_item", item.id)[-1]
    assert (last.field, last.new_value, last.changed_by) == ("source_detail", "Checked at sign-in test",
                                                             "Ed Editor (ed@example.org)")

    sidebar(page).get_by_role("button", name="Sign out").click()
    # Streamlit sends the browser to the provider's end-session page; confirming it comes back.
    page.get_by_role("button", name="End session").click(timeout=LOADED_MS)
    page.get_by_role("button", name="Sign in").wait_for(timeout=LOADED_MS)
    screenshot(page, "signin_04_signed_out", tmp_path)
    events = access_log.entries(engine, events=(access_log.SIGN_IN, access_log.SIGN_OUT))
    mine = events[events["email"] == "ed@example.org"]
    assert list(mine["event"])[:2] == ["sign-out", "sign-in"]  # newest first
    context.close()


def test_viewer_sees_no_form_and_is_refused_by_the_service(signed_app, browser, tmp_path):
    url, engine = signed_app
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(LOADED_MS)
    sign_in(page, url, "vera")
    open_item(page, url, "London", "SAMPLE-LDN-1")
    main(page).get_by_text("Only editors can change tracker items: ask an admin for access.").wait_for()
    assert main(page).get_by_text("Edit this item").count() == 0
    assert page.get_by_role("button", name="Save item").count() == 0
    tall_screenshot(page, "signin_05_viewer", tmp_path)
    page.goto(f"{url}/roundtables")
    main(page).get_by_role("tab", name="Points and coding").click(timeout=LOADED_MS)
    main(page).get_by_text("Only editors can change codings of roundtable points").first.wait_for(timeout=LOADED_MS)
    assert page.get_by_role("button", name="Save my coding").count() == 0
    tall_screenshot(page, "signin_07_viewer_roundtables", tmp_path)
    page.goto(f"{url}/audits")
    main(page).get_by_role("tab", name="Enter an audit").click(timeout=LOADED_MS)
    main(page).get_by_text("Only editors can change audits").first.wait_for()
    assert page.get_by_role("button", name="Save the audit").count() == 0
    context.close()

    viewer = access.signed_in_user({"sub": "vera", **PEOPLE["vera"]}, access.role_rules(ROLES))
    with pytest.raises(Refused, match="Only editors can change tracker items"):
        with db.session_scope(engine) as s:
            item = s.scalar(select(Item).where(Item.reference == "SAMPLE-LDN-1"))
            service.edit(s, item, item.version, {"text": "rewritten by a viewer"}, viewer, "should fail")


def test_regional_lead_edits_their_region_only(signed_app, browser, tmp_path):
    url, engine = signed_app
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(LOADED_MS)
    sign_in(page, url, "lee")
    open_item(page, url, "London", "SAMPLE-LDN-1")
    main(page).get_by_text("Edit this item").click()
    form = main(page).locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="Save item"))
    form.locator('input[aria-label="Source detail"]:visible').fill("London lead's correction")
    form.locator('input[aria-label="Reason for the change"]:visible').fill("regional lead's edit")
    form.get_by_role("button", name="Save item").click()
    try:
        main(page).get_by_text("Saved: source detail.").wait_for(timeout=LOADED_MS)
    finally:
        tall_screenshot(page, "signin_06a_regional_lead_own_region", tmp_path)

    open_item(page, url, "North East", "SAMPLE-NE-1")
    main(page).get_by_text("As regional lead for London you can change only London's tracker items; "
                           "this is for North East.").wait_for()
    assert page.get_by_role("button", name="Save item").count() == 0
    tall_screenshot(page, "signin_06_regional_lead_other_region", tmp_path)
    context.close()
    with db.session_scope(engine) as s:
        item = s.scalar(select(Item).where(Item.reference == "SAMPLE-LDN-1"))
        assert db.history_for(s, "tracker_item", item.id)[-1].changed_by == "Lee Lead (lee@example.org)"


def test_admin_reads_the_access_log(signed_app, browser, tmp_path):
    url, engine = signed_app
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(LOADED_MS)
    sign_in(page, url, "ada")
    sidebar(page).get_by_text("Access log").click()
    main(page).get_by_role("heading", name="Access log").wait_for(timeout=LOADED_MS)
    table = main(page).locator('[data-testid="stDataFrame"]')
    table.wait_for()
    tall_screenshot(page, "signin_08_access_log", tmp_path)
    log = access_log.entries(engine)
    assert {"sign-in", "sign-out", "refused"} <= set(log["event"])  # the other tests' sign-ins and refusals
    assert "Ada Admin" in set(log.loc[log["event"] == "sign-in", "who"])
    context.close()
