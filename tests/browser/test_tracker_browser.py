"""Response tracker in a real browser: edit an action's owner through the form and see
the change, with who and why, in the item's history. Screenshots go to /tmp/screens/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LOADED_MS, after_rerun, screenshot, tall_screenshot, until_shown, wait_for_app

pytestmark = pytest.mark.timeout(300)

EDITOR = "Browser Tester"
NEW_OWNER = "Panel secretariat: browser test team"
REASON = "handover agreed at team meeting"
# Streamlit may keep a hidden copy of the previous item's form in the page: only the visible field counts.
OWNER = 'input[aria-label="Owner"]:visible'


def main(page):
    return page.locator('[data-testid="stMain"]')


def test_edit_action_and_see_it_in_the_history(app_url, page, tmp_path):
    name = page.locator('[data-testid="stSidebar"] input[aria-label="Your name"]')
    page.goto(app_url)
    name.wait_for(timeout=LOADED_MS)
    page.goto(f"{app_url}/tracker")
    name.wait_for(timeout=LOADED_MS)
    wait_for_app(page)
    page.wait_for_selector("text=Panel response tracker")
    name.fill(EDITOR)
    name.press("Enter")
    wait_for_app(page)
    screenshot(page, "tracker_01_opened", tmp_path)
    main(page).locator('[data-testid="stMarkdownContainer"]').filter(
        has_text="The challenge involved in meeting the expected timescale").first.wait_for()

    main(page).get_by_text("Edit an action").click()
    form = main(page).locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="Save action"))
    owner = form.locator(OWNER)
    owner.wait_for()
    assert owner.input_value() == "Panel secretariat: data team"
    owner.fill(NEW_OWNER)
    form.locator('input[aria-label="Reason for the change"]').fill(REASON)
    form.get_by_role("button", name="Save action").click()
    wait_for_app(page)
    main(page).get_by_text("Saved: owner.").wait_for()

    entry = main(page).locator('[data-testid="stMarkdownContainer"]').filter(has_text=REASON)
    entry.first.wait_for()
    text = entry.first.inner_text()
    assert EDITOR in text and "SAMPLE-AC-01/1" in text.replace("\u2011", "-")
    assert "owner: Panel secretariat: data team → " + NEW_OWNER in text
    entry.first.scroll_into_view_if_needed()
    tall_screenshot(page, "tracker_02_after_edit_history", tmp_path)

    # The new value is what the form now shows (a fresh version), and the grid agrees.
    main(page).get_by_text("Edit an action").click()
    expect(form.locator(OWNER)).to_have_value(NEW_OWNER)
    page.get_by_role("tab", name="Dashboard").click()
    wait_for_app(page)
    main(page).get_by_text("Actions by status").first.wait_for()
    tall_screenshot(page, "tracker_03_dashboard", tmp_path)


def test_import_with_a_bad_row_changes_nothing(app_url, page, tmp_path):
    import io

    import openpyxl

    name = page.locator('[data-testid="stSidebar"] input[aria-label="Your name"]')
    page.goto(app_url)
    name.wait_for(timeout=LOADED_MS)
    page.goto(f"{app_url}/tracker_data")
    name.wait_for(timeout=LOADED_MS)
    wait_for_app(page)
    name.fill(EDITOR)
    name.press("Enter")
    wait_for_app(page)
    main(page).get_by_text("Tracker: import, export and backup").wait_for()
    screenshot(page, "tracker_04_data_page", tmp_path)
    with page.expect_download() as download_info:
        main(page).get_by_role("button", name="Download the tracker (XLSX)").click()
    path = tmp_path / "export.xlsx"
    download_info.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    actions = wb["Actions"]
    headers = [c.value for c in actions[1]]
    row_of = {actions.cell(r, 1).value: r for r in range(2, actions.max_row + 1)}
    # SAMPLE-AC-07/1 is "not started" with no evidence: marking it complete must be refused...
    actions.cell(row_of["SAMPLE-AC-07/1"], headers.index("Status") + 1).value = "complete"
    # ...and then this valid change on another row must not land either.
    actions.cell(row_of["SAMPLE-AC-09/1"], headers.index("Owner") + 1).value = "A change that must not land"
    buffer = io.BytesIO()
    wb.save(buffer)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(buffer.getvalue())
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(bad))
    wait_for_app(page)
    main(page).get_by_role("button", name="Check and import").click()
    main(page).get_by_text("nothing was imported, because of 1 problem(s)").wait_for()
    wait_for_app(page)
    tall_screenshot(page, "tracker_05_import_refused", tmp_path)
    shown = main(page).inner_text().replace("\\", "")
    assert "SAMPLE-AC-07/1): an action can be marked complete only with evidence" in shown
    with page.expect_download() as again:
        main(page).get_by_role("button", name="Download the tracker (XLSX)").click()
    after = tmp_path / "after.xlsx"
    again.value.save_as(after)
    owners = [r[headers.index("Owner")] for r in openpyxl.load_workbook(after)["Actions"].iter_rows(values_only=True)]
    assert "A change that must not land" not in owners


def _open_tracker(page, app_url: str, who: str) -> None:
    name = page.locator('[data-testid="stSidebar"] input[aria-label="Your name"]')
    page.goto(app_url)
    name.wait_for(timeout=LOADED_MS)
    page.goto(f"{app_url}/tracker")
    name.wait_for(timeout=LOADED_MS)
    wait_for_app(page)
    name.fill(who)
    name.press("Enter")
    wait_for_app(page)


def _choose_item(page, label_start: str) -> None:
    box = main(page).locator('[data-testid="stSelectbox"]').filter(has_text="Open an item").first
    option = page.get_by_role("option", name=label_start, exact=False).first
    for _ in range(3):  # a rerun landing just after the click closes the list: open it again
        wait_for_app(page)
        box.click()
        page.keyboard.type(label_start.split(":")[0])  # the list is long and virtualised: filter it
        try:
            option.wait_for(timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError
            page.keyboard.press("Escape")
    option.click()
    wait_for_app(page)
    main(page).get_by_role("heading", name=label_start.split(":")[0]).wait_for()


def test_two_people_edit_the_same_action_and_the_second_is_refused(app_url, page, browser, tmp_path):
    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    other.set_default_timeout(LOADED_MS)
    try:
        forms = {}
        for p, who in ((page, "Person A"), (other, "Person B")):
            _open_tracker(p, app_url, who)
            _choose_item(p, "AC-02: The impact of reviews")
            main(p).get_by_text("Edit an action").click()
            forms[who] = main(p).locator('[data-testid="stForm"]').filter(
                has=p.get_by_role("button", name="Save action"))
            # retried until the previous item's form has gone and this item's action is shown
            expect(forms[who].locator(OWNER)).to_have_value("Panel secretariat: policy team")

        forms["Person A"].locator(OWNER).fill("Owner chosen by A")
        forms["Person A"].get_by_role("button", name="Save action").click()
        wait_for_app(page)
        main(page).get_by_text("Saved: owner.").wait_for()

        # B still has the form opened before A saved; B's change must be refused, not overwrite A's.
        forms["Person B"].locator(OWNER).fill("Owner chosen by B")
        forms["Person B"].get_by_role("button", name="Save action").click()
        wait_for_app(other)
        refusal = main(other).locator('[data-testid="stAlert"]').filter(has_text="was changed by Person A")
        refusal.wait_for()
        assert "Your edit was not saved" in refusal.inner_text()
        # The form, now on the newer version, still holds what B typed, for B to compare with A's value
        # in the refusal and save again if still wanted; nothing of B's is written yet.
        main(other).get_by_text("still holds what you typed").wait_for()
        form_b = main(other).locator('[data-testid="stForm"]').filter(
            has=other.get_by_role("button", name="Save action"))
        expect(form_b.locator(OWNER)).to_have_value("Owner chosen by B")
        tall_screenshot(other, "tracker_06_second_edit_refused", tmp_path)

        page.reload()
        wait_for_app(page)
        _choose_item(page, "AC-02: The impact of reviews")
        history = main(page).locator('[data-testid="stMarkdownContainer"]').filter(has_text="owner:")
        history.first.wait_for()
        text = "\n".join(history.all_inner_texts())
        assert "Owner chosen by A" in text and "Owner chosen by B" not in text
    finally:
        other.context.close()


def test_edit_an_owner_in_the_actions_grid(app_url, page, tmp_path):
    _open_tracker(page, app_url, "Grid Editor")
    page.get_by_role("tab", name="Edit actions in a grid").click()
    wait_for_app(page)
    grid = main(page).locator('[data-testid="stDataFrame"]:visible').first
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    editor = page.locator("#portal textarea:enabled, #portal input:enabled").first  # not the Reference's

    def open_owner_cell():  # the grid is a canvas: on a busy machine its rows may not be drawn at the first click
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 40, box["y"] + 35 + 8 * 35)  # a cell of the 9th action (in any order)
        # the grid has taken the focus before the arrows move it
        page.wait_for_function("() => !!document.activeElement?.closest('[data-testid=\"stDataFrame\"]')")
        for _ in range(3):  # Reference -> Item -> Description -> Owner
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")  # opens the cell editor

    until_shown(page, open_owner_cell, editor)
    editor.fill("Owner typed in the grid")
    after_rerun(page, lambda: page.keyboard.press("Enter"))  # the edit reruns the page
    wait_for_app(page)
    main(page).locator('input[aria-label="Reason for these changes"]:visible').fill("grid test")
    main(page).get_by_role("button", name="Save changes").click()
    wait_for_app(page)
    saved = main(page).locator('[data-testid="stAlert"]').filter(has_text="Saved 1 action(s)")
    try:
        saved.wait_for()
    except Exception:
        tall_screenshot(page, "tracker_debug_grid", tmp_path)
        raise
    reference = saved.inner_text().split(": ", 1)[1].rstrip(".")
    tall_screenshot(page, "tracker_07_grid_saved", tmp_path)
    page.get_by_role("tab", name="Items, responses and history").click()
    item = reference.split("/")[0].removeprefix("SAMPLE-")
    _choose_item(page, f"{item}:")
    entry = main(page).locator('[data-testid="stMarkdownContainer"]').filter(has_text="grid test")
    entry.first.wait_for()
    text = entry.first.inner_text()
    assert "Grid Editor" in text and "Owner typed in the grid" in text
